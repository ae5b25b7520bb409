"""The Responses API (``POST /responses``) in the loop's chat-completions terms: pure translations both ways.

prpilot keeps the conversation as chat messages and calls statelessly (``store: false``, the whole input
every call), so one task can move between the two APIs mid-way. The shapes are OpenAI's API reference
(https://platform.openai.com/docs/api-reference/responses, read 2026-12-07) as typed by the ``openai`` SDK.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from prpilot.agent.model import ModelReply, ToolCall, assistant_message
from prpilot.agent.text_tool_calls import native_or_text_calls
from prpilot.errors import ModelError
from prpilot.task import Usage

if TYPE_CHECKING:
    from openai.types.responses import Response


def responses_request(
    model: str,
    messages: list[dict[str, Any]],
    tools: list[dict[str, Any]],
    *,
    max_output_tokens: int | None = None,
    reasoning_effort: str = "",
) -> dict[str, Any]:
    """The ``responses.create`` arguments for the chat ``messages`` and chat-format ``tools``."""
    request: dict[str, Any] = {"model": model, "input": input_items(messages), "store": False}
    if tools:
        request["tools"] = [function_tool(tool) for tool in tools if "function" in tool]
        request["tool_choice"] = "auto"
    if max_output_tokens:
        request["max_output_tokens"] = max_output_tokens
    if reasoning_effort:
        request["reasoning"] = {"effort": reasoning_effort}
    return request


def function_tool(tool: dict[str, Any]) -> dict[str, Any]:
    """A chat-completions tool as a Responses function tool (flat, not under ``function``)."""
    function = tool["function"]
    made = {"type": "function", "name": function["name"], "parameters": function.get("parameters", {})}
    if function.get("description"):
        made["description"] = function["description"]
    made["strict"] = False  # prpilot's schemas have optional fields, which strict mode refuses
    return made


def input_items(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chat messages as Responses input items: messages, ``function_call`` and ``function_call_output``."""
    items: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        if role == "tool":
            items.append({"type": "function_call_output", "call_id": message.get("tool_call_id", ""),
                          "output": message.get("content") or ""})
            continue
        content = message.get("content") or ""
        if content:
            items.append({"role": role, "content": content})
        for call in message.get("tool_calls") or []:
            function = call.get("function", {})
            items.append({"type": "function_call", "call_id": call.get("id", ""), "name": function.get("name", ""),
                          "arguments": function.get("arguments") or "{}"})
    return items


def parse_response(response: Response, tool_names: Collection[str] = ()) -> ModelReply:
    """Turn a Responses answer into a ModelReply: its text, its function calls, its usage as reported."""
    if response.status == "failed":
        said = response.error.message if response.error is not None else "no reason given"
        raise ModelError(f"The model endpoint answered that the response failed: {said}")
    calls = [ToolCall(item.call_id, item.name, item.arguments or "") for item in response.output
             if item.type == "function_call"]
    content = response.output_text or ""
    message_content = content
    calls, content = native_or_text_calls(calls, content, tool_names)
    details = response.incomplete_details
    truncated = response.status == "incomplete" and details is not None and details.reason == "max_output_tokens"
    return ModelReply(message=assistant_message(message_content, calls), content=content, tool_calls=calls,
                      usage=_usage(response), truncated=truncated)


def _usage(response: Response) -> Usage:
    # Reasoning tokens are part of output_tokens and billed as output: nothing is added for them.
    usage = response.usage
    if usage is None:
        return Usage(calls=1)
    cached = usage.input_tokens_details.cached_tokens if usage.input_tokens_details else 0
    return Usage(prompt_tokens=usage.input_tokens, cached_tokens=cached or 0,
                 completion_tokens=usage.output_tokens, calls=1)
