"""A tiny inbox."""


class Inbox:
    """Messages in the order they arrive."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)
