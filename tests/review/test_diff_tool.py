from __future__ import annotations

import pytest

from prpilot.agent.workspace import ToolError
from prpilot.review.diff_tool import PAGE_LINES, numbered, read_diff

PATCH = "@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n@@ -10,2 +10,3 @@\n ten\n+ten and a half\n eleven"


def test_each_line_is_numbered_as_a_comment_names_it() -> None:
    lines = [line.split(maxsplit=1) for line in numbered(PATCH)]
    assert [parts[0] for parts in lines if parts[0][0] in "LR"] == ["R1", "L2", "R2", "R3", "R10", "R11", "R12"]


def test_a_long_diff_comes_in_pages_that_say_how_to_read_on() -> None:
    patch = "@@ -1,0 +1,700 @@\n" + "\n".join(f"+line {n}" for n in range(1, 701))
    first = read_diff({"big.py": patch}, "big.py", 1)
    assert first.endswith(f"[401 more lines: read_diff with start={PAGE_LINES + 1}]")
    last = read_diff({"big.py": patch}, "big.py", 601)
    assert last.split("\n")[-1].split() == ["R700", "+line", "700"]


def test_a_file_outside_the_pull_request_is_an_error_naming_the_files_it_changes() -> None:
    with pytest.raises(ToolError, match=r"it changes: a\.py"):
        read_diff({"a.py": PATCH}, "b.py", 1)
