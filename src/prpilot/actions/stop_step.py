"""``/pilot stop`` in the schedule step: no task, no reservation, no model; the outputs and summary say what it did."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prpilot.task import Task
from prpilot.wiring.run import Run

if TYPE_CHECKING:  # the event's models load with the schedule step
    from prpilot.intake.events import StopRequest


def stop_step(run: Run, request: StopRequest) -> int:
    """Stop what ``request`` names; return the step's exit code."""
    from prpilot.scheduler.registry import stopper_for
    from prpilot.scheduler.stop import StopHandler
    from prpilot.scheduler.strategies import run_id_of

    ctx = run.context

    def run_url_of(task: Task) -> str:
        return f"{ctx.server_url}/{ctx.repository}/actions/runs/{run_id_of(task)}"

    handler = StopHandler(run.settings, run.github, run.ledger, stopper_for(run.settings, run.github), run_url_of)
    outcome = handler.handle(request)
    run.notices.set_outputs({"status": outcome.status, "result": outcome.message, "admitted": "false"})
    run.notices.add_summary(f"## prpilot: stop ({outcome.status})\n\n{outcome.message}\n")
    run.notices.info(f"prpilot: stop {outcome.status}: {outcome.message}")
    return 1 if outcome.status == "failed" else 0
