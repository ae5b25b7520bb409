"""Pytest fixtures for the local test bed: scripted model, billing receiver, runner simulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from prpilot.testing.openai_server import OpenAIServer

__all__ = ["openai_server"]


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A started scripted model server; script it with ``.script(...)`` or ``.set_policy(...)``."""
    with OpenAIServer() as server:
        yield server
