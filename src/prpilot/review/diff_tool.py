"""``read_diff``: the reviewing agent pages through the pull request's diff, each line with its number.

The prompt shows the diff only up to its budget; this tool shows all of it, a part at a time, and
numbers each line the way a review comment names it (``R12``: line 12 of the new side, ``L7``: line 7
of the old side), so the agent anchors comments where GitHub will take them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import Field

from prpilot.agent.programs import CommandPolicy
from prpilot.agent.tools import Toolbox, ToolProfile, _Args
from prpilot.agent.workspace import ToolError, Workspace

PAGE_LINES = 300
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


class ReadDiff(_Args):
    """Read the pull request's diff of one file, in parts. Each line shows where a review comment goes:
    R<n> is line n of the new code (side RIGHT), L<n> line n of the old code (side LEFT)."""

    path: str = Field(description="A file the pull request changes, relative to the repository root.")
    start: int = Field(1, ge=1, description="First line of the file's diff to show (default 1).")


def numbered(patch: str) -> list[str]:
    """Each line of ``patch`` prefixed with the side and line a comment on it names."""
    out, left, right = [], 0, 0
    for text in patch.split("\n"):
        match = _HUNK.match(text)
        if match:
            left, right = int(match.group(1)), int(match.group(2))
            out.append(f"{'':>7} {text}")
        elif text[:1] == "-":
            out.append(f"{'L' + str(left):>7} {text}")
            left += 1
        elif text[:1] == "+":
            out.append(f"{'R' + str(right):>7} {text}")
            right += 1
        elif text[:1] == " ":
            out.append(f"{'R' + str(right):>7} {text}")
            left, right = left + 1, right + 1
        else:
            out.append(f"{'':>7} {text}")
    return out


def read_diff(patches: Mapping[str, str], path: str, start: int) -> str:
    """One page of ``path``'s numbered patch, saying how to read on."""
    if path not in patches:
        listed = ", ".join(sorted(patches)[:50])
        raise ToolError(f"the pull request does not change {path!r}; it changes: {listed}")
    lines = numbered(patches[path]) if patches[path] else ["(no textual diff: a binary file, or only renamed)"]
    page = lines[start - 1 : start - 1 + PAGE_LINES]
    rest = len(lines) - (start - 1 + len(page))
    more = f"\n[{rest} more lines: read_diff with start={start + len(page)}]" if rest > 0 else ""
    return "\n".join(page) + more


class ReviewToolbox(Toolbox):
    """The reviewing agent's tools: the read-only file tools, ``read_diff``, and commands where allowed."""

    def __init__(self, workspace: Workspace, *, commands: CommandPolicy | None = None, profile: ToolProfile,
                 patches: Mapping[str, str]) -> None:
        super().__init__(workspace, commands=commands, profile=profile)
        self.patches = patches
        self.tools["read_diff"] = ReadDiff

    def _execute(self, args: _Args) -> str:
        if isinstance(args, ReadDiff):
            return read_diff(self.patches, args.path, args.start)
        return super()._execute(args)

