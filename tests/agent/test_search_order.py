"""A search cut short shows the same first matches on every call."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from prpilot.agent.search import search_code
from prpilot.agent.workspace import Workspace


@pytest.mark.skipif(shutil.which("rg") is None, reason="ripgrep is not installed")
def test_truncated_results_are_stable(tmp_path: Path) -> None:
    for index in range(300):
        (tmp_path / f"f{index:03}.txt").write_text("needle\nneedle\n")
    workspace = Workspace(tmp_path)

    first = search_code(workspace, "needle")
    again = [search_code(workspace, "needle") for _ in range(5)]

    assert "more exist" in first
    assert all(result == first for result in again)
    assert first.splitlines()[0] == "f000.txt:1:needle"
