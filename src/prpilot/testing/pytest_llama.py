"""Pytest fixtures for the real model server: one llama-cpp-python server per chat format and session.

Where llama-cpp-python or the model is missing, the tests that use these fixtures fail with the
reason and the fix when ``CI=true`` (CI must run them), and are skipped elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from prpilot.testing.llama_server import LlamaServer, missing, model_path

__all__ = ["llama_native", "llama_text"]

NATIVE_FORMAT = "chatml-function-calling"


def _serve(factory: pytest.TempPathFactory, chat_format: str | None) -> Iterator[LlamaServer]:
    from prpilot.agent.prompt import SYSTEM_PROMPT  # here: loading the plugin stays cheap for every session
    from prpilot.agent.tools import Toolbox
    from prpilot.agent.workspace import Workspace

    why = missing()
    if why is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"The real-model tests cannot run: {why}", pytrace=False)
        pytest.skip(f"real model server unavailable: {why}")
    name = chat_format or "model-template"
    server = LlamaServer(model_path(), factory.mktemp("llama") / f"{name}.log", chat_format=chat_format)
    try:
        server.start()  # its RuntimeError carries the server's log
    except RuntimeError as exc:
        pytest.fail(f"The llama server ({name}) did not start: {exc}", pytrace=False)
    try:
        # prpilot's system prompt and tools, as a task's first agent call starts, into the prompt cache.
        tools = Toolbox(Workspace(factory.mktemp("warm-up"))).schemas()
        messages = [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "## Request\n"}]
        print(f"llama server ({name}) warmed up in {server.warm_up(messages, tools):.1f} s")
    except OSError as exc:
        server.stop()
        pytest.fail(f"The llama server ({name}) failed its first request: {exc}\n{server.log_tail()}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def llama_native(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """The server with ``--chat_format chatml-function-calling``: tool calls come back as native tool calls."""
    yield from _serve(tmp_path_factory, NATIVE_FORMAT)


@pytest.fixture(scope="session")
def llama_text(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """The server with the model's own chat template (from the .gguf): tool calls can only come back as text."""
    yield from _serve(tmp_path_factory, None)
