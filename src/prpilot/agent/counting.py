"""A chat model that tells after every call what the task has used so far, as the API reported it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prpilot.agent.model import ChatModel, ModelReply
from prpilot.errors import ModelError
from prpilot.task import Usage


@dataclass
class CountingModel:
    """Wrap ``inner``; after each answered call, ``on_call`` gets the usage of every call so far.

    The engine checkpoints from here rather than after each agent step, so a process killed while
    a tool runs (a test suite eating the memory) still leaves the usage of the call that asked for it.
    """

    inner: ChatModel
    on_call: Callable[[Usage], None]
    used: Usage = field(default_factory=Usage)

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
        try:
            reply = self.inner.complete(messages, tools)
        except ModelError as exc:  # requests that timed out may have been billed: counted as unknown
            if exc.unknown_calls:
                self.used = self.used + Usage(unknown_calls=exc.unknown_calls)
                self.on_call(self.used)
            raise
        self.used = self.used + reply.usage
        self.on_call(self.used)
        return reply
