"""The model port: what the loop needs from a chat model, whatever serves it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from prpilot.task import Usage


class ToolCall(NamedTuple):
    """One tool call the model asked for; ``arguments`` is the JSON string as the model wrote it."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class ModelReply:
    """One answer of the model.

    ``message`` is the assistant message ready to append to the conversation; ``usage`` is what the
    API reported for this call (``calls=1``), never an estimate. ``truncated``: the reply was cut at
    the output bound (``max-output-tokens``) and is the model's turn as it stands.
    """

    message: dict[str, Any]
    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: Usage = field(default_factory=lambda: Usage(calls=1))
    truncated: bool = False


class ChatModel(Protocol):
    """A chat-completions model with tool calling. Raises prpilot.errors.ModelError when it fails."""

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply: ...


def assistant_message(content: str, tool_calls: list[ToolCall]) -> dict[str, Any]:
    """Build the assistant message of the chat-completions format for ``content`` and ``tool_calls``.

    Empty content is ``""``, never null: OpenAI accepts either, but some servers (llama-cpp-python's)
    answer 500 to a null content, which broke every call after the first tool call.
    """
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}} for c in tool_calls
        ]
    return message


def sent_call(call_id: object, name: object, arguments: object) -> ToolCall:
    """A tool call as an endpoint sent it, each field the string the loop reads.

    Some servers send the arguments as a JSON object rather than its text, or a null name: the
    object becomes its JSON, a missing field an empty string (the toolbox then answers in words).
    """
    if isinstance(arguments, (dict, list)):
        arguments = json.dumps(arguments)
    return ToolCall("" if call_id is None else str(call_id), "" if name is None else str(name),
                    "" if arguments is None else str(arguments))


def sent_text(content: object) -> str:
    """A message's content as text: a string, or the text parts of a list (as some servers send it)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            text = part.get("text") if isinstance(part, dict) else getattr(part, "text", None)
            if isinstance(text, str):
                texts.append(text)
        return "".join(texts)
    raise ValueError(f"a message content of type {type(content).__name__}")


def reported_usage(prompt: object, cached: object, completion: object) -> Usage:
    """One answered call's usage as the endpoint reported it.

    A count that is missing, not a whole number, or below zero says nothing reliable: the call is
    then of unknown usage (as one that timed out), never a count that would lower the others' sum.
    """
    counts = [prompt, completion, 0 if cached is None else cached]
    if not all(isinstance(count, int) and not isinstance(count, bool) and count >= 0 for count in counts):
        return Usage(unknown_calls=1)
    return Usage(prompt_tokens=counts[0], cached_tokens=counts[2], completion_tokens=counts[1], calls=1)


_MAX_ARGUMENT_CHARS = 4_000_000  # above write_file's cap with room for JSON escapes
_MAX_NESTING = 64  # tool arguments are flat objects; deep nesting is only ever an attack on the parser
_STRINGS = re.compile(r'"(?:[^"\\]++|\\.)*+"')
_BRACKETS = re.compile(r"[\[\]{}]")


def parse_arguments(arguments: str) -> object:
    """A tool call's JSON arguments, or None when they are invalid, too large or nested too deep.

    Bounded before parsing: ``json.loads`` recurses once per level, so ``[`` nested 100,000 deep
    would raise RecursionError out of the loop.
    """
    text = arguments or "{}"
    if len(text) > _MAX_ARGUMENT_CHARS or nesting_depth(text) > _MAX_NESTING:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def nesting_depth(text: str) -> int:
    """The deepest nesting of JSON arrays and objects in ``text`` (brackets inside strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest
