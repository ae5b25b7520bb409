"""The two OpenAI APIs through the real openai client: the Responses translation, the bound, the switch, 410."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from prpilot.agent.loop import AgentFailed, AgentLimits, run_agent
from prpilot.agent.model_api import api_for, says_only_responses
from prpilot.agent.openai_model import OpenAIChatModel
from prpilot.agent.responses_api import input_items
from prpilot.agent.tools import Toolbox
from prpilot.agent.workspace import Workspace
from prpilot.errors import ModelError
from prpilot.task import Usage
from prpilot.testing import openai_replies as say
from prpilot.testing.openai_server import OpenAIServer

PATH = {"type": "object", "properties": {"path": {"type": "string"}}}
TOOLS = [{"type": "function", "function": {"name": "read_file", "description": "Read a file.", "parameters": PATH}}]
ONLY_RESPONSES = "This model is only supported in v1/responses and not in v1/chat/completions."


def _model(server: OpenAIServer, model: str = "gpt-5-mini", **options: object) -> tuple[OpenAIChatModel, list[str]]:
    said: list[str] = []
    settings: dict[str, object] = {"retry_delay": 0.0, "timeout": 5.0, **options}
    made = OpenAIChatModel(server.base_url, "sk-test", model, say=said.append, **settings)  # type: ignore[arg-type]
    return made, said


@pytest.mark.parametrize(
    ("model", "choice", "api"),
    [
        ("gpt-5-mini", "auto", "chat-completions"),
        ("gpt-5.3-codex", "auto", "responses"),
        ("gpt-5.1-codex-max", "auto", "responses"),
        ("gpt-5-codex", "auto", "responses"),
        ("openai/gpt-5.2-codex", "auto", "responses"),
        ("gpt-5.5-pro", "auto", "responses"),
        ("o3-pro-2025-06-10", "auto", "responses"),
        ("gpt-5.4", "auto", "chat-completions"),
        ("claude-sonnet-4.6", "auto", "chat-completions"),
        ("gpt-5-mini", "responses", "responses"),
        ("gpt-5.3-codex", "chat-completions", "chat-completions"),
    ],
)
def test_auto_picks_responses_only_for_the_families_that_have_nothing_else(model: str, choice: str, api: str) -> None:
    assert api_for(model, choice) == api


def test_openais_refusal_on_chat_completions_is_recognised() -> None:
    assert says_only_responses(ONLY_RESPONSES)
    assert not says_only_responses("Invalid value for 'max_completion_tokens'.")


def test_the_conversation_becomes_responses_items_with_calls_and_their_outputs() -> None:
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "fix it"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "read_file", "arguments": '{"path": "a"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "x = 1"},
    ]
    assert input_items(messages) == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "fix it"},
        {"type": "function_call", "call_id": "call_1", "name": "read_file", "arguments": '{"path": "a"}'},
        {"type": "function_call_output", "call_id": "call_1", "output": "x = 1"},
    ]


def test_responses_is_stateless_bounded_and_reads_calls_and_exact_usage(openai_server: OpenAIServer) -> None:
    openai_server.script(
        say.tool("read_file", {"path": "README.md"}, prompt_tokens=1500, cached_tokens=1024, completion_tokens=30),
        say.text("done reading", prompt_tokens=1600, cached_tokens=1408, completion_tokens=7),
    )
    model, _ = _model(openai_server, api="responses", max_output_tokens=2048, reasoning_effort="low")
    first = model.complete([{"role": "user", "content": "read"}], TOOLS)
    [call] = first.tool_calls
    assert (call.name, json.loads(call.arguments)) == ("read_file", {"path": "README.md"})
    history = [{"role": "user", "content": "read"}, first.message,
               {"role": "tool", "tool_call_id": call.id, "content": "hello"}]
    second = model.complete(history, TOOLS)

    assert second.content == "done reading"
    assert first.usage + second.usage == Usage(prompt_tokens=3100, cached_tokens=2432, completion_tokens=37, calls=2)
    assert [c.api for c in openai_server.calls] == ["responses", "responses"]
    body = openai_server.requests[1]
    assert (body["store"], body["max_output_tokens"], body["reasoning"]) == (False, 2048, {"effort": "low"})
    assert body["tools"] == [{"type": "function", "name": "read_file", "description": "Read a file.",
                              "parameters": TOOLS[0]["function"]["parameters"], "strict": False}]
    # The whole conversation each call, the call and its output included.
    assert body["input"][-2:] == [
        {"type": "function_call", "call_id": call.id, "name": "read_file", "arguments": call.arguments},
        {"type": "function_call_output", "call_id": call.id, "output": "hello"},
    ]


def test_chat_completions_carries_the_bound_and_the_effort(openai_server: OpenAIServer) -> None:
    model, _ = _model(openai_server, max_output_tokens=16384, reasoning_effort="medium")
    model.complete([{"role": "user", "content": "hi"}], TOOLS)
    body = openai_server.requests[0]
    assert (body["max_completion_tokens"], body["reasoning_effort"]) == (16384, "medium")
    assert "max_output_tokens" not in body


@pytest.mark.parametrize("api", ["chat-completions", "responses"])
def test_a_reply_cut_by_the_bound_is_the_turn_as_it_stands(openai_server: OpenAIServer, api: str) -> None:
    from dataclasses import replace

    openai_server.script(replace(say.text("half an ans"), finish_reason="length"))
    model, _ = _model(openai_server, api=api, max_output_tokens=5)
    reply = model.complete([{"role": "user", "content": "hi"}], [])
    assert (reply.content, reply.truncated) == ("half an ans", True)


def test_openais_only_on_responses_answer_moves_the_model_once_and_says_so(openai_server: OpenAIServer) -> None:
    openai_server.script(say.error(400, ONLY_RESPONSES), say.text("one"), say.text("two"))
    model, said = _model(openai_server, "gpt-9-codex", max_retries=0)
    assert model.complete([{"role": "user", "content": "hi"}], []).content == "one"
    assert model.complete([{"role": "user", "content": "again"}], []).content == "two"
    assert [c.api for c in openai_server.calls] == ["chat/completions", "responses", "responses"]
    assert said == [f"prpilot: {model.host} serves gpt-9-codex on /responses only; using the Responses API for "
                    "the rest of the task."]


def test_a_gone_endpoint_is_one_sentence_and_never_retried(openai_server: OpenAIServer) -> None:
    openai_server.set_policy(lambda _request, _index: say.error(410, "The GitHub Models API has been retired."))
    model, _ = _model(openai_server, max_retries=3)
    with pytest.raises(ModelError) as gone:
        model.complete([{"role": "user", "content": "hi"}], [])
    assert len(openai_server.calls) == 1
    assert "this endpoint is retired and gone; use another one" in gone.value.message
    assert "overloaded or down" not in gone.value.message


def test_a_request_that_timed_out_after_it_was_sent_is_counted_as_unknown_usage(openai_server: OpenAIServer) -> None:
    openai_server.script(say.text("slow").after(1.5), say.text("in time", prompt_tokens=10, completion_tokens=2))
    model, _ = _model(openai_server, max_retries=1, timeout=0.5)
    reply = model.complete([{"role": "user", "content": "hi"}], [])
    assert reply.content == "in time"
    assert reply.usage == Usage(prompt_tokens=10, completion_tokens=2, calls=1, unknown_calls=1)


def test_a_model_that_only_times_out_leaves_its_unknown_usage_on_the_failed_run(
    openai_server: OpenAIServer, tmp_path: Path
) -> None:
    openai_server.set_policy(lambda _request, _index: say.text("slow").after(1.5))
    model, _ = _model(openai_server, max_retries=1, timeout=0.5)
    toolbox = Toolbox(Workspace(tmp_path))
    with pytest.raises(AgentFailed) as failed:
        run_agent(model, toolbox, [{"role": "user", "content": "hi"}], AgentLimits(5, 60), lambda _usage: Decimal(0))
    assert failed.value.outcome.usage == Usage(unknown_calls=2)
    assert "did not answer within 0.5 s twice" in failed.value.message
