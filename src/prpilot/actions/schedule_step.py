"""The action's schedule step: read the request, admit it in the ledger, acknowledge it, hand it over.

Each step verb is an entry point of its own (this, :mod:`prpilot.actions.engine_step`,
:mod:`prpilot.actions.run_step`, :mod:`prpilot.actions.finish_step`): it reads the environment once
into a :class:`~prpilot.wiring.run.Run` and maps the outcome to outputs, the job summary and an exit
code. The schedule step's other paths have rooms of their own: ``/pilot stop`` (``stop_step``), a
task a worker workflow was handed (``handed_over``) and a request met with bad inputs (``bad_inputs``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from prpilot.actions.acknowledged import read_acknowledged
from prpilot.actions.bad_inputs import answer_despite_bad_inputs
from prpilot.actions.runner_commands import ActionsRunner
from prpilot.errors import ConfigError, EventError, PrpilotError
from prpilot.scheduler.strategies import task_file
from prpilot.settings import Step
from prpilot.task import Task, TaskStatus
from prpilot.wiring.run import Run


def schedule_step(env: Mapping[str, str]) -> int:
    """Run the schedule step; return the exit code."""
    try:
        return schedule_task(env).code
    except PrpilotError as exc:
        report_failure(ActionsRunner(env), exc.message)
        raise


def report_failure(runner: ActionsRunner, why: str) -> None:
    """Outputs and job summary for a step that could not do its work (the log line comes from the CLI)."""
    runner.set_outputs({"status": TaskStatus.FAILED.value, "result": why, "admitted": "false"})
    runner.add_summary(f"## prpilot: failed\n\n{why}\n")


class Scheduled(NamedTuple):
    """What scheduling left: the exit code, and the task file and the run when the engine should run here."""

    code: int
    task_file: Path | None = None
    run: Run | None = None  # its GitHub client and ledger serve the engine of the same process (run_step)


def schedule_task(env: Mapping[str, str]) -> Scheduled:
    """Schedule; return the exit code, and the task file and the run when the engine should run here."""
    runner = ActionsRunner(env)
    try:
        run = Run.read(env, Step.SCHEDULE, runner)
    except ConfigError as exc:
        answer_despite_bad_inputs(env, runner, exc)
        raise
    if run.settings.handed_over_task:
        from prpilot.actions.handed_over import accept_handed_over

        return Scheduled(0, accept_handed_over(run), run)
    from prpilot.intake.events import Skip, StopRequest, parse_event

    ctx = run.context
    outcome = parse_event(ctx.event_name, ctx.load_event(), run.settings, run_id=ctx.run_id, actor=ctx.actor)
    if isinstance(outcome, Task) and ctx.run_attempt > 1:
        outcome.context["run_attempt"] = ctx.run_attempt  # a re-run: answer in the first attempt's comment
    acknowledged = read_acknowledged(env)
    if acknowledged is not None:
        if not isinstance(outcome, Task):
            raise EventError("the action's first step took this event for a request and the schedule step does "
                             "not (a prpilot bug: please report it with the event)")
        acknowledged.apply(outcome)
    if isinstance(outcome, Skip):
        # Not addressed to us: no request to GitHub at all.
        runner.info(f"prpilot: skipped ({outcome.reason})")
        runner.set_outputs({"status": TaskStatus.SKIPPED.value, "result": outcome.reason, "admitted": "false"})
        return Scheduled(0)
    if isinstance(outcome, StopRequest):
        from prpilot.actions.stop_step import stop_step

        return Scheduled(stop_step(run, outcome))
    scheduled = run.scheduler(acknowledged).schedule(outcome)
    task = scheduled.task
    assert task is not None
    here = scheduled.admitted and run.settings.strategy == "actions"
    # A task that ended here wrote its outputs as it ended; a scheduled one says so now.
    outputs: dict[str, object] = {} if task.is_final else {"status": scheduled.status, "task-id": task.id, "result": ""}
    outputs["admitted"] = "true" if here else "false"
    admitted = task_file(run.temp, task) if here else None
    if admitted is not None:
        outputs["task-file"] = str(admitted)
    runner.set_outputs(outputs)
    runner.info(f"prpilot: task {task.id} {scheduled.status}" + (f": {scheduled.reason}" if scheduled.reason else ""))
    return Scheduled(1 if task.status is TaskStatus.FAILED else 0, admitted, run)
