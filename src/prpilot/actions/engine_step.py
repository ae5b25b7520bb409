"""The action's engine step: run the task the schedule step admitted, on this runner."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from prpilot.actions.runner_commands import ActionsRunner
from prpilot.actions.task_file import load_task_file, task_path
from prpilot.errors import PrpilotError
from prpilot.scheduler.strategies import write_task_file
from prpilot.settings import Step
from prpilot.task import Task, TaskStatus
from prpilot.thread.ending import task_outputs
from prpilot.wiring.run import Run

if TYPE_CHECKING:
    from prpilot.engine.cancellation import CancelSignal


def engine_step(env: Mapping[str, str], *, opened: Run | None = None, cancel: CancelSignal | None = None) -> int:
    """Run the engine step on the task the schedule step admitted; return the exit code.

    ``opened``: the scheduling's run in this process, whose GitHub client and ledger the engine uses;
    ``cancel``: its cancel signal, which may already have heard a signal.
    """
    from prpilot.engine.cancellation import CancelSignal

    runner = ActionsRunner(env)
    task = load_task_file(env)
    try:
        run = Run.read(env, Step.ENGINE, runner)
    except PrpilotError as exc:
        # The task was acknowledged on the thread: say there why it cannot start.
        _fail_acknowledged(env, task, exc.message, runner)
        raise
    if opened is not None:
        run.adopt(opened)
    cancel = cancel or CancelSignal()
    cancel.install()
    if run.context.run_id:  # the run /pilot stop cancels (a dispatched worker runs the task in a run of its own)
        task.context["run_id"] = run.context.run_id
    path = task_path(env)  # the finish step reads the checkpoint back from there
    engine = run.engine(task, Path(run.context.workspace or "."), cancel=cancel,
                        checkpoint=lambda current: write_task_file(path, current))
    if engine is None:  # ended, outputs and all, by fail_before_start
        return 1
    engine.run(task)  # ends the task, outputs and all
    return 0 if task.status is TaskStatus.COMPLETED else 1


def _fail_acknowledged(env: Mapping[str, str], task: Task, why: str, runner: ActionsRunner) -> None:
    run = Run.essentials(env, Step.ENGINE, runner, ("github-token",))
    if run is not None and run.settings.github_token:
        run.fail_before_start(task, why)
    else:
        runner.set_outputs(task_outputs(task))
        runner.add_summary(f"## prpilot: failed\n\n{why}\n")
