"""TaskEngine's agent run: whatever ends it, every model call answered until then is in the bill."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, cast

import pytest

from prpilot.agent.model import ModelReply, ToolCall, assistant_message
from prpilot.agent.scripted_model import ScriptedChatModel, scripted_reply
from prpilot.billing.pricing import load_prices
from prpilot.engine.task_engine import TaskEngine
from prpilot.errors import ModelError
from prpilot.github.checkout import Checkout
from prpilot.github.memory import MemoryGitHub
from prpilot.intake.thread_context import ThreadContext
from prpilot.notices import Notices
from prpilot.settings import parse_settings
from prpilot.task import Task, Usage


class Model:
    """Asks to read the README forever, 50,000 prompt tokens a call."""

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
        calls = [ToolCall(f"c{len(messages)}", "read_file", '{"path": "README.md"}')]
        return ModelReply(assistant_message("", calls), "", calls, Usage(prompt_tokens=50_000, calls=1))


class Root:
    def __init__(self, root: Path) -> None:
        self.root = root


def test_a_crash_inside_the_loop_still_bills_every_answered_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "README.md").write_text("# hi\n")
    settings = parse_settings({"github-token": "ghs_x", "openai-api-key": "sk-x", "model": "gpt-4.1-mini"})
    engine = TaskEngine(
        settings=settings, github=MemoryGitHub(), checkout=cast(Checkout, Root(tmp_path)),
        model=Model(), prices=load_prices(), run_url="https://ci/run/1",
    )
    task = Task(github_user="alice", github_project="o/r", user_request="fix it", issue_number=3)
    steps: list[int] = []

    def crash_on_the_third_step(event: object) -> None:
        steps.append(1)
        if len(steps) == 3:
            raise RuntimeError("a bug in the loop")

    monkeypatch.setattr(engine, "_on_agent_step", lambda _task, event: crash_on_the_third_step(event))

    engine._deadline = time.monotonic() + 600  # as run() sets it: max-minutes from the task's start
    with pytest.raises(RuntimeError, match="a bug in the loop"):
        engine._run_agent(task)

    assert engine.usage == Usage(prompt_tokens=150_000, calls=3)


class Unreadable(MemoryGitHub):
    """GitHub that could not give the older thread comments (issue 13, class 7)."""

    def thread(self, number: int, **kwargs: Any) -> ThreadContext:
        return ThreadContext(kind="issue", number=number, missing=["the thread's comments"])


class Warnings:
    def __init__(self) -> None:
        self.said: list[str] = []

    def warning(self, message: str) -> None:
        self.said.append(message)

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None  # the other notices: not what this test reads


def test_context_github_could_not_give_is_a_warning_and_the_agent_starts_without_it(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# hi\n")
    settings = parse_settings({"github-token": "ghs_x", "openai-api-key": "sk-x", "model": "gpt-4.1-mini"})
    runner = Warnings()
    engine = TaskEngine(
        settings=settings, github=Unreadable(), checkout=cast(Checkout, Root(tmp_path)), model=Model(),
        prices=load_prices(), run_url="https://ci/run/1", runner=cast(Notices, runner),
    )
    task = Task(github_user="alice", github_project="o/r", user_request="fix it", issue_number=3)

    _toolbox, messages = engine._start_agent(task)

    assert runner.said == ["GitHub did not give the thread's comments; the agent works without"]
    assert "fix it" in str(messages[-1]["content"])


class _Root:
    def __init__(self, root: Path) -> None:
        self.root = root


def _timed_out(times: int) -> ModelError:
    error = ModelError(f"The model endpoint (x) did not answer within 60 s {times} times; giving up.")
    error.unknown_calls = times
    return error


def test_a_run_that_fails_on_timeouts_keeps_its_unknown_calls_in_the_meter(tmp_path: Path) -> None:
    """The endpoint timed out for good four times after one answered call: the bill holds the answered call
    and the four of unknown usage (once only the answered one reached the meter)."""
    (tmp_path / "README.md").write_text("# hi\n")
    model = ScriptedChatModel(scripted_reply("", ("read_file", '{"path": "README.md"}')), _timed_out(4))
    settings = parse_settings({"github-token": "ghs_x", "openai-api-key": "sk-x", "model": "gpt-4.1-mini"})
    engine = TaskEngine(settings=settings, github=MemoryGitHub(), checkout=cast(Checkout, _Root(tmp_path)),
                        model=model, prices=load_prices(), run_url="https://ci/run/1")
    task = Task(github_user="alice", github_project="o/r", user_request="fix it", issue_number=3)
    engine._deadline = time.monotonic() + 600

    with pytest.raises(ModelError):
        engine._run_agent(task)

    assert engine.usage.calls == 1
    assert engine.usage.unknown_calls == 4

