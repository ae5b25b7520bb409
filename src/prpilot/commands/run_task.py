"""Run a task away from its Actions run: a queue worker or a Kubernetes Job.

The engine is the same as in Actions; the difference is the checkout, which is cloned here
through a per-repository cached mirror, and the settings, which come from the worker's own
environment in the same ``INPUT_<NAME>`` form the action uses (plus GITHUB_API_URL and
GITHUB_SERVER_URL, which default to GitHub.com).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from prpilot.engine.cancellation import CancelSignal
from prpilot.errors import ConfigError, EventError
from prpilot.notices import LogNotices, Notices
from prpilot.settings import Step
from prpilot.task import Task, TaskStatus
from prpilot.wiring.context import RunContext
from prpilot.wiring.run import Run


def clone_github_repo(ctx: RunContext, token: str, dest: Path, cache_root: Path) -> Path:
    """Clone the task's repository into ``dest`` through the cached mirror under ``cache_root``."""
    from prpilot.github.mirror import clone_with_mirror

    return clone_with_mirror(f"{ctx.server_url}/{ctx.repository}.git", token, dest, cache_root)


def context_for(task: Task, env: Mapping[str, str], workspace: Path) -> RunContext:
    """The run context of a queued task: its repository, the run that admitted it, this checkout."""
    return RunContext(
        repository=task.github_project,
        api_url=(env.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
        server_url=(env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/"),
        run_id=task.installation_id,
        workspace=str(workspace),
    )


def run_task_in(
    task: Task, workdir: Path, env: Mapping[str, str], *, notices: Notices, cancel: CancelSignal | None = None
) -> Task:
    """Clone, run the engine and report on the thread and to ``notices``; return the task in its final state.

    The caller picks ``notices`` (outputs, summary, log): the worker's own loop knows no runner.
    """
    checkout = workdir / "checkout"
    run = Run.read(env, Step.ENGINE, notices, context=context_for(task, env, checkout))
    if not run.settings.github_token:
        raise ConfigError("the worker needs INPUT_GITHUB-TOKEN (a token that may push to the repository)")
    _check_reservation(task, run)
    cache = Path(env.get("PRPILOT_MIRROR_CACHE") or Path.home() / ".cache" / "prpilot" / "mirrors")
    clone_github_repo(run.context, run.settings.github_token, checkout, cache)
    engine = run.engine(task, checkout, cancel=cancel or CancelSignal())
    if engine is not None:
        engine.run(task)
    return task


def _check_reservation(task: Task, run: Run) -> None:
    """Refuse a queued task the ledger did not admit: whoever can write to the queue asserts nothing (issue 28)."""
    from prpilot.scheduler.handover import handover_refusal, reservation_of

    records = run.ledger.records()
    refusal = handover_refusal(records, task, model=run.settings.model)
    if refusal is not None:
        raise EventError(f"the queued task is refused: {refusal}")
    reservation = reservation_of(records, task.id)
    task.hold_usd = reservation.hold_usd if reservation is not None and reservation.hold_usd else None


def run_queued_task(task: Task, workdir: Path) -> None:
    """The queue worker's engine: the worker owns the signals, so no handler is installed here.

    ``/pilot stop`` reaches it as the queue's stop flag, which the engine checks between agent steps.
    """
    from prpilot.worker.task_worker import stop_requested

    # No runner reads a worker's log: plain lines, nothing masked (a mask command would print the secret).
    run_task_in(task, workdir, dict(os.environ), notices=LogNotices(), cancel=CancelSignal(also=stop_requested))


def run_task_main(env: Mapping[str, str]) -> int:
    """``prpilot run-task``: run the task in PRPILOT_TASK (a Kubernetes Job's container)."""
    import tempfile

    text = env.get("PRPILOT_TASK", "")
    if not text:
        raise ConfigError("PRPILOT_TASK is not set: it must hold the task as JSON")
    try:
        task = Task.model_validate_json(text)
    except ValueError as exc:
        raise ConfigError(f"PRPILOT_TASK is not a prpilot task ({str(exc).splitlines()[0]})") from exc
    cancel = CancelSignal()
    cancel.install()
    with tempfile.TemporaryDirectory(prefix="prpilot-task-") as workdir:
        run_task_in(task, Path(workdir), env, notices=LogNotices(), cancel=cancel)
    return 0 if task.status is TaskStatus.COMPLETED else 1
