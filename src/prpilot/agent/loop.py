"""The agent loop, after mini-swe-agent: ``run()`` repeats ``step()``, which is ``execute(query())``.

Limits (cancellation, steps, time, cost) are checked before each model call; usage is added up in
``query()`` and nowhere else. The loop ends through small exceptions carrying the stop reason.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from prpilot.agent.model import ChatModel, ModelReply, parse_arguments
from prpilot.agent.tools import Toolbox
from prpilot.errors import ModelError
from prpilot.task import Usage

StopReason = Literal["done", "max_steps", "timeout", "cost", "cancelled", "error"]

NUDGE = "Reply with a tool call, or finish with a short summary of what you did."
# Said after an answer the output bound cut: it is the model's turn as it stands, not a finished text.
CUT = "\n\n(The model's reply was cut at the max-output-tokens bound; this is its answer as it stood.)"
# One reply may ask for this many tool calls; the rest are refused (and dropped from the history, so a
# reply of thousands of calls cannot swell every later request or the progress comment).
MAX_TOOL_CALLS_PER_REPLY = 20


@dataclass(frozen=True)
class AgentLimits:
    """When the agent must stop: most model calls, wall-clock seconds, USD (None: no cap)."""

    max_steps: int
    max_seconds: float
    max_cost_usd: Decimal | None = None


@dataclass(frozen=True)
class ToolRecord:
    """One tool call in the transcript: which tool, on what, and whether it failed."""

    step: int
    name: str
    summary: str
    is_error: bool = False


@dataclass(frozen=True)
class StepEvent:
    """Reported after each step: for progress comments and logs."""

    step: int
    content: str
    tool_calls: list[ToolRecord]
    usage: Usage  # over the whole run so far
    cost_usd: Decimal
    elapsed_seconds: float


@dataclass
class AgentOutcome:
    """How a run ended, what it cost and what it changed. ``stop_reason`` "error" only on AgentFailed."""

    answer: str
    stop_reason: StopReason
    steps: int
    usage: Usage
    changed_files: list[str] | None  # None when a command ran: it may have changed anything
    transcript: list[ToolRecord] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        """The tool calls as a short Markdown list."""
        return "\n".join(f"- {r.name} {r.summary}{' (failed)' if r.is_error else ''}" for r in self.transcript)


class AgentFailed(ModelError):
    """The model failed mid-run; ``outcome`` keeps what was done and spent until then."""

    def __init__(self, message: str, outcome: AgentOutcome) -> None:
        super().__init__(message)
        self.outcome = outcome


class _Stop(Exception):
    reason: StopReason = "done"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Submitted(_Stop):
    """The model answered without tool calls: its text is the answer."""


class LimitsExceeded(_Stop):
    """A limit was reached before the next model call."""

    def __init__(self, reason: StopReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class _Agent:
    def __init__(
        self,
        model: ChatModel,
        tools: Toolbox,
        messages: list[dict[str, Any]],
        limits: AgentLimits,
        cost_of: Callable[[Usage], Decimal],
        on_step: Callable[[StepEvent], None] | None,
        should_stop: Callable[[], bool] | None,
        clock: Callable[[], float],
    ) -> None:
        self.model, self.tools, self.limits, self.cost_of = model, tools, limits, cost_of
        self.on_step, self.should_stop, self.clock = on_step, should_stop, clock
        self.messages = list(messages)
        self.schemas = tools.schemas()
        self.usage = Usage()
        self.steps = 0
        self.transcript: list[ToolRecord] = []
        self.last_content = ""
        self.started = clock()

    def run(self) -> AgentOutcome:
        while True:
            try:
                self.step()
            except Submitted as stop:
                return self.outcome(stop.message, "done")
            except LimitsExceeded as stop:
                answer = f"{stop.message}\n\n{self.last_content}".strip()
                return self.outcome(answer, stop.reason)
            except ModelError as exc:
                raise AgentFailed(exc.message, self.outcome(exc.message, "error")) from exc

    def step(self) -> None:
        self.execute(self.query())

    def check_limits(self) -> None:
        if self.should_stop is not None and self.should_stop():
            raise LimitsExceeded("cancelled", "Stopped: the job was cancelled.")
        if self.steps >= self.limits.max_steps:
            raise LimitsExceeded("max_steps", f"Stopped: reached the limit of {self.limits.max_steps} model calls.")
        if self.clock() - self.started >= self.limits.max_seconds:
            minutes = self.limits.max_seconds / 60
            raise LimitsExceeded("timeout", f"Stopped: reached the time limit of {minutes:g} minutes.")
        cap = self.limits.max_cost_usd
        if cap is not None and self.cost_of(self.usage) >= cap:
            raise LimitsExceeded("cost", f"Stopped: reached the cost cap of ${cap}.")

    def query(self) -> ModelReply:
        self.check_limits()
        try:
            reply = self.model.complete(self.messages, self.schemas)
        except ModelError as exc:  # its timed-out requests may still be billed: kept as unknown usage
            self.usage = self.usage + Usage(unknown_calls=exc.unknown_calls)
            raise
        self.usage = self.usage + reply.usage  # the one sum of a run's usage; the engine hands it to Meter.add
        self.steps += 1
        self.messages.append(reply.message)
        return reply

    def execute(self, reply: ModelReply) -> None:
        if reply.content.strip():
            self.last_content = reply.content.strip()
        if not reply.tool_calls:
            self.report(reply, [])
            if not reply.content.strip():
                self.messages.append({"role": "user", "content": NUDGE})
                return None
            raise Submitted(reply.content.strip() + (CUT if reply.truncated else ""))
        calls = reply.tool_calls[:MAX_TOOL_CALLS_PER_REPLY]
        refused = len(reply.tool_calls) - len(calls)
        in_history = reply.message if self.messages and self.messages[-1] is reply.message else {}
        if refused and in_history:
            kept = {call.id for call in calls}
            in_history["tool_calls"] = [c for c in in_history.get("tool_calls", []) if c.get("id") in kept]
        self.tools.deadline = self.deadline()
        records = []
        for number, call in enumerate(calls, 1):
            result = self.tools.call(call.name, call.arguments)
            output = result.output
            if refused and number == len(calls):
                output += (f"\n\n[{refused} more tool calls in this reply were refused: at most "
                           f"{MAX_TOOL_CALLS_PER_REPLY} per reply. Ask for them in your next reply.]")
            self.messages.append({"role": "tool", "tool_call_id": call.id, "content": output})
            records.append(ToolRecord(self.steps, call.name, self.describe(call.arguments), result.is_error))
            if result.is_error and len(call.arguments) > _MAX_REFUSED_ARGUMENT_CHARS:
                _elide_arguments(in_history, call.id, len(call.arguments))
        self.transcript.extend(records)
        return self.report(reply, records)

    def deadline(self) -> float:
        """When the tools must have stopped, on time.monotonic's scale (what is left of max-minutes)."""
        left = self.limits.max_seconds - (self.clock() - self.started)
        return time.monotonic() + max(0.0, left)

    def report(self, reply: ModelReply, records: list[ToolRecord]) -> None:
        if self.on_step is not None:
            elapsed = self.clock() - self.started
            cost = self.cost_of(self.usage)
            self.on_step(StepEvent(self.steps, reply.content, records, self.usage, cost, elapsed))

    def describe(self, arguments: str) -> str:
        """The argument that says what a call was about (path, pattern or command), shortened."""
        args = parse_arguments(arguments)
        if not isinstance(args, dict):
            return "(invalid arguments)"
        subject = next((str(args[k]) for k in ("path", "pattern", "command") if k in args), "")
        subject = self.tools.workspace.redact(" ".join(subject.split())).replace("`", "'")
        if len(subject) > 80:
            subject = subject[:77] + "..."
        return f"`{subject}`" if subject else ""

    def outcome(self, answer: str, reason: StopReason) -> AgentOutcome:
        return AgentOutcome(
            answer=answer,
            stop_reason=reason,
            steps=self.steps,
            usage=self.usage,
            changed_files=self.tools.changed_files,
            transcript=list(self.transcript),
            messages=self.messages,
        )


# A refused call's arguments longer than this are dropped from the history: every later request would
# carry them again (a refused 3 MB write would cost 3 MB of prompt on each remaining call).
_MAX_REFUSED_ARGUMENT_CHARS = 20_000


def _elide_arguments(message: dict[str, Any], call_id: str, size: int) -> None:
    for entry in message.get("tool_calls", []):
        if entry.get("id") == call_id:
            note = f"{size:,} characters of arguments left out: the call was refused"
            entry["function"]["arguments"] = json.dumps({"elided": note})


def run_agent(
    model: ChatModel,
    tools: Toolbox,
    messages: list[dict[str, Any]],
    limits: AgentLimits,
    cost_of: Callable[[Usage], Decimal],
    on_step: Callable[[StepEvent], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    should_stop: Callable[[], bool] | None = None,
) -> AgentOutcome:
    """Let ``model`` work with ``tools`` until it answers or a limit stops it.

    A model failure raises AgentFailed (a ModelError) whose ``outcome`` holds the usage so far.
    """
    return _Agent(model, tools, messages, limits, cost_of, on_step, should_stop, clock).run()
