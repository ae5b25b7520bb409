"""A chat model that hands the conversation to a fallback model when its endpoint keeps failing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from prpilot.agent.model import ChatModel, ModelReply
from prpilot.errors import ModelError
from prpilot.task import Usage


@dataclass
class FallbackChatModel:
    """The primary model until it fails for good, then the fallback, from the same messages on.

    ``gives_way`` says whether a failure (after the primary's own retries) is one another model may
    not share: the endpoint down or overloaded, a timeout, a rate limit, an unknown model. A refused
    key or a bad request fails the task as before. Once switched, every later call (the title's
    too) goes to the fallback. ``usage_by_model`` is what each model's answered calls used.
    """

    primary: ChatModel
    fallback: ChatModel
    primary_name: str
    fallback_name: str
    gives_way: Callable[[ModelError], bool]
    on_switch: Callable[[str], None] | None = None
    notice: str = ""  # what the thread is told, once the fallback took over
    usage_by_model: dict[str, Usage] = field(default_factory=dict)

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
        unknown = 0
        if not self.notice:
            try:
                return self._count(self.primary_name, self.primary.complete(messages, tools))
            except ModelError as exc:
                if not self.gives_way(exc):
                    raise
                unknown = exc.unknown_calls  # the primary's timed-out requests, carried on the fallback's answer
                self.notice = (
                    f"The model `{self.primary_name}` failed ({exc.message.rstrip('.')}), so the fallback model "
                    f"`{self.fallback_name}` took over from there."
                )
                if self.on_switch is not None:
                    self.on_switch(self.notice)
        try:
            reply = self.fallback.complete(messages, tools)
        except ModelError as exc:  # the primary's timed-out requests stay in the bill
            exc.unknown_calls += unknown
            raise
        if unknown:
            reply = replace(reply, usage=reply.usage + Usage(unknown_calls=unknown))
        return self._count(self.fallback_name, reply)

    def _count(self, name: str, reply: ModelReply) -> ModelReply:
        self.usage_by_model[name] = self.usage_by_model.get(name, Usage()) + reply.usage
        return reply
