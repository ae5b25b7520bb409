"""The model port: what the loop needs from a chat model, whatever serves it."""

from __future__ import annotations

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
    API reported for this call (``calls=1``), never an estimate.
    """

    message: dict[str, Any]
    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: Usage = field(default_factory=lambda: Usage(calls=1))


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
