"""Pytest fixtures for the fake GitHub: ``fake_github`` (a running server) and ``github_contract``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prpilot.testing.github import FakeGitHub
from prpilot.testing.github.contract import contract_path, load_contract


@pytest.fixture
def fake_github(tmp_path: Path) -> Iterator[FakeGitHub]:
    """Yield a started FakeGitHub whose repositories live under ``tmp_path``; stop it afterwards."""
    fake = FakeGitHub(tmp_path / "fake-github").start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="session")
def github_contract() -> dict[str, Any]:
    """Return GitHub's REST contract (skips when the shared fixtures are not checked out)."""
    try:
        return load_contract(contract_path())
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
