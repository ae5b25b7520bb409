"""Shared fixtures come from the shipped test bed, ``prpilot.testing``, so users can reuse them.

The git fixtures here are for unit tests of the git side: a bare origin and a clone of it in tmp_path.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from prpilot.github.checkout import Checkout

pytest_plugins = ["prpilot.testing.pytest_plugin"]

E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e ``e2e``, and put the ``slow`` ones first."""
    for item in items:
        if item.path.is_relative_to(E2E):
            item.add_marker(pytest.mark.e2e)  # a new file there cannot slip into the fast layer
    # pytest-xdist hands tests out in this order: the few that take minutes start at once, while the
    # many short ones fill the other workers, instead of one long test holding up the end of the run.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)

_IDENTITY = {"GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@localhost",
             "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@localhost"}


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), **_IDENTITY})
    return done.stdout.strip()


@pytest.fixture
def git() -> Callable[..., str]:
    """Run git in a directory as a developer would; return its output."""
    return _git


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """A bare repository with one commit on main: README.md, app.py and a .gitignore of *.log."""
    seed = tmp_path / "seed"
    seed.mkdir()
    _git(seed, "init", "-q", "-b", "main")
    (seed / "README.md").write_text("hello\n")
    (seed / "app.py").write_text("print('app')\n")
    (seed / ".gitignore").write_text("*.log\n")
    _git(seed, "add", "-A")
    _git(seed, "commit", "-q", "-m", "seed")
    bare = tmp_path / "origin.git"
    _git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    return bare


@pytest.fixture
def checkout(tmp_path: Path, origin: Path) -> Checkout:
    """A clone of ``origin`` as actions/checkout leaves it (main at origin/main)."""
    work = tmp_path / "work"
    _git(tmp_path, "clone", "-q", str(origin), str(work))
    return Checkout(work, server_url="http://127.0.0.1:9", token="t0ken")
