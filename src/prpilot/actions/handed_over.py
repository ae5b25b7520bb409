"""A worker workflow started by the dispatch strategy: the schedule step takes the task only if the ledger admitted it.

Whoever may dispatch the worker workflow writes the ``task`` input, so the input asserts nothing:
the ledger must hold its reservation, and this run records that it took the task, so a second
dispatch of the same task is refused (issue 28, item 7).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from prpilot.errors import EventError
from prpilot.scheduler.strategies import actions_strategy, task_file
from prpilot.task import Task, TaskStatus
from prpilot.wiring.run import Run

if TYPE_CHECKING:
    from prpilot.billing.ledger import Record


def accept_handed_over(run: Run) -> Path:
    """Take the task the ``task`` input hands over; return its file for the engine step."""
    from prpilot.scheduler.handover import handover_refusal, reservation_of

    settings, ctx = run.settings, run.context
    try:
        task = Task.model_validate_json(settings.handed_over_task)
    except ValueError as exc:
        raise EventError(f"the task input is not a prpilot task ({str(exc).splitlines()[0]})") from exc
    if task.status is not TaskStatus.SCHEDULED or task.github_project != ctx.repository:
        raise EventError("the task input must be a scheduled task of this repository")

    def decide(records: list[Record]) -> str | None:
        reservation = reservation_of(records, task.id)
        # The hold comes from the ledger, not the input: the engine stops the task there.
        task.hold_usd = reservation.hold_usd if reservation is not None and reservation.hold_usd else None
        return handover_refusal(records, task, model=settings.model, run_id=ctx.run_id)

    refusal = run.ledger.start(task.id, ctx.run_id, decide)
    if refusal is not None:
        raise EventError(f"the task input is refused: {refusal}")
    actions_strategy(run.temp)(task)
    path = task_file(run.temp, task)
    run.notices.set_outputs(
        {"status": task.status.value, "task-id": task.id, "result": "", "admitted": "true", "task-file": str(path)}
    )
    return path
