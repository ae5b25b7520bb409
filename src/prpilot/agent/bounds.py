"""How much of a tool's output the model sees at once."""

from __future__ import annotations

from collections.abc import Sequence

MAX_LINES = 400
MAX_BYTES = 24_000
MAX_LINE_CHARS = 2_000


def clip_line(line: str, limit: int = MAX_LINE_CHARS) -> str:
    """Shorten one overlong line, saying how much was cut."""
    if len(line) <= limit:
        return line
    return f"{line[:limit]} [... {len(line) - limit} more characters on this line]"


def take(lines: Sequence[str], max_lines: int = MAX_LINES, max_bytes: int = MAX_BYTES) -> list[str]:
    """Return the leading lines that fit in ``max_lines`` and ``max_bytes`` (at least one line)."""
    shown: list[str] = []
    size = 0
    for line in lines[:max_lines]:
        line = clip_line(line)
        size += len(line.encode("utf-8", "replace")) + 1
        if shown and size > max_bytes:
            break
        shown.append(line)
    return shown
