"""The bill: prices, the meter, the ledger, delivery to the billing endpoint, spend, money."""
