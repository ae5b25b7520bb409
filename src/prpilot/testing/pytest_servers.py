"""Pytest fixtures for the local test bed: scripted model, billing receiver, runner simulator."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from prpilot.testing.billing_server import BillingServer
from prpilot.testing.openai_server import OpenAIServer
from prpilot.testing.runner.job import Runner

__all__ = ["billing_server", "openai_server", "runner"]


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A started scripted model server; script it with ``.script(...)`` or ``.set_policy(...)``."""
    with OpenAIServer() as server:
        yield server


@pytest.fixture
def billing_server() -> Iterator[BillingServer]:
    """A started billing receiver expecting ``Authorization: Bearer billing-secret`` on ``/bills``."""
    with BillingServer() as server:
        yield server


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    """A simulated runner for the action in this checkout; ``runner.use(github)`` targets a fake GitHub.

    ``PRPILOT_PYTHON`` is this interpreter, so the action's install step reuses the installed prpilot.
    Call it as ``runner(event_name, payload, inputs, env=..., timeout=..., cancel_after=...)``.
    """
    return Runner(tmp_path / "runner", env={"PRPILOT_PYTHON": sys.executable})
