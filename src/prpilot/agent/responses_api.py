"""The Responses API (``POST /responses``) in the loop's chat-completions terms: pure translations both ways.

prpilot keeps the conversation as chat messages and calls statelessly (``store: false``, the whole input
every call), so one task can move between the two APIs mid-way. The shapes are OpenAI's API reference
(https://platform.openai.com/docs/api-reference/responses, read 2026-12-07) as typed by the ``openai`` SDK.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from prpilot.agent.model import ModelReply, assistant_message, reported_usage, sent_call
from prpilot.agent.text_tool_calls import native_or_text_calls
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


class ResponseFailed(ValueError):
    """The endpoint's own word that the response failed (``status: failed``), with its reason."""

    def __init__(self, said: str) -> None:
        super().__init__(said)
        self.said = said


def parse_response(response: Response, tool_names: Collection[str] = ()) -> ModelReply:
    """Turn a Responses answer into a ModelReply: its text, its function calls, its usage as reported.

    An answer that is not a Responses reply raises ValueError (or what reading it raised): the
    caller says so in words.
    """
    if response.status == "failed":
        error = response.error
        said = error if isinstance(error, str) else getattr(error, "message", None)
        raise ResponseFailed(said if isinstance(said, str) and said else "no reason given")
    if not isinstance(response.output, list):
        raise ValueError("no output list")
    items: list[Any] = [item for item in response.output if item is not None]
    calls = [sent_call(item.call_id, item.name, item.arguments) for item in items
             if getattr(item, "type", None) == "function_call"]
    content = (response.output_text or "") if items else ""
    if not content:  # a refusal is the model's answer: without it the reply would read as empty
        content = "".join(part.refusal for item in items if getattr(item, "type", None) == "message"
                          for part in (getattr(item, "content", None) or [])
                          if getattr(part, "type", None) == "refusal" and isinstance(part.refusal, str))
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
    details = getattr(usage, "input_tokens_details", None)
    return reported_usage(getattr(usage, "input_tokens", None), getattr(details, "cached_tokens", None),
                          getattr(usage, "output_tokens", None))
