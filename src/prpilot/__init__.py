"""prpilot: hand coding work to an AI agent from inside GitHub.

Importing the package costs nothing: the action's first step imports its standard-library modules
on the runner's own python3, where pydantic is not installed, so ``Task`` and friends load on first
use (PEP 562).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prpilot.task import Task, TaskStatus, Usage

__all__ = ["Task", "TaskStatus", "Usage", "__version__"]
__version__ = "1.0.0"


def __getattr__(name: str) -> Any:
    if name in ("Task", "TaskStatus", "Usage"):
        from prpilot import task

        return getattr(task, name)
    raise AttributeError(f"module 'prpilot' has no attribute {name!r}")
