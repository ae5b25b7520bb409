"""A printed receipt."""

from shop import pricing


def receipt(items: list[tuple[str, float, int]]) -> str:
    lines = [f"{name} x{quantity}: {price * quantity:.2f}" for name, price, quantity in items]
    lines.append(f"total: {pricing.calc_total(items):.2f}")
    return "\n".join(lines)
