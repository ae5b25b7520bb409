"""Fees added to an order."""

FREE_FROM = 50.0


def delivery_charge(subtotal: float, country: str) -> float:
    """The shipping fee: free from FREE_FROM, more abroad."""
    if subtotal >= FREE_FROM:
        return 0.0
    return 4.9 if country == "DE" else 9.9


def card_fee(amount: float) -> float:
    """What the card processor charges."""
    return round(amount * 0.015, 2)
