"""A shopping cart."""

from shop.pricing import calc_total


class Cart:
    def __init__(self) -> None:
        self.items: list[tuple[str, float, int]] = []

    def add(self, name: str, price: float, quantity: int = 1) -> None:
        self.items.append((name, price, quantity))

    def total(self) -> float:
        return calc_total(self.items)
