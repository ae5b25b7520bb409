"""Forget the secrets this process was started with, once the inputs are read.

The runner hands the inputs over in ``INPUT_*`` variables, so the engine starts with every token
in its environment. Popping them from ``os.environ`` is not enough: ``/proc/<pid>/environ``
shows the block the process was started with, whatever ``unsetenv`` did since. So the values are
also overwritten in that block, through ``/proc/self/mem`` (Linux; elsewhere a no-op).
"""

from __future__ import annotations

import os
import re
from collections.abc import MutableMapping

# Credentials by name: our inputs, the runner's tokens, anything named like a key.
_SECRET_NAME = re.compile(r"TOKEN|KEY|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE", re.IGNORECASE)


def is_secret_name(name: str) -> bool:
    """Whether a variable called ``name`` holds (or may hold) a credential."""
    return name.upper().startswith("INPUT_") or bool(_SECRET_NAME.search(name))


def forget_secrets(environ: MutableMapping[str, str] | None = None) -> list[str]:
    """Remove secret variables from this process's environment and its /proc view; return their names."""
    environ = os.environ if environ is None else environ
    names = [name for name in list(environ) if is_secret_name(name)]
    for name in names:
        environ.pop(name, None)
    if environ is os.environ:
        _blank_initial_block(set(names))
    return names


def _blank_initial_block(names: set[str]) -> None:
    """Overwrite the values of ``names`` in the environment block the kernel shows as /proc/self/environ."""
    if not names:
        return
    try:
        with open("/proc/self/stat", "rb") as stat:
            fields = stat.read().rpartition(b")")[2].split()
        start, end = int(fields[47]), int(fields[48])  # env_start, env_end: fields 50 and 51 of proc(5)
        with open("/proc/self/mem", "r+b", buffering=0) as mem:
            mem.seek(start)
            block = bytearray(mem.read(end - start))
            offset = 0
            for entry in bytes(block).split(b"\0"):
                name, sep, value = entry.partition(b"=")
                if sep and name.decode("utf-8", "replace") in names:
                    at = offset + len(name) + 1
                    block[at : at + len(value)] = b"*" * len(value)
                offset += len(entry) + 1
            mem.seek(start)
            mem.write(bytes(block))
    except (OSError, ValueError, IndexError):
        pass  # no /proc (not Linux) or a kernel that forbids it: the sandbox hides /proc anyway
