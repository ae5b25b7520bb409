"""Which lines of a pull request's diff GitHub lets a review comment on, read from each file's patch."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")

# (side, line) -> the number of its hunk in the file
Lines = dict[tuple[str, int], int]


def commentable(patch: str) -> Lines:
    """Map each (side, line) a comment may anchor to in ``patch`` to its hunk (GitHub refuses any other)."""
    lines: Lines = {}
    left = right = hunk = 0
    for text in patch.split("\n"):
        match = _HUNK.match(text)
        if match:
            left, right, hunk = int(match.group(1)), int(match.group(2)), hunk + 1
        elif hunk and text[:1] == "-":
            lines[("LEFT", left)] = hunk
            left += 1
        elif hunk and text[:1] == "+":
            lines[("RIGHT", right)] = hunk
            right += 1
        elif hunk and text[:1] == " ":
            lines[("LEFT", left)] = lines[("RIGHT", right)] = hunk
            left, right = left + 1, right + 1
    return lines


def diff_map(patches: Iterable[tuple[str, str]]) -> dict[str, Lines]:
    """Commentable lines of every file: ``patches`` is (path, patch) pairs."""
    return {path: commentable(patch) for path, patch in patches}


def anchored(files: Mapping[str, Lines], path: str, side: str, line: int, start_line: int | None) -> bool:
    """Whether a comment on ``path`` lines ``start_line``..``line`` of ``side`` lies within one hunk of the diff."""
    lines = files.get(path, {})
    hunk = lines.get((side, line))
    if hunk is None:
        return False
    return start_line is None or (start_line < line and lines.get((side, start_line)) == hunk)
