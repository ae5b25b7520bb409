"""OpenAIChatModel against the scripted OpenAI-compatible server, through the real openai client."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from prpilot.agent.loop import AgentLimits, run_agent
from prpilot.agent.model import ToolCall, assistant_message
from prpilot.agent.openai_model import OpenAIChatModel, endpoint_unavailable, tls_context_for
from prpilot.agent.tools import Toolbox
from prpilot.agent.workspace import Workspace
from prpilot.errors import ModelError
from prpilot.task import Usage
from prpilot.testing._http import HTTPRequest, HTTPResponse, LocalServer
from prpilot.testing.openai_server import OpenAIServer, always_error, error, never_stops, text, tool, tools

MESSAGES = [{"role": "user", "content": "fix the bug"}]
TOOLS = [{"type": "function", "function": {"name": "read_file", "parameters": {"type": "object", "properties": {}}}}]


class Sleeps:
    """Records backoff sleeps instead of sleeping."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def model_for(server: OpenAIServer, sleeps: Sleeps | None = None, **kwargs: object) -> OpenAIChatModel:
    options: dict[str, object] = {"retry_delay": 0.01, "timeout": 5.0}
    options.update(kwargs)
    return OpenAIChatModel(
        server.base_url,
        str(options.pop("api_key", "sk-test")),
        "gpt-4.1-mini",
        sleep=sleeps or Sleeps(),
        **options,  # type: ignore[arg-type]
    )


def test_usage_including_cached_tokens_comes_from_the_api(openai_server: OpenAIServer) -> None:
    openai_server.script(text("hello", prompt_tokens=2048, cached_tokens=1536, completion_tokens=9))
    reply = model_for(openai_server).complete(MESSAGES, TOOLS)
    assert reply.content == "hello"
    assert reply.tool_calls == []
    assert reply.usage == Usage(prompt_tokens=2048, cached_tokens=1536, completion_tokens=9, calls=1)
    assert reply.message == {"role": "assistant", "content": "hello"}
    assert openai_server.requests[0]["tools"] == TOOLS
    assert openai_server.requests[0]["model"] == "gpt-4.1-mini"


def test_tool_calls_are_parsed(openai_server: OpenAIServer) -> None:
    openai_server.script(tools([("read_file", {"path": "a.py"}), ("list_files", "{bad")], content="looking"))
    reply = model_for(openai_server).complete(MESSAGES, TOOLS)
    assert reply.tool_calls == [
        ToolCall("call_0_0", "read_file", '{"path": "a.py"}'),
        ToolCall("call_0_1", "list_files", "{bad"),
    ]
    assert reply.content == "looking"
    assert reply.message["tool_calls"][1]["function"] == {"name": "list_files", "arguments": "{bad"}


def test_no_tools_means_no_tools_field(openai_server: OpenAIServer) -> None:
    model_for(openai_server).complete(MESSAGES, [])
    assert "tools" not in openai_server.requests[0]
    assert "tool_choice" not in openai_server.requests[0]


def test_offered_tools_come_with_tool_choice_auto(openai_server: OpenAIServer) -> None:
    """llama-cpp-python's function-calling format reads a missing tool_choice as "no tools"."""
    model_for(openai_server).complete(MESSAGES, TOOLS)
    assert openai_server.requests[0]["tool_choice"] == "auto"


def test_an_assistant_tool_call_without_text_has_empty_string_content() -> None:
    """A null content makes llama-cpp-python answer 500 on every call after the first tool call."""
    message = assistant_message("", [ToolCall("call_1", "list_files", "{}")])
    assert message["content"] == ""
    assert assistant_message("", [])["content"] == ""


def test_rate_limit_then_success_is_retried(openai_server: OpenAIServer) -> None:
    sleeps = Sleeps()
    openai_server.script(error(429), error(429, retry_after=0.02), text("ok", prompt_tokens=10, completion_tokens=2))
    reply = model_for(openai_server, sleeps).complete(MESSAGES, TOOLS)
    assert reply.content == "ok"
    assert reply.usage == Usage(prompt_tokens=10, completion_tokens=2, calls=1)
    assert len(openai_server.calls) == 3
    assert sleeps.seconds == [0.01, 0.02]  # backoff, then the server's retry-after


@pytest.mark.parametrize("status", [500, 503])
def test_persistent_server_errors_become_a_plain_model_error(openai_server: OpenAIServer, status: int) -> None:
    openai_server.set_policy(always_error(status))
    sleeps = Sleeps()
    with pytest.raises(ModelError) as caught:
        model_for(openai_server, sleeps, max_retries=2).complete(MESSAGES, TOOLS)
    phrase = {500: "Internal Server Error", 503: "Service Unavailable"}[status]
    assert caught.value.message == (
        f"The model endpoint (127.0.0.1:{openai_server.base_url.split(':')[2].split('/')[0]}) answered "
        f"{status} {phrase} three times; giving up. The server said: scripted error {status}"
    )
    assert len(openai_server.calls) == 3
    assert sleeps.seconds == [0.01, 0.02]


def test_a_5xx_names_the_servers_own_error_text(openai_server: OpenAIServer) -> None:
    """What llama-cpp-python answered to a null content: the message must not be lost to "overloaded"."""
    said = "1 validation error for ChatCompletionRequestAssistantMessage\ncontent\n  Input should be a valid string"
    openai_server.set_policy(lambda _body, _index: error(500, said))
    with pytest.raises(ModelError) as caught:
        model_for(openai_server, max_retries=1).complete(MESSAGES, TOOLS)
    assert caught.value.message.endswith(
        "answered 500 Internal Server Error twice; giving up. The server said: 1 validation error for "
        "ChatCompletionRequestAssistantMessage content Input should be a valid string"
    )
    assert "overloaded" not in caught.value.message


def raw_server(status: int, body: bytes, content_type: str) -> LocalServer:
    """A listener answering every request with ``status`` and ``body`` as is (bodies no OpenAI server sends)."""

    def handle(_request: HTTPRequest) -> HTTPResponse:
        return HTTPResponse(status=status, body=body, headers={"content-type": content_type})

    server = LocalServer(handle)
    server.start()
    return server


@pytest.mark.parametrize(
    ("status", "body", "content_type", "expected"),
    [
        (
            422,
            json.dumps({"detail": [{"loc": ["body", "messages", 2, "content"], "msg": "Input should be a valid string",
                                   "input": None}]}).encode(),
            "application/json",
            "rejected the request (422 Unprocessable Entity): body.messages.2.content: Input should be a valid string.",
        ),
        (
            502,
            b"<html><body><h1>502 Bad Gateway</h1> upstream\n timed out</body></html>",
            "text/html",
            "answered 502 Bad Gateway once; giving up. The server said: <html><body><h1>502 Bad Gateway</h1> "
            "upstream timed out</body></html>",
        ),
        (
            404,
            json.dumps({"detail": "Not Found"}).encode(),
            "application/json",
            "has no model 'gpt-4.1-mini' or no chat-completions route (404 Not Found: Not Found); "
            "check the model and openai-base-url inputs.",
        ),
        (
            422,
            json.dumps({"detail": [{"loc": 5, "msg": "odd"}]}).encode(),  # a malformed detail is still words
            "application/json",
            "rejected the request (422 Unprocessable Entity): odd.",
        ),
        (
            503,
            b"",
            "text/plain",
            "answered 503 Service Unavailable once; giving up. It may be overloaded or down: try again later.",
        ),
    ],
)
def test_every_failure_quotes_whatever_the_server_said(
    status: int, body: bytes, content_type: str, expected: str
) -> None:
    server = raw_server(status, body, content_type)
    try:
        model = OpenAIChatModel(f"{server.url}/v1", "sk-test", "gpt-4.1-mini", max_retries=0, sleep=Sleeps())
        with pytest.raises(ModelError) as caught:
            model.complete(MESSAGES, TOOLS)
    finally:
        server.stop()
    assert caught.value.message == f"The model endpoint (127.0.0.1:{server.port}) {expected}"


@pytest.mark.parametrize("retry_after", ["nan", "inf", "-1", "soon"])
def test_a_retry_after_that_says_nothing_usable_falls_back_to_the_backoff(retry_after: str) -> None:
    def handle(_request: HTTPRequest) -> HTTPResponse:
        return HTTPResponse(status=429, body=b'{"error": {"message": "slow down"}}',
                            headers={"content-type": "application/json", "retry-after": retry_after})

    server = LocalServer(handle)
    server.start()
    sleeps = Sleeps()
    try:
        model = OpenAIChatModel(f"{server.url}/v1", "sk-test", "gpt-4.1-mini", max_retries=2, sleep=sleeps)
        with pytest.raises(ModelError, match="slow down"):
            model.complete(MESSAGES, TOOLS)
    finally:
        server.stop()
    assert sleeps.seconds
    assert all(0 <= seconds < 120 for seconds in sleeps.seconds)  # time.sleep(nan) would raise


def test_a_server_echoing_the_key_does_not_put_it_in_the_message() -> None:
    server = raw_server(400, json.dumps({"error": {"message": "bad key sk-secret-123456 here"}}).encode(),
                        "application/json")
    try:
        model = OpenAIChatModel(f"{server.url}/v1", "sk-secret-123456", "m", max_retries=0, sleep=Sleeps())
        with pytest.raises(ModelError) as caught:
            model.complete(MESSAGES, TOOLS)
    finally:
        server.stop()
    assert caught.value.message.endswith("rejected the request (400 Bad Request): bad key *** here.")


def test_a_refused_key_is_not_retried() -> None:
    with OpenAIServer(api_key="sk-right") as server:
        with pytest.raises(ModelError, match="401 Unauthorized: the OpenAI API key was refused") as caught:
            model_for(server, api_key="sk-wrong").complete(MESSAGES, TOOLS)
        assert len(server.rejected) == 1
        assert caught.value.message.endswith("(the server said: Incorrect API key provided.).")
        assert "sk-wrong" not in caught.value.message


def test_a_bad_request_is_not_retried(openai_server: OpenAIServer) -> None:
    openai_server.script(error(400, "context_length_exceeded: too long"))
    with pytest.raises(ModelError, match=r"rejected the request \(400 Bad Request\): context_length_exceeded"):
        model_for(openai_server).complete(MESSAGES, TOOLS)
    assert len(openai_server.calls) == 1


def test_a_timeout_is_retried_then_reported(openai_server: OpenAIServer) -> None:
    openai_server.set_policy(lambda _body, _index: text("late").after(1.0))
    with pytest.raises(ModelError, match=r"did not answer within 0.2 s twice; giving up"):
        model_for(openai_server, timeout=0.2, max_retries=1).complete(MESSAGES, TOOLS)


def test_an_unreachable_endpoint() -> None:
    server = OpenAIServer().start()
    url = server.base_url
    server.stop()
    model = OpenAIChatModel(url, "sk", "m", max_retries=0, sleep=Sleeps())
    with pytest.raises(ModelError, match="could not be reached"):
        model.complete(MESSAGES, TOOLS)


def test_a_missing_key_for_openai_itself() -> None:
    with pytest.raises(ModelError, match="No OpenAI API key was given"):
        OpenAIChatModel("", "", "gpt-4.1-mini")


def test_the_loop_over_the_real_client(openai_server: OpenAIServer, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("hello\n")
    openai_server.script(tool("read_file", {"path": "README.md"}, prompt_tokens=100, completion_tokens=5))
    openai_server.set_policy(never_stops())
    outcome = run_agent(
        model_for(openai_server),
        Toolbox(Workspace(tmp_path)),
        [{"role": "user", "content": "go"}],
        AgentLimits(max_steps=3, max_seconds=60),
        lambda usage: Decimal(usage.prompt_tokens) / 1_000_000,
    )
    assert outcome.stop_reason == "max_steps"
    assert len(openai_server.calls) == 3
    assert outcome.usage == openai_server.total_usage()
    last = openai_server.calls[-1].messages
    assert last[-1]["role"] == "tool"
    assert "hello" in last[-1]["content"]
    assert json.loads(last[-2]["tool_calls"][0]["function"]["arguments"]) == {"path": "README.md"}
    assert last[-2]["content"] == ""  # sent as a string, never null


def test_the_agent_modules_do_not_import_openai() -> None:
    code = (
        "import sys, prpilot.agent.loop, prpilot.agent.prompt, prpilot.agent.title, prpilot.agent.openai_model; "
        "print('openai' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_plain_http_endpoint_loads_no_ca_bundle_yet_fails_closed_on_tls() -> None:
    context = tls_context_for("http://10.0.0.5:8000/v1")

    assert context is not None
    assert context.cert_store_stats()["x509_ca"] == 0  # nothing loaded: no TLS is spoken
    assert context.verify_mode is ssl.CERT_REQUIRED  # a redirect to https could not go unverified
    assert context.check_hostname


@pytest.mark.parametrize("base_url", ["https://api.openai.com/v1", "", "https://llm.internal/v1"])
def test_https_endpoints_keep_the_clients_verifying_default(base_url: str) -> None:
    assert tls_context_for(base_url) is None


# --- answers that are no reply, and replies of odd shapes (an audit of 2026-12-08) --------------------

def _raw_model(body: bytes, content_type: str = "application/json", api: str = "chat-completions") -> Any:
    server = LocalServer(lambda _r: HTTPResponse(200, body, {"content-type": content_type}))
    server.start()
    model = OpenAIChatModel(f"{server.url}/v1", "sk-test", "m", max_retries=0, sleep=lambda _s: None, timeout=5,
                            api=api)
    return server, model


def _completion(message: object, usage: object) -> bytes:
    return json.dumps({"id": "x", "object": "chat.completion", "created": 1, "model": "m", "usage": usage,
                       "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}).encode()


USAGE = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
TEXT = {"role": "assistant", "content": "hi"}


@pytest.mark.parametrize(("body", "content_type", "api"), [
    (b"<html><body>Sign in to the proxy</body></html>", "text/html", "chat-completions"),  # AttributeError
    (b"", "application/json", "chat-completions"),  # JSONDecodeError
    (b"[]", "application/json", "chat-completions"),  # AttributeError: 'list' object has no attribute 'choices'
    (_completion(None, USAGE), "application/json", "chat-completions"),  # AttributeError ... 'tool_calls'
    (json.dumps({"id": "r", "object": "response", "status": "completed", "output": None}).encode(),
     "application/json", "responses"),  # TypeError: 'NoneType' object is not iterable
    (json.dumps({"id": "r", "object": "response", "status": "failed", "error": "boom", "output": []}).encode(),
     "application/json", "responses"),  # AttributeError: 'str' object has no attribute 'message'
], ids=["html", "empty", "json-list", "message-null", "responses-output-null", "responses-error-string"])
def test_an_answer_that_is_no_reply_is_a_model_error_naming_the_endpoint(
        body: bytes, content_type: str, api: str) -> None:
    """A 200 whose body is not the API's shape (a proxy's page, a list, no message, no output) once raised
    AttributeError or TypeError out of complete(): an internal error on the thread. It is a ModelError naming
    the endpoint, counted as a call of unknown usage, and a fallback model may answer instead."""
    server, model = _raw_model(body, content_type, api)
    try:
        with pytest.raises(ModelError) as caught:
            model.complete(MESSAGES, TOOLS)
    finally:
        server.stop()
    assert "127.0.0.1" in caught.value.message  # names the endpoint, as every other model failure does
    assert caught.value.unknown_calls == 1
    assert endpoint_unavailable(caught.value)


@pytest.mark.parametrize(("usage", "expected"), [
    ({"completion_tokens": 5}, Usage(unknown_calls=1)),  # a count missing
    ({"prompt_tokens": 1.5, "completion_tokens": 5}, Usage(unknown_calls=1)),  # not a whole number
    ({"prompt_tokens": -80_000, "completion_tokens": 5}, Usage(unknown_calls=1)),  # below zero: it would lower the sum
    (USAGE, Usage(prompt_tokens=10, completion_tokens=5, calls=1)),
], ids=["missing", "fractional", "negative", "whole"])
def test_a_usage_that_says_nothing_reliable_makes_the_call_one_of_unknown_usage(usage: object, expected: Usage) -> None:
    server, model = _raw_model(_completion(TEXT, usage))
    try:
        reply = model.complete(MESSAGES, TOOLS)
    finally:
        server.stop()
    assert reply.content == "hi"
    assert reply.usage == expected


@pytest.mark.parametrize(("message", "content"), [
    ({"role": "assistant", "content": [{"type": "text", "text": "h"}, {"type": "text", "text": "i"}]}, "hi"),
    ({"role": "assistant", "content": None, "refusal": "I can't help with that."}, "I can't help with that."),
], ids=["content-parts", "refusal"])
def test_content_parts_and_a_refusal_are_the_replys_text(message: dict[str, Any], content: str) -> None:
    server, model = _raw_model(_completion(message, USAGE))
    try:
        reply = model.complete(MESSAGES, TOOLS)
    finally:
        server.stop()
    assert reply.content == content
    assert reply.usage.calls == 1


def test_tool_call_fields_that_are_no_strings_are_read_as_the_strings_the_loop_takes() -> None:
    message = {"role": "assistant", "content": None, "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "read_file", "arguments": {"path": "README.md"}}},
        {"id": "c2", "type": "function", "function": {"name": None, "arguments": None}}]}
    server, model = _raw_model(_completion(message, USAGE))
    try:
        reply = model.complete(MESSAGES, TOOLS)
    finally:
        server.stop()
    assert [(c.name, json.loads(c.arguments or "{}")) for c in reply.tool_calls] == [
        ("read_file", {"path": "README.md"}), ("", {})]

