"""The change rules' symlinks: a link is kept only where it points inside the repository, outside git's files."""

from __future__ import annotations

import os
from pathlib import Path

from prpilot.engine.change_rules import ChangeRules, sort_change


def test_a_symlink_chain_cannot_point_outside_the_repository(tmp_path: Path) -> None:
    """Judged by its text alone, ``link`` points to ``<root>/etc/passwd``; through the chain of links it
    climbs (``d0/…/d29/s -> ../../…``) it opens /etc/passwd on any machine that checks the branch out."""
    root = tmp_path / "work"
    depth = 30
    deep = "/".join(f"d{i}" for i in range(depth))
    (root / deep).mkdir(parents=True)
    os.symlink("../" * depth, root / deep / "s")
    os.symlink(f"{deep}/s/{'../' * (depth + 1)}etc/passwd", root / "link")
    assert os.path.realpath(root / "link") == "/etc/passwd"

    kept, left = sort_change(root, ["link", f"{deep}/s"], ChangeRules())

    assert "link" not in kept
    assert {entry.path: entry.why for entry in left}["link"] == "a symlink that points outside the repository"


def test_a_symlink_into_gits_own_files_is_left_out(tmp_path: Path) -> None:
    """``AGENTS.md -> .git/config`` stays inside the tree, but a follow-up task would read git's config (and
    any credentials persisted there) as the repository's hints."""
    root = tmp_path / "work"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "config").write_text("[core]\n")
    (root / "docs").mkdir()
    os.symlink(".git/config", root / "AGENTS.md")
    os.symlink("../.git", root / "docs" / "git")
    os.symlink("README.md", root / "readme-link")
    (root / "README.md").write_text("hello\n")

    kept, left = sort_change(root, ["AGENTS.md", "docs/git", "readme-link", "README.md"], ChangeRules())

    assert kept == ["readme-link", "README.md"]
    assert {entry.path: entry.why for entry in left} == {
        "AGENTS.md": "a symlink that points into git's own files",
        "docs/git": "a symlink that points into git's own files",
    }
