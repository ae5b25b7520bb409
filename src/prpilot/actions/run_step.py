"""Both steps in one process (the Docker image's entry point): schedule, then run the task if admitted."""

from __future__ import annotations

from collections.abc import Mapping

from prpilot.actions.engine_step import engine_step
from prpilot.actions.runner_commands import ActionsRunner
from prpilot.actions.schedule_step import report_failure, schedule_task
from prpilot.errors import PrpilotError


def run_step(env: Mapping[str, str]) -> int:
    """Both steps in one process (the Docker image): schedule, then run the task if admitted."""
    try:
        code, admitted = schedule_task(env)
    except PrpilotError as exc:
        report_failure(ActionsRunner(env), exc.message)
        raise
    if admitted is None:
        return code
    return engine_step({**env, "PRPILOT_TASK_FILE": str(admitted)})
