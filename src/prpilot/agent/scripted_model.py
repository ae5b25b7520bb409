"""A scripted ChatModel for tests and library users: answers fixed replies in order, records every call.

It ships beside the real adapter (``openai_model``) so unit tests and library users share one
deterministic model instead of writing their own; the end-to-end tests use the scripted
OpenAI-compatible *server* of ``prpilot.testing`` instead, to cross real sockets.
"""

from __future__ import annotations

from typing import Any

from prpilot.agent.model import ModelReply, ToolCall, assistant_message
from prpilot.task import Usage

DEFAULT_USAGE = Usage(prompt_tokens=100, cached_tokens=10, completion_tokens=5, calls=1)


def scripted_reply(content: str = "", *calls: ToolCall | tuple[str, str], usage: Usage = DEFAULT_USAGE) -> ModelReply:
    """A reply as the API would give it: ``content`` and tool calls given as ToolCall or (name, arguments)."""
    tool_calls = [
        call if isinstance(call, ToolCall) else ToolCall(id=f"call_{index}", name=call[0], arguments=call[1])
        for index, call in enumerate(calls)
    ]
    return ModelReply(assistant_message(content, tool_calls), content, tool_calls, usage)


class ScriptedChatModel:
    """Answer the scripted replies (or raise the scripted errors) in order, then ``then`` forever."""

    def __init__(self, *replies: ModelReply | Exception, then: ModelReply | None = None) -> None:
        self.replies = list(replies)
        self.then = then or scripted_reply("done")
        self.calls: list[list[dict[str, Any]]] = []  # the messages of each call, as sent
        self.tools: list[list[dict[str, Any]]] = []  # the tools offered on each call

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
        self.calls.append(list(messages))
        self.tools.append(tools)
        answer = self.replies.pop(0) if self.replies else self.then
        if isinstance(answer, Exception):
            raise answer
        return answer
