"""The resource limits of every program the agent runs (``allowed-commands``, ``setup``, ``verify``).

Read from the ``command-limits`` input: ``name=value`` pairs, separated by commas or spaces, each one
replacing its default; sizes take K, M or G (powers of 1024), CPU time s, m or h.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

from prpilot.errors import ConfigError
from prpilot.masking import shown

_SIZE = re.compile(r"^(\d+)([KMGT]?)(?:I?B)?$", re.IGNORECASE)
_SECONDS = re.compile(r"^(\d+)([SMH]?)$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40, "S": 1, "H": 3600}


def _size(value: int) -> str:
    for unit, size in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if value % size == 0:
            return f"{value // size}{unit}"
    return str(value)


@dataclass(frozen=True)
class CommandLimits:
    """Per sandbox: each process's CPU seconds and memory, processes, open files, one file's size, /tmp."""

    cpu_seconds: int = 900
    memory: int = 4 << 30  # each process's data (heap and private mappings): RLIMIT_DATA
    processes: int = 512  # more than its user already runs
    open_files: int = 4096
    file_size: int = 1 << 30
    tmp: int = 1 << 30  # the sandbox's /tmp (a tmpfs in the runner's memory); /dev/shm gets a quarter

    def describe(self) -> str:
        """The limits in the input's own words, for a message."""
        return (f"cpu-seconds={self.cpu_seconds} memory={_size(self.memory)} processes={self.processes} "
                f"open-files={self.open_files} file-size={_size(self.file_size)} tmp={_size(self.tmp)}")


_NAMES = {field.name.replace("_", "-"): field.name for field in fields(CommandLimits)}
# What the kernel takes: prlimit and bwrap refuse more, and every command would fail. Sizes up to 1
# EiB, open files up to fs.nr_open's default, processes up to the largest pid_max.
_MOST = {"cpu_seconds": 1 << 32, "memory": 1 << 60, "processes": 1 << 22, "open_files": 1 << 20,
         "file_size": 1 << 60, "tmp": 1 << 60}
DEFAULT_LIMITS = CommandLimits()
DEFAULT_COMMAND_LIMITS = DEFAULT_LIMITS.describe()


def parse_command_limits(text: str) -> CommandLimits:
    """Read the ``command-limits`` input; a wrong pair is a ConfigError that names it."""
    limits = CommandLimits()
    for pair in text.replace(",", " ").split():
        name, _, value = pair.partition("=")
        key = _NAMES.get(name.strip().lower())
        if key is None:
            raise ConfigError(f"command-limits: unknown limit {shown(name)}; use {', '.join(_NAMES)}")
        pattern = _SECONDS if key == "cpu_seconds" else _SIZE if key in ("memory", "file_size", "tmp") else None
        match = (pattern or re.compile(r"^(\d+)()$")).match(value.strip().upper())
        if match is None or int(match.group(1)) <= 0:
            raise ConfigError(f"command-limits: {shown(pair)} is not a positive number "
                              "(e.g. memory=4G, cpu-seconds=15m)")
        unit = 60 if key == "cpu_seconds" and match.group(2).upper() == "M" else _UNITS[match.group(2).upper()]
        amount = int(match.group(1)) * unit
        if amount > _MOST[key]:
            most = _size(_MOST[key]) if key in ("memory", "file_size", "tmp") else f"{_MOST[key]:,}"
            raise ConfigError(f"command-limits: {shown(pair)} is more than the system takes (at most {most})")
        limits = replace(limits, **{key: amount})
    return limits
