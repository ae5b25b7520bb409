"""The scripted model server, driven by the real ``openai`` client."""

from __future__ import annotations

import json
import math
import time
from typing import Any

import openai
import pytest

from prpilot.testing.openai_server import (
    OpenAIServer,
    Reply,
    always_error,
    error,
    estimate_prompt_tokens,
    never_stops,
    text,
    tool,
    tools,
)

MESSAGES: list[Any] = [{"role": "user", "content": "fix the bug"}]
TOOLS: list[Any] = [
    {"type": "function", "function": {"name": "read_file", "parameters": {"type": "object", "properties": {}}}}
]


def client(server: OpenAIServer, **kwargs: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key=kwargs.pop("api_key", "sk-test"), **kwargs)


def ask(server: OpenAIServer, **kwargs: Any) -> Any:
    return client(server, max_retries=0).chat.completions.create(
        model="gpt-4.1-mini", messages=MESSAGES, tools=TOOLS, **kwargs
    )


def test_scripted_replies_are_consumed_in_order_then_done(openai_server: OpenAIServer) -> None:
    openai_server.script(
        tool("read_file", {"path": "a.py"}),
        tools([("read_file", "{}"), ("write_file", '{"path": "b"}')], content="two at once"),
        text("finished"),
    )
    first, second, third, fourth = (ask(openai_server) for _ in range(4))

    call = first.choices[0].message.tool_calls[0]
    assert (call.function.name, json.loads(call.function.arguments)) == ("read_file", {"path": "a.py"})
    assert first.choices[0].finish_reason == "tool_calls"
    assert [c.function.name for c in second.choices[0].message.tool_calls] == ["read_file", "write_file"]
    assert second.choices[0].message.content == "two at once"
    ids = [c.id for r in (first, second) for c in r.choices[0].message.tool_calls]
    assert len(set(ids)) == 3
    assert (third.choices[0].message.content, third.choices[0].finish_reason) == ("finished", "stop")
    assert fourth.choices[0].message.content == "done"
    assert len(openai_server.calls) == 4


def test_invalid_json_arguments_are_sent_verbatim(openai_server: OpenAIServer) -> None:
    openai_server.script(tool("write_file", '{"path": "x", oops'))
    assert ask(openai_server).choices[0].message.tool_calls[0].function.arguments == '{"path": "x", oops'


def test_prompt_tokens_follow_what_was_sent(openai_server: OpenAIServer) -> None:
    short = ask(openai_server)
    openai_server.script(text("ok"))
    long = client(openai_server).chat.completions.create(
        model="m", messages=[*MESSAGES, {"role": "user", "content": "x" * 4000}], tools=TOOLS
    )
    assert short.usage.prompt_tokens == estimate_prompt_tokens(openai_server.requests[0])
    expected = math.ceil(len(json.dumps({"messages": openai_server.requests[0]["messages"], "tools": TOOLS})) / 4)
    assert short.usage.prompt_tokens == expected
    assert long.usage.prompt_tokens >= short.usage.prompt_tokens + 1000
    assert long.usage.total_tokens == long.usage.prompt_tokens + long.usage.completion_tokens


def test_fixed_usage_and_total(openai_server: OpenAIServer) -> None:
    openai_server.script(
        tool("read_file", prompt_tokens=1000, completion_tokens=20, cached_tokens=600),
        text("ok", prompt_tokens=1500, completion_tokens=5),
        error(500),
    )
    first = ask(openai_server)
    assert first.usage.prompt_tokens_details.cached_tokens == 600
    ask(openai_server)
    with pytest.raises(openai.InternalServerError):
        ask(openai_server)
    total = openai_server.total_usage()
    assert (total.prompt_tokens, total.cached_tokens, total.completion_tokens, total.calls) == (2500, 600, 25, 2)
    assert len(openai_server.usages) == 2
    assert len(openai_server.requests) == 3


@pytest.mark.parametrize(
    ("reply", "exception"),
    [
        (error(429, retry_after=0), openai.RateLimitError),
        (error(500), openai.InternalServerError),
        (error(503), openai.InternalServerError),
        (error(400, "bad"), openai.BadRequestError),
    ],
)
def test_errors_are_openai_shaped(openai_server: OpenAIServer, reply: Reply, exception: type[Exception]) -> None:
    openai_server.script(reply)
    with pytest.raises(exception) as caught:
        ask(openai_server)
    assert isinstance(caught.value, openai.APIStatusError)
    assert caught.value.status_code == reply.status
    assert isinstance(caught.value.body, dict)
    assert "type" in caught.value.body


def test_client_retries_honour_retry_after(openai_server: OpenAIServer) -> None:
    openai_server.script(error(429, retry_after=0), error(503), text("after retries"))
    answer = client(openai_server, max_retries=2).chat.completions.create(model="m", messages=MESSAGES)
    assert answer.choices[0].message.content == "after retries"
    assert openai_server.calls[0].reply.retry_after == "0"
    assert openai_server.total_usage().calls == 1


def test_policy_after_script_sees_request_and_index(openai_server: OpenAIServer) -> None:
    seen: list[tuple[int, str]] = []

    def policy(request: dict[str, Any], index: int) -> Reply | None:
        seen.append((index, request["model"]))
        return text(f"call {index}") if index < 2 else None

    openai_server.script(text("scripted"))
    openai_server.set_policy(policy)
    answers = [ask(openai_server).choices[0].message.content for _ in range(3)]
    assert answers == ["scripted", "call 1", "done"]
    assert seen == [(1, "gpt-4.1-mini"), (2, "gpt-4.1-mini")]


def test_never_stops_and_always_error(openai_server: OpenAIServer) -> None:
    openai_server.set_policy(never_stops("list_files", "{}"))
    for _ in range(5):
        assert ask(openai_server).choices[0].message.tool_calls[0].function.name == "list_files"
    openai_server.set_policy(always_error(503))
    with pytest.raises(openai.InternalServerError):
        ask(openai_server)


def test_delay_trips_client_timeout(openai_server: OpenAIServer) -> None:
    # The reply waits far longer than the timeout: a busy machine (tests run in parallel) may add a second.
    openai_server.script(text("slow").after(3.0))
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        client(openai_server, max_retries=0, timeout=0.2).chat.completions.create(model="m", messages=MESSAGES)
    assert time.monotonic() - started < 2.0


def test_api_key_is_checked() -> None:
    with OpenAIServer(api_key="sk-right") as server:
        with pytest.raises(openai.AuthenticationError):
            client(server, api_key="sk-wrong", max_retries=0).chat.completions.create(model="m", messages=MESSAGES)
        assert server.calls == []
        assert len(server.rejected) == 1
        answer = client(server, api_key="sk-right").chat.completions.create(model="m", messages=MESSAGES)
        assert answer.choices[0].message.content == "done"
        assert server.calls[0].headers["authorization"] == "Bearer sk-right"


def test_streaming_with_usage(openai_server: OpenAIServer) -> None:
    openai_server.script(tool("read_file", '{"path": "x"}', prompt_tokens=42, completion_tokens=7))
    chunks = list(
        client(openai_server).chat.completions.create(
            model="m", messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )
    )
    calls = [tc for c in chunks for ch in c.choices for tc in (ch.delta.tool_calls or [])]
    assert calls[0].function.name == "read_file"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.prompt_tokens == 42


def test_simulated_prompt_cache_counts_shared_prefix() -> None:
    history: list[Any] = [{"role": "system", "content": "s" * 8000}]
    with OpenAIServer(simulate_cache=True) as server:
        c = client(server)
        first = c.chat.completions.create(model="m", messages=history)
        second = c.chat.completions.create(model="m", messages=[*history, {"role": "user", "content": "more"}])
    assert first.usage.prompt_tokens_details.cached_tokens == 0
    cached = second.usage.prompt_tokens_details.cached_tokens
    assert cached >= 1024
    assert cached % 128 == 0
    assert cached < second.usage.prompt_tokens
