"""run_command: allow-listed programs, run without a shell, in a sandbox over the workspace.

The allow-list is a policy (which tools the agent is meant to use), not a boundary: a prefix
cannot judge arguments (``git diff --no-index /etc/passwd``). The boundary is the sandbox
(:mod:`prpilot.agent.sandbox`); where none can be made, no command runs at all.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from prpilot.agent.bounds import MAX_BYTES, clip_line
from prpilot.agent.checks import shell_line
from prpilot.agent.limits import limit_hit
from prpilot.agent.sandbox import Sandbox
from prpilot.agent.workspace import ToolError, Workspace
from prpilot.command_limits import DEFAULT_LIMITS, CommandLimits

_HEAD_LINES = 100
_TAIL_LINES = 300
_LEAST_SECONDS = 1.0  # less time than this left under max-minutes: no command starts


@dataclass(frozen=True)
class CommandPolicy:
    """Which commands the agent may run: argv prefixes such as ``pytest`` or ``npm test``.

    ``env`` is the environment the runner started prpilot with: the sandbox takes PATH and the
    locale from it, and learns where the runner's private places are; no variable is passed on.
    ``deadline`` (``time.monotonic()``) is when max-minutes runs out: no command runs past it.
    """

    prefixes: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 300.0
    network: bool = False
    deadline: float | None = None
    checks: tuple[str, ...] = ()  # the verify lines: run exactly as written, by a shell, like the engine runs them
    limits: CommandLimits = DEFAULT_LIMITS

    def allows(self, argv: Sequence[str]) -> bool:
        """Whether ``argv`` starts with one of the allowed prefixes, word for word."""
        for prefix in self.prefixes:
            words = shlex.split(prefix)
            if words and list(argv[: len(words)]) == words:
                return True
        return False

    def time_for_a_command(self) -> float:
        """Seconds the next command may take: its own timeout, cut to what is left of max-minutes."""
        if self.deadline is None:
            return self.timeout
        return min(self.timeout, self.deadline - time.monotonic())


def unavailable(problem: str) -> str:
    """What the model (and the log) is told when no sandbox can be made: commands are refused."""
    return (
        "run_command is unavailable on this runner: prpilot runs commands only inside a sandbox, and none "
        f"could be made ({problem}). Finish the task without running commands."
    )


def run_command(ws: Workspace, policy: CommandPolicy, command: str, sandbox: Sandbox) -> str:
    """Run ``command`` in ``sandbox`` if the policy allows it; answer its exit code and (bounded) output."""
    line = command.strip()
    argv = shell_line(line) if line in policy.checks else _allowed_argv(policy, command)
    if sandbox.problem:
        raise ToolError(unavailable(sandbox.problem))
    if sandbox.which(argv[0]) is None:
        raise ToolError(f"{argv[0]!r} is not installed where commands run (PATH: {sandbox.path})")
    seconds = policy.time_for_a_command()
    if seconds < _LEAST_SECONDS:
        raise ToolError("no time is left under max-minutes to run a command; finish with what you have")
    ran = sandbox.run(argv, timeout=seconds)
    output = _bound(ran.output.decode("utf-8", "replace"))
    if ran.timed_out:
        why = " (what was left of max-minutes)" if seconds < policy.timeout else ""
        stopped = f"timed out after {seconds:.3g} s{why} and was stopped, with every process it started"
        return f"{stopped}\n{output}".rstrip()
    hit = limit_hit(ran.exit_code, output) if ran.exit_code != 0 else ""
    if hit:  # an error result the model sees: it can do with less, or say what it needs
        raise ToolError(f"exit code {ran.exit_code}: the command ran into its {hit} limit (command-limits: "
                        f"{policy.limits.describe()}); do the work in smaller parts\n{output}".rstrip())
    return f"exit code {ran.exit_code}\n{output}".rstrip()


def _allowed_argv(policy: CommandPolicy, command: str) -> list[str]:
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ToolError(f"could not parse the command: {exc}") from exc
    if not argv:
        raise ToolError("give a command to run")
    if not policy.allows(argv):
        allowed = [repr(p) for p in policy.prefixes] + [f"exactly {c!r}" for c in policy.checks]
        raise ToolError(f"{argv[0]!r} is not allowed; commands must start with one of: {', '.join(allowed)}")
    return argv


def _bound(output: str) -> str:
    """Keep the head and the tail of long output: errors and summaries are usually at the end."""
    lines = [clip_line(line) for line in output.splitlines()]
    if len(lines) > _HEAD_LINES + _TAIL_LINES:
        omitted = len(lines) - _HEAD_LINES - _TAIL_LINES
        lines = [*lines[:_HEAD_LINES], f"[... {omitted} lines omitted ...]", *lines[-_TAIL_LINES:]]
    text = "\n".join(lines)
    if len(text) > MAX_BYTES:
        half = MAX_BYTES // 2
        text = f"{text[:half]}\n[... {len(text) - 2 * half} characters omitted ...]\n{text[-half:]}"
    return text
