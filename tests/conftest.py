"""Shared fixtures come from the shipped test bed, ``prpilot.testing``, so users can reuse them.

The git fixtures here are for unit tests of the git side: a bare origin and a clone of it in tmp_path.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from prpilot.github.checkout import Checkout

pytest_plugins = [
    "prpilot.testing.pytest_github",
    "prpilot.testing.pytest_servers",
    "prpilot.testing.pytest_redis",
    "prpilot.testing.pytest_llama",
]

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
