"""The finish step: end a task whose engine step was killed before it could end the task itself.

The engine answers, bills and records every task it can: a failure, a limit and a cancellation
all end in its own ``finally``. What it cannot survive is being killed outright (the kernel's
out-of-memory killer, the runner's SIGKILL after a job timeout). The composite action therefore
runs this step ``if: always()`` after the engine: it reads the checkpoint the engine keeps in the
task file and, when that task is not final, fails it in words on the thread and bills the usage
the checkpoint holds, so no record and no bill are lost. A task the engine finished skips this
step (the run step's ``ended`` output), unless the engine's answer could not go into the status
comment it held: that comment is then tried once more and pointed at the answer (issue #29). What
the agent had changed in the checkout is pushed, as after any other failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from prpilot.actions.runner_commands import ActionsRunner
from prpilot.actions.task_file import load_task_file
from prpilot.billing.money import count
from prpilot.errors import PrpilotError
from prpilot.settings import Step
from prpilot.task import Task, TaskStatus

if TYPE_CHECKING:  # git, PyGithub and the engine load only for a task that was left unfinished
    from prpilot.engine.working_branch import WorkingBranch
    from prpilot.github.rest import GitHubRepository
    from prpilot.wiring.context import RunContext
    from prpilot.wiring.run import Run


def stopped_text(task: Task, engine_outcome: str = "failure") -> str:
    """What the thread is told about a task its engine step left unfinished (``engine_outcome``: the step's)."""
    if engine_outcome == "skipped":  # the job was cancelled before the engine began (action.yml says so)
        return "The task never started: the job stopped before its engine began. Nothing was billed."
    calls = task.usage.calls
    spent = f" after {count(calls, 'model call')}" if calls else ""
    why = ("the job was cancelled and its engine did not stop in time" if engine_outcome == "cancelled"
           else "the engine's process was killed (out of memory, or the job's time limit)")
    where = f" The work done so far is on the branch `{task.branch}`." if task.branch else ""
    return (
        f"The task stopped before it finished{spent}: {why}. The model calls made until then are "
        f"billed.{where} Ask again to go on, perhaps with a smaller request."
    )


def finish_step(env: Mapping[str, str]) -> int:
    """End the task the engine left unfinished; return the step's exit code (0 when nothing was left)."""
    runner = ActionsRunner(env)
    task = load_task_file(env)
    if task.is_final:
        if task.stale_comment_ids:
            _retire_stale_comments(env, task)
        return 0
    # Only a task left unfinished pays for git, PyGithub and the engine's imports.
    from prpilot.agent.sanitize import Redactor
    from prpilot.engine.checkpoint import BILLED_TO_KEY, billed_to
    from prpilot.engine.working_branch import RESUME_KEY, resumed
    from prpilot.thread.ending import Ending, end_task
    from prpilot.wiring.run import Run

    run = Run.read(env, Step.FINISH, runner)
    settings, ctx = run.settings, run.context
    resume = resumed(task.context.pop(RESUME_KEY, None))  # never part of the record or the answer
    payers = billed_to(task.context.pop(BILLED_TO_KEY, None))
    if not settings.github_token:
        runner.warning("prpilot: the github-token input is empty: the unfinished task is neither billed nor answered")
        return 1
    _stop_orphaned_commands(ctx, runner)  # before anything reads or pushes the workspace they write to
    github = run.github
    answered = _answered_on_the_thread(task, github)
    patch = ""  # the work a push could not take: the runner's checkout goes with the job, so it goes on the thread
    if answered is None and resume is not None:
        try:
            patch = _push_the_work(task, resume, run)
        except Exception as exc:  # out of memory, a full disk, a bug: the task is still billed and answered
            runner.warning(f"prpilot: could not push the work done so far ({type(exc).__name__}: {exc})")
    task = answered or task
    meter = run.meter(settings.model)
    meter.billed_to = payers  # as the engine's meter had it: this step is not given the model's key
    meter.add(task.usage)  # what the engine counted before it was stopped
    # Settling is idempotent: an engine that billed before it was killed is not billed twice.
    redact = Redactor(settings.secrets())
    ending = Ending(thread=run.status_comment(), meter=meter, notices=runner, redact=redact)
    end_task(task, TaskStatus.FAILED, stopped_text(task, env.get("PRPILOT_ENGINE_OUTCOME", "")), ending,
             patch=redact(patch), answer=answered is None)
    if answered is None:
        runner.error(f"prpilot: {task.result}")
    return 0 if task.status is TaskStatus.COMPLETED else 1


def _stop_orphaned_commands(ctx: RunContext, runner: ActionsRunner) -> None:
    """Kill the agent's commands that outlived the killed engine, and say so in the log."""
    from prpilot.agent.sandbox import reap_orphans

    if ctx.workspace and (killed := reap_orphans(Path(ctx.workspace))):
        runner.warning(f"prpilot: stopped the agent's commands the killed engine left running (processes "
                       f"{', '.join(map(str, killed))})")


def _retire_stale_comments(env: Mapping[str, str], task: Task) -> None:
    """Try once more to point the status comments the engine's answer could not go into at the answer (issue #29)."""
    from prpilot.wiring.run import Run

    run = Run.essentials(env, Step.FINISH, ActionsRunner(env), ("github-token",))
    if run is None or not run.settings.github_token or task.status_comment_id is None:
        return
    run.status_comment().tidy(task, None)


def _push_the_work(task: Task, resume: tuple[WorkingBranch, str, list[str] | None], run: Run) -> str:
    """Push what the killed agent changed in the checkout, as the engine does after any failure.

    Returns the patch of a commit the push could not take ("" when it went, or there was none).
    """
    from prpilot.engine.change_rules import ChangeRules
    from prpilot.engine.working_branch import GitWork
    from prpilot.github.checkout import Checkout

    settings, ctx = run.settings, run.context
    if not ctx.workspace:
        return ""
    try:
        checkout = Checkout(Path(ctx.workspace), server_url=ctx.server_url, token=settings.github_token)
    except PrpilotError:
        return ""  # no checkout left to push from
    branch, title, touched = resume
    rules = ChangeRules(allow_workflow_edits=settings.allow_workflow_edits)
    work = GitWork(checkout, run.github, ctx.run_url, secrets=settings.secrets(), rules=rules)
    work.save(task, branch, title, touched)
    if task.branch is None:  # nothing left uncommitted: what the engine committed before it was killed
        work.push_committed(task, branch)
    return work.unpushed_patch()


def _answered_on_the_thread(task: Task, github: GitHubRepository) -> Task | None:
    """The task as its status comment tells it, when the engine was killed just after answering."""
    from prpilot.thread.records import extract_task

    if task.status_comment_id is None:
        return None
    try:
        posted = extract_task(github.comment_body(task.status_comment_id))
    except PrpilotError:
        return None
    return posted if posted is not None and posted.id == task.id and posted.is_final else None
