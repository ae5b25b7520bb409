"""Resource limits on everything the agent runs: rlimits through ``prlimit``, sized tmpfs through bwrap.

Cgroups would bound a sandbox as a whole, but a GitHub-hosted runner's job has no delegated cgroup and
no user systemd to ask (``systemd-run --user --scope``); rlimits need neither: set on bwrap through
util-linux's ``prlimit`` (installed wherever bwrap is, util-linux being essential on Debian and Ubuntu),
every process inside inherits them. They bound each process (CPU seconds, memory, open files, the size
of one file) and the user's process count. ``man 2 setrlimit``, ``man 1 prlimit``.
"""

from __future__ import annotations

import functools
import os
import subprocess

from prpilot.command_limits import CommandLimits

# What a program says, or how it ends, when it ran into one of the limits.
_SIGNALS = {152: "CPU time (SIGXCPU)", 153: "file size (SIGXFSZ)", 137: "CPU time or memory (killed)"}
_SAID = {
    "No space left on device": "the size of /tmp or /dev/shm",
    "File size limit exceeded": "file size",
    "File too large": "file size",
    "CPU time limit exceeded": "CPU time",
    "Cannot allocate memory": "memory",
    "MemoryError": "memory",
    "out of memory": "memory",
    "Resource temporarily unavailable": "processes",
    "Too many open files": "open files",
}


@functools.cache
def sizes_tmpfs(bwrap: str) -> bool:
    """Whether this bwrap can size a tmpfs (``--size``, bubblewrap 0.7.0, 2022)."""
    try:
        done = subprocess.run([bwrap, "--help"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return b"--size" in done.stdout + done.stderr


def rlimit_argv(prlimit: str | None, limits: CommandLimits) -> list[str]:
    """``prlimit`` options that put ``limits`` on the program it starts and everything that program starts.

    The CPU limit's hard value comes later than its soft one, so an endless loop gets SIGXCPU (which
    says what happened) before SIGKILL. RLIMIT_NPROC counts all the processes of the user: the limit
    is what the user runs now plus ``limits.processes``.
    """
    if prlimit is None:
        return []
    cpu = limits.cpu_seconds
    return [
        prlimit, f"--cpu={cpu}:{cpu + 5}", f"--data={limits.memory}", f"--nproc={_user_processes() + limits.processes}",
        f"--nofile={limits.open_files}", f"--fsize={limits.file_size}", "--",
    ]


def _user_processes() -> int:
    """How many processes this user runs now (what RLIMIT_NPROC counts)."""
    uid, count = os.getuid(), 0
    for entry in os.scandir("/proc"):
        try:
            if entry.name.isdigit() and entry.stat().st_uid == uid:
                count += 1
        except OSError:
            continue  # ended meanwhile
    return count



def limit_hit(exit_code: int | None, output: str) -> str:
    """Which limit a command ran into, in words ("" when none shows)."""
    hit = [what for said, what in _SAID.items() if said in output]
    if exit_code in _SIGNALS:
        hit.insert(0, _SIGNALS[exit_code])
    return ", ".join(dict.fromkeys(hit))
