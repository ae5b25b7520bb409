"""The agent loop with the shipped scripted model: limits, bad tool calls, cancellation, failures."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from prpilot.agent.loop import AgentFailed, AgentLimits, StepEvent, run_agent
from prpilot.agent.model import ModelReply
from prpilot.agent.scripted_model import ScriptedChatModel, scripted_reply
from prpilot.agent.tools import Toolbox
from prpilot.agent.workspace import Workspace
from prpilot.errors import ModelError
from prpilot.task import Usage

LIMITS = AgentLimits(max_steps=10, max_seconds=600, max_cost_usd=None)
START = [{"role": "system", "content": "sys"}, {"role": "user", "content": "do it"}]


def reply(content: str = "", *calls: tuple[str, str], prompt_tokens: int = 100) -> ModelReply:
    usage = Usage(prompt_tokens=prompt_tokens, cached_tokens=10, completion_tokens=5, calls=1)
    return scripted_reply(content, *calls, usage=usage)


def read(path: str = "README.md") -> tuple[str, str]:
    return ("read_file", json.dumps({"path": path}))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def free(_usage: Usage) -> Decimal:
    return Decimal(0)


@pytest.fixture
def toolbox(tmp_path: Path) -> Toolbox:
    (tmp_path / "README.md").write_text("# hello\n")
    return Toolbox(Workspace(tmp_path))


def test_a_reply_without_tool_calls_is_the_answer(toolbox: Toolbox) -> None:
    model = ScriptedChatModel(reply("", read()), reply("Read the README."))
    outcome = run_agent(model, toolbox, START, LIMITS, free)
    assert outcome.stop_reason == "done"
    assert outcome.answer == "Read the README."
    assert outcome.steps == 2
    assert outcome.usage == Usage(prompt_tokens=200, cached_tokens=20, completion_tokens=10, calls=2)
    assert [r.name for r in outcome.transcript] == ["read_file"]
    assert outcome.summary() == "- read_file `README.md`"
    tool_message = model.calls[1][-1]
    assert tool_message["role"] == "tool"
    assert tool_message["tool_call_id"] == "call_0"
    assert "# hello" in tool_message["content"]
    assert model.tools[0] == toolbox.schemas()
    assert START == [{"role": "system", "content": "sys"}, {"role": "user", "content": "do it"}]


@pytest.mark.parametrize("max_steps", [1, 2, 5])
def test_max_steps_is_the_exact_number_of_model_calls(toolbox: Toolbox, max_steps: int) -> None:
    model = ScriptedChatModel(then=reply("still looking", read()))
    limits = AgentLimits(max_steps=max_steps, max_seconds=600, max_cost_usd=None)
    outcome = run_agent(model, toolbox, START, limits, free)
    assert len(model.calls) == max_steps
    assert outcome.stop_reason == "max_steps"
    assert outcome.steps == max_steps
    assert outcome.usage.calls == max_steps
    assert outcome.answer.startswith(f"Stopped: reached the limit of {max_steps} model calls.")
    assert outcome.answer.endswith("still looking")


def test_timeout_is_checked_before_each_call(toolbox: Toolbox) -> None:
    clock = FakeClock()

    class SlowModel(ScriptedChatModel):
        def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
            clock.now += 10
            return super().complete(messages, tools)

    model = SlowModel(then=reply("", read()))
    limits = AgentLimits(max_steps=100, max_seconds=25, max_cost_usd=None)
    outcome = run_agent(model, toolbox, START, limits, free, clock=clock)
    assert len(model.calls) == 3  # at 0, 10 and 20 s; at 30 s the limit is past
    assert outcome.stop_reason == "timeout"
    assert "time limit" in outcome.answer


def test_cost_cap(toolbox: Toolbox) -> None:
    model = ScriptedChatModel(then=reply("", read(), prompt_tokens=1000))
    limits = AgentLimits(max_steps=100, max_seconds=600, max_cost_usd=Decimal("0.025"))

    def cost_of(usage: Usage) -> Decimal:
        return Decimal(usage.prompt_tokens) / 100_000  # 0.01 USD per call

    outcome = run_agent(model, toolbox, START, limits, cost_of)
    assert len(model.calls) == 3
    assert outcome.stop_reason == "cost"
    assert "$0.025" in outcome.answer


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (("read_file", '{"path": "README.md"'), "not valid JSON"),
        (("make_coffee", "{}"), "no tool named 'make_coffee'"),
        (("read_file", '{"start_line": 1}'), "path: Field required"),
        (("read_file", '{"path": "../../etc/passwd"}'), "outside the repository"),
    ],
)
def test_bad_tool_calls_are_observations_and_the_run_goes_on(
    toolbox: Toolbox, call: tuple[str, str], expected: str
) -> None:
    model = ScriptedChatModel(reply("", call), reply("gave up"))
    outcome = run_agent(model, toolbox, START, LIMITS, free)
    assert outcome.stop_reason == "done"
    assert outcome.answer == "gave up"
    observation = model.calls[1][-1]
    assert observation["role"] == "tool"
    assert observation["content"].startswith("Error:")
    assert expected in observation["content"]
    assert outcome.transcript[0].is_error


def test_every_tool_call_of_a_reply_is_answered(toolbox: Toolbox) -> None:
    model = ScriptedChatModel(reply("", read(), ("list_files", "{}"), ("nope", "")), reply("ok"))
    run_agent(model, toolbox, START, LIMITS, free)
    answered = [m["tool_call_id"] for m in model.calls[1] if m["role"] == "tool"]
    assert answered == ["call_0", "call_1", "call_2"]


def test_cancellation_is_checked_before_each_call(toolbox: Toolbox) -> None:
    model = ScriptedChatModel(then=reply("", read()))
    stop_after = iter([False, False, True])
    outcome = run_agent(model, toolbox, START, LIMITS, free, should_stop=lambda: next(stop_after))
    assert len(model.calls) == 2
    assert outcome.stop_reason == "cancelled"


def test_a_model_failure_keeps_the_usage_so_far(toolbox: Toolbox) -> None:
    model = ScriptedChatModel(
        reply("", ("write_file", json.dumps({"path": "a.txt", "content": "x"}))),
        ModelError("The model endpoint answered 500 Internal Server Error four times"),
    )
    with pytest.raises(ModelError, match="500 Internal Server Error") as caught:
        run_agent(model, toolbox, START, LIMITS, free)
    assert isinstance(caught.value, AgentFailed)
    outcome = caught.value.outcome
    assert outcome.stop_reason == "error"
    assert outcome.usage.calls == 1
    assert outcome.usage.prompt_tokens == 100
    assert outcome.changed_files == ["a.txt"]


def test_on_step_reports_each_step(toolbox: Toolbox) -> None:
    events: list[StepEvent] = []
    model = ScriptedChatModel(reply("looking", read()), reply("done"))
    run_agent(model, toolbox, START, LIMITS, lambda u: Decimal(u.calls), on_step=events.append)
    assert [e.step for e in events] == [1, 2]
    assert events[1].content == "done"
    assert events[1].tool_calls == []
    assert events[0].content == "looking"
    assert events[0].cost_usd == Decimal(1)
    assert events[0].tool_calls[0].summary == "`README.md`"


def test_an_empty_reply_gets_a_nudge(toolbox: Toolbox) -> None:
    model = ScriptedChatModel(reply(""), reply("finished"))
    outcome = run_agent(model, toolbox, START, LIMITS, free)
    assert outcome.answer == "finished"
    assert outcome.steps == 2
    assert model.calls[1][-1] == {
        "role": "user",
        "content": "Reply with a tool call, or finish with a short summary of what you did.",
    }


def test_changed_files_come_from_the_workspace(toolbox: Toolbox) -> None:
    write = ("write_file", json.dumps({"path": "docs/x.md", "content": "hi"}))
    outcome = run_agent(ScriptedChatModel(reply("", write), reply("wrote docs")), toolbox, START, LIMITS, free)
    assert outcome.changed_files == ["docs/x.md"]
    assert outcome.summary() == "- write_file `docs/x.md`"


def test_arguments_nested_deep_are_an_observation_not_a_crash(toolbox: Toolbox) -> None:
    model = ScriptedChatModel(reply("", ("read_file", "[" * 100_000), prompt_tokens=80_000), reply("done"))
    outcome = run_agent(model, toolbox, START, LIMITS, free)
    assert outcome.stop_reason == "done"
    assert outcome.usage.prompt_tokens == 80_100
    assert outcome.transcript[0].summary == "(invalid arguments)"
    assert outcome.transcript[0].is_error
    assert "not valid JSON" in model.calls[1][-1]["content"]


@pytest.mark.parametrize(
    ("arguments", "parsed"),
    [
        ('{"path": "a[[[{{"}', {"path": "a[[[{{"}),
        ('{"path": "a\\\\"}', {"path": "a\\"}),
        ("[" * 65 + "]" * 65, None),
        ("[" * 64 + "]" * 64, "deep but allowed"),
        ("{", None),
        ("x" * 5_000_000, None),
    ],
)
def test_parse_arguments_is_bounded(arguments: str, parsed: object) -> None:
    from prpilot.agent.model import nesting_depth, parse_arguments

    if parsed == "deep but allowed":
        assert nesting_depth(arguments) == 64
        assert parse_arguments(arguments) is not None
    else:
        assert parse_arguments(arguments) == parsed


def test_a_reply_of_thousands_of_tool_calls_runs_the_first_few(toolbox: Toolbox) -> None:
    from prpilot.agent.loop import MAX_TOOL_CALLS_PER_REPLY

    model = ScriptedChatModel(reply("", *[read()] * 7_000), reply("done"))
    outcome = run_agent(model, toolbox, START, LIMITS, free)
    assert len(outcome.transcript) == MAX_TOOL_CALLS_PER_REPLY
    sent = model.calls[1]
    assert len(sent[2]["tool_calls"]) == MAX_TOOL_CALLS_PER_REPLY  # the history keeps only the calls that ran
    tool_messages = [m for m in sent if m["role"] == "tool"]
    assert len(tool_messages) == MAX_TOOL_CALLS_PER_REPLY
    refused = f"{7_000 - MAX_TOOL_CALLS_PER_REPLY} more tool calls in this reply were refused"
    assert refused in tool_messages[-1]["content"]
    assert len(json.dumps(sent)) < 20_000


def test_tools_get_the_time_that_is_left(toolbox: Toolbox) -> None:
    clock = FakeClock()
    seen: list[float] = []

    class Timed(ScriptedChatModel):
        def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
            clock.now += 590  # the model takes nearly all of the 600 s
            return super().complete(messages, tools)

    original = toolbox.call

    def spy(name: str, arguments: str) -> Any:
        seen.append(toolbox.seconds_left(60.0))
        return original(name, arguments)

    toolbox.call = spy  # type: ignore[method-assign]
    run_agent(Timed(reply("", read())), toolbox, START, LIMITS, free, clock=clock)
    assert 0 < seen[0] <= 10.0  # 600 s of max-minutes, 590 s gone


def test_a_refused_huge_call_leaves_the_history(toolbox: Toolbox) -> None:
    huge = json.dumps({"path": "big.txt", "content": "x" * 3_000_000})
    model = ScriptedChatModel(reply("", ("write_file", huge)), reply("", read()), reply("done"))
    outcome = run_agent(model, toolbox, START, LIMITS, free)
    assert outcome.answer == "done"
    assert "more than one write may hold" in model.calls[1][-1]["content"]
    assert len(json.dumps(model.calls[2])) < 10_000
    kept = json.loads(model.calls[2][2]["tool_calls"][0]["function"]["arguments"])
    assert kept == {"elided": f"{len(huge):,} characters of arguments left out: the call was refused"}
