"""The action's engine step: run the task the schedule step admitted, on this runner."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from prpilot.actions.run_context import RunContext
from prpilot.actions.runner_commands import ActionsRunner
from prpilot.actions.step_inputs import load_task_file, read_settings
from prpilot.errors import PrpilotError
from prpilot.scheduler.strategies import write_task_file
from prpilot.settings import Step, raw_inputs
from prpilot.task import Task, TaskStatus


def engine_step(env: Mapping[str, str]) -> int:
    """Run the engine step on the task the schedule step admitted; return the exit code."""
    from prpilot.actions.assembly import build_engine
    from prpilot.engine.cancellation import CancelSignal

    runner = ActionsRunner(env)
    task = load_task_file(env)
    ctx = RunContext.from_env(env)
    try:
        settings = read_settings(env, Step.ENGINE, runner)
    except PrpilotError as exc:
        # The task was acknowledged on the thread: say there why it cannot start.
        _fail_acknowledged(env, ctx, task, exc.message, runner)
        raise
    cancel = CancelSignal()
    cancel.install()
    if ctx.run_id:  # the run /pilot stop cancels (a dispatched worker runs the task in a run of its own)
        task.context["run_id"] = ctx.run_id
    path = Path(env["PRPILOT_TASK_FILE"])  # load_task_file read it: the finish step reads it back
    engine = build_engine(settings, ctx, task, Path(ctx.workspace or "."), runner=runner, cancel=cancel, env=env,
                          checkpoint=lambda current: write_task_file(path, current))
    if engine is None:  # ended, outputs and all, by fail_before_start
        return 1
    engine.run(task)  # ends the task, outputs and all
    return 0 if task.status is TaskStatus.COMPLETED else 1


def _fail_acknowledged(env: Mapping[str, str], ctx: RunContext, task: Task, why: str, runner: ActionsRunner) -> None:
    from prpilot.actions.assembly import fail_before_start, open_github
    from prpilot.billing.ref_ledger import ref_ledger
    from prpilot.thread.ending import task_outputs

    token = raw_inputs(env, Step.ENGINE)["github-token"]
    if token:
        github = open_github(token, ctx)
        fail_before_start(task, github, ref_ledger(github.ledger_store()), ctx, why, runner)
    else:
        runner.set_outputs(task_outputs(task))
        runner.add_summary(f"## prpilot: failed\n\n{why}\n")
