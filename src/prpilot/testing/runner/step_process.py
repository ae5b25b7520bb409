"""Run one ``run:`` step the way the Actions runner does: script file, shell template, signals, time limit."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Finished", "Stop", "UnsupportedShell", "run_script", "shell_command"]

# https://docs.github.com/en/actions/reference/workflow-syntax-for-github-actions#jobsjob_idstepsshell
_SHELLS = {
    "bash": ("bash --noprofile --norc -eo pipefail {0}", ".sh"),
    "sh": ("sh -e {0}", ".sh"),
    "python": ("python {0}", ".py"),
}


class UnsupportedShell(ValueError):
    """The step's ``shell:`` is not one the simulator runs."""


@dataclass(frozen=True)
class Stop:
    """When to interrupt the step: a signal at ``cancel_at``, SIGKILL ``grace`` later or at ``deadline``."""

    deadline: float  # time.monotonic()
    cancel_at: float | None = None
    cancel_signal: int = signal.SIGTERM
    grace: float = 10.0
    signal_group: bool = True  # the runner's signal should reach the entrypoint under bash
    # Polled while the step runs: True once the run was cancelled (the fake GitHub's cancel route).
    cancel_requested: Callable[[], bool] | None = None

    def cancelling(self, now: float) -> bool:
        """Whether the job is to be cancelled at ``now``: its cancel time came, or its run was cancelled."""
        if self.cancel_at is not None and now >= self.cancel_at:
            return True
        return self.cancel_requested is not None and self.cancel_requested()


@dataclass(frozen=True)
class Finished:
    """How the step's process ended."""

    exit_code: int
    stdout: str
    stderr: str
    cancelled: bool
    timed_out: bool


def shell_command(shell: str, script: Path) -> list[str]:
    """The argv for ``shell`` (a known name or a template with ``{0}``)."""
    template = _SHELLS[shell][0] if shell in _SHELLS else shell
    if "{0}" not in template:
        raise UnsupportedShell(f"shell {shell!r} is not simulated")
    return [part.replace("{0}", str(script)) for part in template.split()]


def run_script(source: str, shell: str, cwd: Path, env: dict[str, str], temp: Path, stop: Stop) -> Finished:
    """Write ``source`` to a file in ``temp`` and run it under ``shell``."""
    suffix = _SHELLS[shell][1] if shell in _SHELLS else ""
    script = temp / f"{uuid.uuid4()}{suffix}"
    script.write_text(source)
    out_path, err_path = script.with_suffix(".stdout"), script.with_suffix(".stderr")
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            shell_command(shell, script),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        exit_code, cancelled, timed_out = _wait(process, stop)
    return Finished(
        exit_code=exit_code,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
        cancelled=cancelled,
        timed_out=timed_out,
    )


def _wait(process: subprocess.Popen[bytes], stop: Stop) -> tuple[int, bool, bool]:
    cancelled = timed_out = False
    kill_at = stop.deadline
    while True:
        try:
            return process.wait(timeout=0.02), cancelled, timed_out
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        if not cancelled and stop.cancelling(now):
            cancelled = True
            _send(process, stop.cancel_signal, stop.signal_group)
            kill_at = min(kill_at, now + stop.grace)
        if now >= kill_at:
            timed_out = timed_out or not cancelled
            _send(process, signal.SIGKILL, group=True)
            return process.wait(), cancelled, timed_out


def _send(process: subprocess.Popen[bytes], sig: int, group: bool) -> None:
    try:
        if group:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
    except ProcessLookupError:
        pass  # it ended on its own in between
