"""The task the schedule step hands to the engine and finish steps, in the file ``PRPILOT_TASK_FILE`` names."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from prpilot.errors import ConfigError
from prpilot.task import Task


def task_path(env: Mapping[str, str]) -> Path:
    """Where the schedule step wrote the task (the engine keeps its checkpoint there too)."""
    path = env.get("PRPILOT_TASK_FILE", "")
    if not path:
        raise ConfigError("PRPILOT_TASK_FILE is not set: the engine step runs only after the schedule step")
    return Path(path)


def load_task_file(env: Mapping[str, str]) -> Task:
    """Read the task the schedule step handed over."""
    path = task_path(env)
    try:
        return Task.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the task file {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise ConfigError(f"the task file {path} is damaged ({str(exc).splitlines()[0]})") from exc
