"""A scripted OpenAI-compatible model on 127.0.0.1 that the real ``openai`` client talks to."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from prpilot.task import Usage
from prpilot.testing._http import HTTPRequest, HTTPResponse, LocalServer, LocalService
from prpilot.testing.openai_replies import (
    Policy,
    Reply,
    ToolCall,
    always_error,
    cached_prefix_tokens,
    error,
    error_body,
    estimate_prompt_tokens,
    finish_reason_of,
    message_of,
    never_stops,
    text,
    tool,
    tools,
    usage_of,
)
from prpilot.testing.openai_responses import error_response, respond_responses

__all__ = [
    "OpenAIServer",
    "Policy",
    "RecordedCall",
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

DONE = text("done")


@dataclass(frozen=True)
class RecordedCall:
    """One request and what the server answered (``usage``, in chat-completions terms, is None for errors).

    ``api`` is the route: ``chat/completions`` or ``responses``.
    """

    index: int
    body: dict[str, Any]
    headers: dict[str, str]
    reply: Reply
    usage: dict[str, Any] | None
    api: str = "chat/completions"

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The ``messages`` sent."""
        return list(self.body.get("messages", []))


class OpenAIServer(LocalService):
    """``POST /v1/chat/completions`` and ``/v1/responses``: scripted replies in order, then ``policy``, then "done".

    ``integration_id`` makes it the Copilot API: routes at the root (``/chat/completions``, ``/responses``,
    ``/models``) and a request without that ``Copilot-Integration-Id`` header is refused (and recorded in
    ``rejected``), as is any bearer but ``api_key``.
    """

    def __init__(
        self,
        replies: Iterable[Reply] = (),
        policy: Policy | None = None,
        api_key: str | None = None,
        simulate_cache: bool = False,
        port: int = 0,
        integration_id: str | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._script: list[Reply] = list(replies)
        self._policy = policy
        self.api_key = api_key
        self.simulate_cache = simulate_cache
        self.integration_id = integration_id
        self.calls: list[RecordedCall] = []
        self.rejected: list[HTTPRequest] = []  # wrong path or key: never reaches the script
        self._server = LocalServer(self._handle, port)


    @property
    def base_url(self) -> str:
        """What to give the ``openai`` client: ``http://127.0.0.1:PORT/v1`` (the root as the Copilot API)."""
        return self._server.url if self.integration_id is not None else f"{self._server.url}/v1"

    # -- scripting -------------------------------------------------------------------------------
    def script(self, *replies: Reply) -> None:
        """Append replies, consumed in order before the policy is asked."""
        with self._lock:
            self._script.extend(replies)

    def set_policy(self, policy: Policy | None) -> None:
        """Answer with ``policy`` once the scripted replies run out."""
        with self._lock:
            self._policy = policy

    def reset(self) -> None:
        """Forget the script, the policy and every recorded call."""
        with self._lock:
            self._script.clear()
            self._policy = None
            self.calls.clear()
            self.rejected.clear()

    # -- inspection ------------------------------------------------------------------------------
    @property
    def requests(self) -> list[dict[str, Any]]:
        """JSON bodies of every call, errors included."""
        return [c.body for c in self.calls]

    @property
    def usages(self) -> list[dict[str, Any]]:
        """Every ``usage`` object returned, in order."""
        return [c.usage for c in self.calls if c.usage is not None]

    def total_usage(self) -> Usage:
        """Sum of prompt, cached and completion tokens over successful replies."""
        total = Usage()
        for u in self.usages:
            total += Usage(
                prompt_tokens=u["prompt_tokens"],
                cached_tokens=u["prompt_tokens_details"]["cached_tokens"],
                completion_tokens=u["completion_tokens"],
                calls=1,
            )
        return total

    # -- HTTP ------------------------------------------------------------------------------------
    def _handle(self, request: HTTPRequest) -> HTTPResponse:
        path = request.path.split("?", 1)[0].rstrip("/")
        prefix = "" if self.integration_id is not None else "/v1"
        if self.api_key is not None and request.header("authorization") != f"Bearer {self.api_key}":
            self.rejected.append(request)
            return HTTPResponse.json(401, error_body(401, "Incorrect API key provided."))
        if self.integration_id is not None and request.header("copilot-integration-id") != self.integration_id:
            self.rejected.append(request)
            return HTTPResponse.json(400, error_body(400, "missing or unknown Copilot-Integration-Id header"))
        if request.method == "GET" and path == f"{prefix}/models":
            return HTTPResponse.json(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})
        api = path.removeprefix(f"{prefix}/")
        if request.method != "POST" or api not in ("chat/completions", "responses") or not path.startswith(prefix):
            self.rejected.append(request)
            return HTTPResponse.json(404, error_body(404, f"no route {request.method} {path}"))
        try:
            body = request.json()
        except ValueError:
            return HTTPResponse.json(400, error_body(400, "body is not JSON"))
        with self._lock:
            index = len(self.calls)
            reply = self._next_reply(body, index)
            cached = cached_prefix_tokens(body, self.requests) if self.simulate_cache else 0
            usage = None if reply.is_error else usage_of(reply, body, cached)
            self.calls.append(RecordedCall(index, body, dict(request.headers), reply, usage, api))
        if api == "responses":
            return respond_responses(reply, body, index, usage)
        return _respond(reply, body, index, usage)

    def _next_reply(self, body: dict[str, Any], index: int) -> Reply:
        if self._script:
            return self._script.pop(0)
        if self._policy is not None:
            return self._policy(body, index) or DONE
        return DONE


def _respond(reply: Reply, body: Mapping[str, Any], index: int, usage: dict[str, Any] | None) -> HTTPResponse:
    headers = {"x-request-id": f"req_{index}", **reply.extra_headers}
    if reply.is_error or usage is None:
        return error_response(reply, headers)
    base = {
        "id": f"chatcmpl-{index}",
        "created": int(time.time()),
        "model": body.get("model", "scripted"),
        "system_fingerprint": None,
    }
    if body.get("stream"):
        return _stream(reply, base, index, usage, headers)
    choice = {
        "index": 0,
        "message": message_of(reply, index),
        "finish_reason": finish_reason_of(reply),
        "logprobs": None,
    }
    payload = {**base, "object": "chat.completion", "choices": [choice], "usage": usage}
    response = HTTPResponse.json(200, payload, headers)
    response.delay = reply.delay
    return response


def _stream(
    reply: Reply, base: dict[str, Any], index: int, usage: dict[str, Any], headers: dict[str, str]
) -> HTTPResponse:
    """Server-sent events: one delta with the whole message, a finish chunk, then usage if asked for."""
    message = message_of(reply, index)
    delta: dict[str, Any] = {"role": "assistant", "content": message["content"]}
    if "tool_calls" in message:
        delta["tool_calls"] = [{"index": i, **c} for i, c in enumerate(message["tool_calls"])]
    chunk = {**base, "object": "chat.completion.chunk"}
    events = [
        {**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]},
        {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason_of(reply)}]},
        {**chunk, "choices": [], "usage": usage},
    ]
    parts = [f"data: {json.dumps(e)}\n\n".encode() for e in events] + [b"data: [DONE]\n\n"]
    return HTTPResponse(200, headers={**headers, "content-type": "text/event-stream"}, delay=reply.delay, stream=parts)
