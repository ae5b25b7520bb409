"""The action's schedule step: read the request, admit it in the ledger, acknowledge it, hand it over.

Each step verb is an entry point of its own (this, :mod:`prpilot.actions.engine_step`,
:mod:`prpilot.actions.run_step`, :mod:`prpilot.actions.finish_step`): it reads the environment once
into a :class:`~prpilot.wiring.run.Run` and maps the outcome to outputs, the job summary and an exit
code. The schedule step's paths all live here: a request (the scheduler admits it), ``/pilot stop``,
a task a worker workflow was handed, and a request met with bad inputs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from prpilot.actions.runner_commands import ActionsRunner
from prpilot.errors import ConfigError, EventError, PrpilotError
from prpilot.notices import Notices
from prpilot.scheduler.strategies import actions_strategy, task_file
from prpilot.settings import Step
from prpilot.task import TASK_ID_PATTERN, Task, TaskStatus
from prpilot.wiring.run import Run

if TYPE_CHECKING:  # the scheduler, the event's models and the ledger load only on the paths that use them
    from prpilot.billing.ledger import Record
    from prpilot.intake.events import StopRequest
    from prpilot.scheduler.task_scheduler import Acknowledged

# What it takes to recognise a request and answer it; every other input can be wrong meanwhile.
ESSENTIAL_INPUTS = ("github-token", "trigger", "trigger-label", "allow-edited", "allowed-bots")


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
        return Scheduled(0, accept_handed_over(run), run)
    from prpilot.intake.events import Skip, StopRequest, parse_event

    ctx = run.context
    acknowledged = read_acknowledged(env)
    try:
        outcome = parse_event(ctx.event_name, ctx.load_event(), run.settings, run_id=ctx.run_id, actor=ctx.actor)
    except EventError as exc:
        if acknowledged is not None and acknowledged.acknowledged:
            answer_unread_request(run, acknowledged, exc)
        raise
    if isinstance(outcome, Task) and ctx.run_attempt > 1:
        outcome.context["run_attempt"] = ctx.run_attempt  # a re-run: answer in the first attempt's comment
    if acknowledged is not None:
        if not isinstance(outcome, Task):
            raise EventError(
                "the action's first step took this event for a request and the schedule step does "
                "not (a prpilot bug: please report it with the event)"
            )
        acknowledged.apply(outcome)
    if isinstance(outcome, Skip):
        # Not addressed to us: no request to GitHub at all.
        runner.info(f"prpilot: skipped ({outcome.reason})")
        runner.set_outputs({"status": TaskStatus.SKIPPED.value, "result": outcome.reason, "admitted": "false"})
        return Scheduled(0)
    if isinstance(outcome, StopRequest):
        return Scheduled(stop(run, outcome))
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


def read_acknowledged(env: Mapping[str, str]) -> Acknowledged | None:
    """What the action's first step did before the install (its file, ``PRPILOT_ACKNOWLEDGED``), or None.

    None when the first step left all to this step.
    """
    path = env.get("PRPILOT_ACKNOWLEDGED", "")
    if not path:
        return None
    from prpilot.scheduler.task_scheduler import Acknowledged

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        acknowledged = Acknowledged(
            task_id=data["task_id"],
            created_at=datetime.fromisoformat(data["created_at"]),
            permission=data["permission"],
            status_comment_id=data["status_comment_id"],
            acknowledged=data["acknowledged"],
        )
    except OSError as exc:
        raise ConfigError(f"cannot read the first step's file {path}: {exc.strerror}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"the first step's file {path} is damaged ({type(exc).__name__}: {exc})") from exc
    wrong = _wrongly_typed(acknowledged)
    if wrong:
        raise ConfigError(f"the first step's file {path} is damaged (its {wrong} is not what the first step writes)")
    return acknowledged


def _wrongly_typed(acknowledged: Acknowledged) -> str:
    """The first field of the first step's file that does not hold what that step writes there, or ''."""
    if not isinstance(acknowledged.task_id, str) or not re.fullmatch(TASK_ID_PATTERN, acknowledged.task_id):
        return "task_id"
    if acknowledged.permission is not None and not isinstance(acknowledged.permission, str):
        return "permission"
    comment = acknowledged.status_comment_id
    if comment is not None and (isinstance(comment, bool) or not isinstance(comment, int) or comment <= 0):
        return "status_comment_id"
    if not isinstance(acknowledged.acknowledged, bool):
        return "acknowledged"
    return ""


def answer_unread_request(run: Run, acknowledged: Acknowledged, error: EventError) -> None:
    """End the request the first step acknowledged when this step cannot read its event: not "queued" for ever.

    The task is the one the first step embedded in its status comment; without that comment's id or
    a task in it, the run log alone says why.
    """
    from prpilot.thread.ending import Ending, end_task
    from prpilot.thread.records import extract_task

    comment = acknowledged.status_comment_id
    if comment is None or not run.settings.github_token:
        return
    try:
        task = extract_task(run.github.comment_body(comment))
    except PrpilotError:
        return
    if task is None or task.id != acknowledged.task_id or task.is_final:
        return
    task.status_comment_id = comment
    why = (f"prpilot could not read this request's event ({error.message}); "
           f"the [run log]({run.context.run_url}) says more.")
    end_task(task, TaskStatus.FAILED, why, Ending(thread=run.status_comment()))


def stop(run: Run, request: StopRequest) -> int:
    """``/pilot stop``: no task, no reservation, no model; the outputs and summary say what it did.

    Returns the step's exit code.
    """
    from prpilot.scheduler.stop import StopHandler
    from prpilot.scheduler.strategies import run_id_of, stopper_for

    ctx = run.context
    handler = StopHandler(
        run.settings,
        run.github,
        run.ledger,
        stopper_for(run.settings, run.github),
        lambda task: ctx.run_url_of(run_id_of(task)),
    )
    outcome = handler.handle(request)
    run.notices.set_outputs({"status": outcome.status, "result": outcome.message, "admitted": "false"})
    run.notices.add_summary(f"## prpilot: stop ({outcome.status})\n\n{outcome.message}\n")
    run.notices.info(f"prpilot: stop {outcome.status}: {outcome.message}")
    return 1 if outcome.status == "failed" else 0


def accept_handed_over(run: Run) -> Path:
    """Take the task the ``task`` input hands over (the dispatch strategy's worker workflow); return its file.

    Whoever may dispatch the worker workflow writes the ``task`` input, so the input asserts nothing:
    the ledger must hold its reservation, and this run records that it took the task, so a second
    dispatch of the same task is refused (issue 28, item 7).
    """
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


def answer_despite_bad_inputs(env: Mapping[str, str], notices: Notices, error: ConfigError) -> None:
    """A request addressed to prpilot gets an answer on its thread even when the workflow's inputs are wrong.

    The answer names the input but not its value (which may hold anything, a secret included); the
    run log, the outputs and the job summary have the whole message (the step's failure report
    writes them). Events not addressed to prpilot still cost no request.
    """
    from prpilot.intake.events import parse_event
    from prpilot.thread.ending import Ending, end_task
    from prpilot.thread.status_comment import find_own_comment

    run = Run.essentials(env, Step.SCHEDULE, notices, ESSENTIAL_INPUTS)
    if run is None:
        return  # the essentials themselves are wrong: there is no telling whether anyone asked
    ctx = run.context
    try:
        task = parse_event(ctx.event_name, ctx.load_event(), run.settings, run_id=ctx.run_id, actor=ctx.actor)
    except PrpilotError:
        return
    if not isinstance(task, Task) or task.thread_number is None or not run.settings.github_token:
        return  # a stop is no task: the run log says why it failed
    acknowledged = read_acknowledged(env)
    if acknowledged is not None:  # the first step posted the status comment: the answer goes there
        acknowledged.apply(task)
    named = re.match(r"input ([a-z-]+) ", error.message)
    which = f"the workflow's `{named.group(1)}` input is invalid" if named else "the workflow's inputs are invalid"
    why = (
        f"prpilot could not start: {which} (the [run log]({ctx.run_url}) says why). "
        "A maintainer needs to fix the workflow file; then ask again."
    )
    if acknowledged is not None and acknowledged.acknowledged:
        find_own_comment(run.github, task)
    end_task(task, TaskStatus.FAILED, why, Ending(thread=run.status_comment()))
