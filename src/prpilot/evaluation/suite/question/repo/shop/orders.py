"""Orders."""

from shop.fees import delivery_charge


def order_total(subtotal: float, country: str) -> float:
    """What the customer pays."""
    return round(subtotal + delivery_charge(subtotal, country), 2)
