"""Friendly greetings."""


def greet(name: str) -> str:
    """Greet ``name``."""
    return f"Hello, {name}!"


def greet_all(names: list[str]) -> list[str]:
    """Greet everyone in ``names``."""
    return [greet(name) for name in names]
