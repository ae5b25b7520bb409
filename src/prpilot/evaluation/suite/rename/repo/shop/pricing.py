"""Prices of a basket."""


def calc_total(items: list[tuple[str, float, int]]) -> float:
    """The total of (name, unit price, quantity) items, rounded to cents."""
    return round(sum(price * quantity for _, price, quantity in items), 2)
