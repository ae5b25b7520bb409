"""What the thread is told about a task that was cut short or did not finish, for tasks and reviews alike.

Its own module so that ``engine/reviewing.py`` shares these words without importing ``task_engine``
(which imports it: the import-linter contract on cycles).
"""

from __future__ import annotations

import logging

from prpilot.errors import Cancelled, PrpilotError

# The engine's logger, as before these words left task_engine.py: log filters keep matching.
log = logging.getLogger("prpilot.engine.task_engine")

CUT_SHORT = {
    "max_steps": "the agent used all {steps} model calls that max-steps allows",
    "timeout": "it reached the wall-clock limit of max-minutes",
    "cost": "it reached its cost cap of {cap} ({cap_source})",
    "cancelled": "the job was cancelled",
}


def failure_text(exc: Exception) -> str:
    """What the thread is told about a task that did not finish."""
    if isinstance(exc, Cancelled):
        return "The job was cancelled before the task finished."
    if isinstance(exc, PrpilotError):
        return exc.message
    log.exception("internal error")
    return f"prpilot hit an internal error ({type(exc).__name__}: {exc}). Please report it."
