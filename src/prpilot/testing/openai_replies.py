"""Scripted model replies and the pure arithmetic that turns them into OpenAI-shaped answers."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "Policy",
    "Reply",
    "ToolCall",
    "always_error",
    "error",
    "estimate_prompt_tokens",
    "never_stops",
    "text",
    "tool",
    "tools",
]

# What the Copilot API answers a token without `permissions: copilot-requests: write` (403).
COPILOT_FORBIDDEN = "Resource not accessible by integration: the token may not make Copilot requests"

# https://platform.openai.com/docs/guides/error-codes
_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    503: ("server_error", None),
}


@dataclass(frozen=True)
class ToolCall:
    """One function call the model asks for; ``arguments`` is sent verbatim (may be invalid JSON)."""

    name: str
    arguments: str = "{}"


@dataclass(frozen=True)
class Reply:
    """One scripted answer: tool calls and/or text, or an HTTP error; token counts ``None`` are computed."""

    text: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    status: int = 200
    error_message: str = ""
    retry_after: str | None = None
    delay: float = 0.0
    prompt_tokens: int | None = None
    cached_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_error(self) -> bool:
        """Whether this reply is an HTTP error."""
        return self.status >= 400

    def after(self, seconds: float) -> Reply:
        """Return this reply, sent only after ``seconds``."""
        return replace(self, delay=seconds)

    def with_usage(
        self,
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
        cached_tokens: int | None = None,
    ) -> Reply:
        """Return this reply with fixed token counts."""
        return replace(
            self,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cached_tokens=cached_tokens,
        )


Policy = Callable[[dict[str, Any], int], "Reply | None"]
"""``(request_json, call_index) -> Reply``; ``None`` means "the default final text"."""


def text(content: str, **usage: int) -> Reply:
    """A final assistant message."""
    return Reply(text=content).with_usage(**usage)


def tool(name: str, arguments: str | Mapping[str, Any] = "{}", **usage: int) -> Reply:
    """One tool call; a mapping is JSON-encoded, a string is sent as is."""
    return tools([(name, arguments)]).with_usage(**usage)


def tools(calls: Iterable[tuple[str, str | Mapping[str, Any]]], *, content: str | None = None, **usage: int) -> Reply:
    """Several tool calls in one answer, with optional assistant text."""
    made = tuple(ToolCall(n, a if isinstance(a, str) else json.dumps(a)) for n, a in calls)
    return Reply(text=content, tool_calls=made).with_usage(**usage)


def error(status: int, message: str = "", retry_after: float | str | None = None) -> Reply:
    """An HTTP error with an OpenAI-shaped body (429 may carry ``retry-after`` seconds)."""
    return Reply(
        status=status,
        error_message=message or f"scripted error {status}",
        retry_after=None if retry_after is None else str(retry_after),
    )


def never_stops(name: str = "read_file", arguments: str | Mapping[str, Any] = '{"path": "README.md"}') -> Policy:
    """A policy that always answers the same tool call: the agent must stop itself."""
    reply = tool(name, arguments)
    return lambda _request, _index: reply


def always_error(status: int = 500, retry_after: float | str | None = None) -> Policy:
    """A policy that fails every call with ``status``."""
    reply = error(status, retry_after=retry_after)
    return lambda _request, _index: reply


def estimate_prompt_tokens(request: Mapping[str, Any]) -> int:
    """Deterministic prompt size: a quarter of the JSON length of messages and tools, rounded up."""
    return math.ceil(len(_prompt_text(request)) / 4)


def cached_prefix_tokens(request: Mapping[str, Any], earlier: Sequence[Mapping[str, Any]]) -> int:
    """Tokens a prompt cache would hit: the longest shared prefix, in 128-token blocks from 1024 on."""
    # https://platform.openai.com/docs/guides/prompt-caching
    current = _prompt_text(request)
    best = 0
    for other in earlier:
        previous = _prompt_text(other)
        n = min(len(current), len(previous))
        i = next((k for k in range(n) if current[k] != previous[k]), n)
        best = max(best, i)
    tokens = best // 4
    return 0 if tokens < 1024 else tokens - tokens % 128


def _prompt_text(request: Mapping[str, Any]) -> str:
    # Chat Completions sends "messages", the Responses API "input": either is the prompt.
    said = request.get("messages", request.get("input", []))
    return json.dumps({"messages": said, "tools": request.get("tools", [])})


def usage_of(reply: Reply, request: Mapping[str, Any], cached: int = 0) -> dict[str, Any]:
    """The ``usage`` object for ``reply``."""
    prompt = reply.prompt_tokens if reply.prompt_tokens is not None else estimate_prompt_tokens(request)
    if reply.completion_tokens is not None:
        completion = reply.completion_tokens
    else:
        said = (reply.text or "") + "".join(c.name + c.arguments for c in reply.tool_calls)
        completion = max(1, math.ceil(len(said) / 4))
    cached_tokens = reply.cached_tokens if reply.cached_tokens is not None else min(cached, prompt)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cached_tokens, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    }


def message_of(reply: Reply, call_number: int) -> dict[str, Any]:
    """The assistant ``message`` for ``reply``; tool call ids are unique per server and call."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.text, "refusal": None}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_{call_number}_{i}",
                "type": "function",
                "function": {"name": c.name, "arguments": c.arguments},
            }
            for i, c in enumerate(reply.tool_calls)
        ]
    elif reply.text is None:
        message["content"] = ""
    return message


def finish_reason_of(reply: Reply) -> str:
    """``tool_calls`` when the reply calls tools, else ``stop`` (unless scripted)."""
    return reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")


def error_body(status: int, message: str) -> dict[str, Any]:
    """An OpenAI-shaped error body."""
    kind, code = _ERROR_TYPES.get(status, ("server_error", None))
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}
