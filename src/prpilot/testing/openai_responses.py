"""The scripted server's ``POST /responses``: a scripted Reply in the Responses API's shape, exact usage included."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from prpilot.testing._http import HTTPResponse
from prpilot.testing.openai_replies import Reply, error_body, finish_reason_of


def error_response(reply: Reply, headers: dict[str, str]) -> HTTPResponse:
    """The error ``reply`` stands for, as both APIs answer it (OpenAI's error body, Retry-After, a delay)."""
    if reply.retry_after is not None:
        headers["retry-after"] = reply.retry_after
    response = HTTPResponse.json(reply.status, error_body(reply.status, reply.error_message), headers)
    response.delay = reply.delay
    return response


def respond_responses(reply: Reply, body: Mapping[str, Any], index: int, usage: dict[str, Any] | None) -> HTTPResponse:
    """The HTTP answer for ``reply``; ``usage`` is in chat-completions terms and is translated exactly."""
    headers = {"x-request-id": f"req_{index}", **reply.extra_headers}
    if reply.is_error or usage is None:
        return error_response(reply, headers)
    output: list[dict[str, Any]] = []
    if reply.text:
        output.append({"type": "message", "id": f"msg_{index}", "role": "assistant", "status": "completed",
                       "content": [{"type": "output_text", "text": reply.text, "annotations": []}]})
    for i, call in enumerate(reply.tool_calls):
        output.append({"type": "function_call", "id": f"fc_{index}_{i}", "call_id": f"call_{index}_{i}",
                       "name": call.name, "arguments": call.arguments, "status": "completed"})
    cut = finish_reason_of(reply) == "length"
    payload = {
        "id": f"resp_{index}",
        "object": "response",
        "created_at": int(time.time()),
        "model": body.get("model", "scripted"),
        "status": "incomplete" if cut else "completed",
        "incomplete_details": {"reason": "max_output_tokens"} if cut else None,
        "error": None,
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": body.get("tool_choice", "auto"),
        "tools": body.get("tools", []),
        "store": body.get("store", True),
        "max_output_tokens": body.get("max_output_tokens"),
        "usage": responses_usage(usage),
    }
    response = HTTPResponse.json(200, payload, headers)
    response.delay = reply.delay
    return response


def responses_usage(usage: Mapping[str, Any]) -> dict[str, Any]:
    """A chat-completions ``usage`` object in the Responses API's terms, token for token."""
    return {
        "input_tokens": usage["prompt_tokens"],
        "input_tokens_details": {"cached_tokens": usage["prompt_tokens_details"]["cached_tokens"]},
        "output_tokens": usage["completion_tokens"],
        "output_tokens_details": {"reasoning_tokens": usage["completion_tokens_details"]["reasoning_tokens"]},
        "total_tokens": usage["total_tokens"],
    }
