"""The test bed's pytest fixtures, in one plugin: ``pytest_plugins = ["prpilot.testing.pytest_plugin"]``.

- ``fake_github``: a started fake GitHub (REST + git smart HTTP); ``github_contract``: GitHub's REST contract.
- ``openai_server``: the scripted model; ``billing_server``: the billing receiver.
- ``runner``: the runner simulator for the action in this checkout.
- ``listener``: a TCP server on 127.0.0.1 that records who reached it (has a command the network?).
- ``redis_server_url`` / ``redis_url``: a real redis-server for the session, flushed before each test.
- ``llama_native`` / ``llama_text``: a real llama-cpp-python model server per chat format and session;
  where llama-cpp-python or the model is missing, their tests fail with the fix when ``CI=true`` (CI
  must run them) and are skipped elsewhere.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prpilot.testing.billing_server import BillingServer
from prpilot.testing.github import FakeGitHub
from prpilot.testing.github.contract import contract_path, load_contract
from prpilot.testing.listener import Listener
from prpilot.testing.llama_server import LlamaServer, missing, model_path
from prpilot.testing.openai_server import OpenAIServer
from prpilot.testing.redis_server import redis_server
from prpilot.testing.runner.job import Runner

__all__ = ["billing_server", "fake_github", "github_contract", "listener", "llama_native", "llama_text",
           "openai_server", "redis_server_url", "redis_url", "runner"]


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
def listener() -> Iterator[Listener]:
    """Yield a Listener on the host's 127.0.0.1; close it afterwards."""
    with Listener() as started:
        yield started


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    """A simulated runner for the action in this checkout; ``runner.use(github)`` targets a fake GitHub.

    ``PRPILOT_PYTHON`` is this interpreter, so the action's install step reuses the installed prpilot.
    Call it as ``runner(event_name, payload, inputs, env=..., timeout=..., cancel_after=...)``.
    """
    return Runner(tmp_path / "runner", env={"PRPILOT_PYTHON": sys.executable})


@pytest.fixture(scope="session")
def redis_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a redis-server that lives for the whole test session."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_url(redis_server_url: str) -> str:
    """The URL of an empty Redis database (FLUSHALL before the test)."""
    import redis  # the worker's extra: only tests that ask for Redis need the client

    client = redis.Redis.from_url(redis_server_url)
    try:
        client.flushall()
    finally:
        client.close()
    return redis_server_url


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
