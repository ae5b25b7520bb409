"""The project's own checks: ``setup`` and ``verify`` command lines, each run by ``sh -c`` in the sandbox.

The lines are the maintainer's (action inputs), so a shell is fine; the boundary is the sandbox
(:mod:`prpilot.agent.sandbox`): the workspace is all a line can change, and nothing of the
runner's it can read. A failure goes back to the agent as a message naming the command, its exit
code and the bounded end of its output (:func:`failure_message`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from prpilot.agent.bounds import clip_line
from prpilot.agent.limits import limit_hit
from prpilot.agent.sandbox import Sandbox
from prpilot.task import CheckRun

TAIL_LINES = 80
TAIL_CHARS = 6000
_LEAST_SECONDS = 1.0


def shell_line(line: str) -> list[str]:
    """The argv that runs one command line as a shell would (pipes, ``&&``, ``cd``)."""
    return ["/bin/sh", "-c", line]  # /bin is always in the sandbox, whatever PATH says


def tail(output: str, *, lines: int = TAIL_LINES, chars: int = TAIL_CHARS) -> str:
    """The end of ``output``: errors and summaries are at the end; what was left out is said."""
    kept = [clip_line(line) for line in output.rstrip().splitlines()]
    text = "\n".join(kept[-lines:])
    if len(text) > chars:
        text = text[-chars:].partition("\n")[2] or text[-chars:]  # from the start of a line where there is one
    left_out = len("\n".join(kept)) - len(text)
    return f"[... {left_out} earlier characters left out ...]\n{text}" if left_out > 0 else text


def run_lines(
    lines: Sequence[str],
    sandbox: Sandbox,
    *,
    seconds_left: Callable[[], float],
    redact: Callable[[str], str],
    stop_at_failure: bool = False,
) -> list[CheckRun]:
    """Run each line in ``sandbox`` from the repository root; ``seconds_left`` bounds each one."""
    runs: list[CheckRun] = []
    for line in lines:
        run = run_line(line, sandbox, seconds_left=seconds_left, redact=redact)
        runs.append(run)
        if stop_at_failure and not run.passed:
            break
    return runs


def run_line(
    line: str, sandbox: Sandbox, *, seconds_left: Callable[[], float], redact: Callable[[str], str]
) -> CheckRun:
    """Run one command line; a sandbox that cannot be made, or no time left, is a failure that says so."""
    if sandbox.problem:
        return CheckRun(command=line, exit_code=None, seconds=0.0,
                        output=f"not run: no sandbox could be made ({sandbox.problem})")
    seconds = seconds_left()
    if seconds < _LEAST_SECONDS:
        return CheckRun(command=line, exit_code=None, seconds=0.0, timed_out=True,
                        output="not run: no time was left under max-minutes")
    started = time.monotonic()
    ran = sandbox.run(shell_line(line), timeout=seconds)
    took = time.monotonic() - started
    output = tail(redact(ran.output.decode("utf-8", "replace")))
    hit = limit_hit(ran.exit_code, output) if ran.exit_code not in (0, None) else ""
    if hit:
        output = f"{output}\n[the command ran into its {hit} limit: see the command-limits input]"
    if ran.timed_out:
        output = f"{output}\n[stopped after {took:.0f} s: max-minutes ran out]".lstrip()
    return CheckRun(command=line, exit_code=ran.exit_code, seconds=took, output=output, timed_out=ran.timed_out)


def describe(run: CheckRun) -> str:
    """How a command ended, in words: "exited with code 1", "timed out after 300 s"."""
    if run.timed_out:
        return f"was stopped after {run.seconds:.0f} s (max-minutes ran out)"
    if run.exit_code is None:
        return "could not run"
    return f"exited with code {run.exit_code}"


def failure_message(runs: Sequence[CheckRun], round_number: int, rounds: int) -> str:
    """What the agent is told when the checks fail: each failing command, its exit code and the end of its output."""
    parts = [f"The project's checks fail on your change (fix round {round_number} of {rounds}):"]
    for run in runs:
        if run.passed:
            continue
        fence = "`" * max(3, _longest_backticks(run.output) + 1)
        parts.append(f"`{run.command}` {describe(run)}. The end of its output:\n{fence}\n{run.output}\n{fence}")
    parts.append(
        "Find the cause and fix it in the code (do not delete, skip or weaken the checks). When you are done, "
        "finish with a short summary of what you changed: the checks then run again."
    )
    return "\n\n".join(parts)


def _longest_backticks(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest
