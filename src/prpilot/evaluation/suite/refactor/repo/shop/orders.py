"""Placing orders."""


def _check_quantity(quantity: int) -> None:
    if not isinstance(quantity, int) or quantity < 1 or quantity > 99:
        raise ValueError(f"quantity must be a whole number from 1 to 99, not {quantity!r}")


def place(sku: str, quantity: int) -> dict[str, object]:
    """An order line for ``quantity`` of ``sku``."""
    _check_quantity(quantity)
    return {"sku": sku, "quantity": quantity, "kind": "order"}
