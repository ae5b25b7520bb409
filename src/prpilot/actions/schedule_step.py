"""The action's schedule step: read the request, admit it in the ledger, acknowledge it, hand it over.

Each step verb is an entry point of its own (this, :mod:`prpilot.actions.engine_step`,
:mod:`prpilot.actions.run_step`, :mod:`prpilot.actions.finish_step`): it alone reads the environment,
builds the adapters and maps the outcome to outputs, the job summary and an exit code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from prpilot.actions.run_context import RunContext
from prpilot.actions.runner_commands import ActionsRunner
from prpilot.actions.step_inputs import read_settings
from prpilot.errors import ConfigError, EventError, PrpilotError
from prpilot.scheduler.registry import stopper_for, strategies_for
from prpilot.scheduler.strategies import (
    actions_strategy,
    task_file,
)
from prpilot.settings import Settings, Step, parse_settings, raw_inputs
from prpilot.task import Task, TaskStatus

if TYPE_CHECKING:  # PyGithub loads only when a task is really there; the scheduler only in the schedule step
    from prpilot.billing.ledger import Record
    from prpilot.github.rest import GitHubRepository
    from prpilot.intake.events import StopRequest
    from prpilot.scheduler.task_scheduler import Acknowledged


def schedule_step(env: Mapping[str, str]) -> int:
    """Run the schedule step; return the exit code."""
    try:
        return schedule_task(env)[0]
    except PrpilotError as exc:
        report_failure(ActionsRunner(env), exc.message)
        raise


def report_failure(runner: ActionsRunner, why: str) -> None:
    """Outputs and job summary for a step that could not do its work (the log line comes from the CLI)."""
    runner.set_outputs({"status": TaskStatus.FAILED.value, "result": why, "admitted": "false"})
    runner.add_summary(f"## prpilot: failed\n\n{why}\n")


def schedule_task(env: Mapping[str, str]) -> tuple[int, Path | None]:
    """Schedule; return the exit code and the task file when the engine should run here."""
    runner = ActionsRunner(env)
    try:
        settings = read_settings(env, Step.SCHEDULE, runner)
    except ConfigError as exc:
        _answer_despite_bad_inputs(env, exc)
        raise
    ctx = RunContext.from_env(env)
    if settings.handed_over_task:
        return 0, _accept_handed_over(settings, ctx, runner)
    from prpilot.intake.events import Skip, StopRequest, parse_event
    from prpilot.scheduler.task_scheduler import TaskScheduler

    outcome = parse_event(ctx.event_name, ctx.load_event(), settings, run_id=ctx.run_id, actor=ctx.actor)
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
        return 0, None
    if not settings.github_token:
        raise ConfigError("the github-token input is empty; pass ${{ github.token }} or a token with write access")

    from prpilot.actions.assembly import open_github
    from prpilot.billing.ref_ledger import ref_ledger

    github = open_github(settings.github_token, ctx)
    if isinstance(outcome, StopRequest):
        return _stop(outcome, settings, ctx, github, runner), None
    scheduler = TaskScheduler(
        settings=settings,
        github=github,
        ledger=ref_ledger(github.ledger_store()),
        run_url=ctx.run_url,
        strategies=strategies_for(settings, Path(ctx.runner_temp or "."), github),
        notices=runner,
        acknowledged=acknowledged,
    )
    scheduled = scheduler.schedule(outcome)
    task = scheduled.task
    assert task is not None
    # A task that ended here wrote its outputs as it ended; a scheduled one says so now.
    outputs: dict[str, object] = {} if task.is_final else {"status": scheduled.status, "task-id": task.id, "result": ""}
    outputs["admitted"] = "true" if scheduled.admitted and settings.strategy == "actions" else "false"
    admitted = None
    if scheduled.admitted and settings.strategy == "actions":
        admitted = task_file(Path(ctx.runner_temp or "."), task)
        outputs["task-file"] = str(admitted)
    runner.set_outputs(outputs)
    runner.info(f"prpilot: task {task.id} {scheduled.status}" + (f": {scheduled.reason}" if scheduled.reason else ""))
    return (1 if task.status is TaskStatus.FAILED else 0), admitted


def read_acknowledged(env: Mapping[str, str]) -> Acknowledged | None:
    """What the action's first step did (``PRPILOT_ACKNOWLEDGED``: its file), or None when it left all to this step."""
    path = env.get("PRPILOT_ACKNOWLEDGED", "")
    if not path:
        return None
    from prpilot.scheduler.task_scheduler import Acknowledged

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Acknowledged(
            task_id=str(data["task_id"]), created_at=datetime.fromisoformat(data["created_at"]),
            permission=data["permission"], status_comment_id=data["status_comment_id"],
            acknowledged=bool(data["acknowledged"]),
        )
    except OSError as exc:
        raise ConfigError(f"cannot read the first step's file {path}: {exc.strerror}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"the first step's file {path} is damaged ({type(exc).__name__}: {exc})") from exc


def _stop(request: StopRequest, settings: Settings, ctx: RunContext, github: GitHubRepository,
          runner: ActionsRunner) -> int:
    """``/pilot stop``: no task, no reservation, no model; outputs and summary say what it did."""
    from prpilot.billing.ref_ledger import ref_ledger
    from prpilot.scheduler.stop import StopHandler
    from prpilot.scheduler.strategies import run_id_of

    def run_url_of(task: Task) -> str:
        return f"{ctx.server_url}/{ctx.repository}/actions/runs/{run_id_of(task)}"

    ledger = ref_ledger(github.ledger_store())
    handler = StopHandler(settings, github, ledger, stopper_for(settings, github), run_url_of)
    outcome = handler.handle(request)
    runner.set_outputs({"status": outcome.status, "result": outcome.message, "admitted": "false"})
    runner.add_summary(f"## prpilot: stop ({outcome.status})\n\n{outcome.message}\n")
    runner.info(f"prpilot: stop {outcome.status}: {outcome.message}")
    return 1 if outcome.status == "failed" else 0


# What it takes to recognise a request and answer it; every other input can be wrong meanwhile.
_ESSENTIAL_INPUTS = ("github-token", "trigger", "trigger-label", "allow-edited", "allowed-bots")


def _answer_despite_bad_inputs(env: Mapping[str, str], error: ConfigError) -> None:
    """A request addressed to prpilot gets an answer on its thread even when the workflow's inputs are wrong.

    The answer names the input but not its value (which may hold anything, a secret included); the
    run log, the outputs and the job summary have the whole message (the step's failure report
    writes them). Events not addressed to prpilot still cost no request.
    """
    from prpilot.intake.events import parse_event

    raw = raw_inputs(env, Step.SCHEDULE)
    try:
        settings = parse_settings({name: raw[name] for name in _ESSENTIAL_INPUTS if name in raw})
        ctx = RunContext.from_env(env)
        task = parse_event(ctx.event_name, ctx.load_event(), settings, run_id=ctx.run_id, actor=ctx.actor)
    except PrpilotError:
        return  # the essentials themselves are wrong: there is no telling whether anyone asked
    if not isinstance(task, Task) or task.thread_number is None or not settings.github_token:
        return  # a stop is no task: the run log says why it failed
    acknowledged = read_acknowledged(env)
    if acknowledged is not None:  # the first step posted the status comment: the answer goes there
        acknowledged.apply(task)
    from prpilot.actions.assembly import open_github
    from prpilot.thread.ending import Ending, end_task
    from prpilot.thread.status_comment import StatusComment, find_own_comment

    named = re.match(r"input ([a-z-]+) ", error.message)
    which = f"the workflow's `{named.group(1)}` input is invalid" if named else "the workflow's inputs are invalid"
    why = (f"prpilot could not start: {which} (the [run log]({ctx.run_url}) says why). "
           "A maintainer needs to fix the workflow file; then ask again.")
    github = open_github(settings.github_token, ctx)
    if acknowledged is not None and acknowledged.acknowledged:
        find_own_comment(github, task)
    end_task(task, TaskStatus.FAILED, why, Ending(thread=StatusComment(github, ctx.run_url)))


def _accept_handed_over(settings: Settings, ctx: RunContext, runner: ActionsRunner) -> Path:
    """A worker workflow started by the dispatch strategy: run the task only if the ledger admitted it.

    Whoever may dispatch the worker workflow writes the ``task`` input, so the input asserts
    nothing: the ledger must hold its reservation, and this run records that it took the task, so
    a second dispatch of the same task is refused (issue 28, item 7).
    """
    try:
        task = Task.model_validate_json(settings.handed_over_task)
    except ValueError as exc:
        raise EventError(f"the task input is not a prpilot task ({str(exc).splitlines()[0]})") from exc
    if task.status is not TaskStatus.SCHEDULED or task.github_project != ctx.repository:
        raise EventError("the task input must be a scheduled task of this repository")
    if not settings.github_token:
        raise ConfigError("the github-token input is empty; the worker needs it to read the ledger")
    from prpilot.actions.assembly import open_github
    from prpilot.billing.ref_ledger import ref_ledger
    from prpilot.scheduler.handover import handover_refusal, reservation_of

    def decide(records: list[Record]) -> str | None:
        reservation = reservation_of(records, task.id)
        # The hold comes from the ledger, not the input: the engine stops the task there.
        task.hold_usd = reservation.hold_usd if reservation is not None and reservation.hold_usd else None
        return handover_refusal(records, task, model=settings.model, run_id=ctx.run_id)

    refusal = ref_ledger(open_github(settings.github_token, ctx).ledger_store()).start(task.id, ctx.run_id, decide)
    if refusal is not None:
        raise EventError(f"the task input is refused: {refusal}")
    actions_strategy(Path(ctx.runner_temp or "."))(task)
    runner.set_outputs(
        {
            "status": task.status.value,
            "task-id": task.id,
            "result": "",
            "admitted": "true",
            "task-file": str(task_file(Path(ctx.runner_temp or "."), task)),
        }
    )
    return task_file(Path(ctx.runner_temp or "."), task)


