"""Build a TaskEngine from settings and a run context: shared by the Actions step and the queue worker."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from prpilot.actions.run_context import RunContext
from prpilot.actions.runner_commands import ActionsRunner
from prpilot.agent.model import ChatModel
from prpilot.billing.delivery import BillingClient
from prpilot.billing.ledger import Ledger
from prpilot.billing.meter import Meter
from prpilot.billing.pricing import load_prices
from prpilot.engine.cancellation import CancelSignal
from prpilot.engine.task_engine import TaskEngine
from prpilot.errors import ConfigError, PrpilotError
from prpilot.github.checkout import Checkout
from prpilot.github.ledger_ref import GitRefLedgerBackend
from prpilot.github.rest import GitHubRepository, connect
from prpilot.github.tuning import current as current_tuning
from prpilot.settings import Settings
from prpilot.task import Task, TaskStatus
from prpilot.thread.markdown import status_comment
from prpilot.thread.status_comment import StatusComment


def chat_model(settings: Settings) -> ChatModel:
    """The OpenAI-compatible model the settings name."""
    from prpilot.agent.openai_model import OpenAIChatModel

    if not settings.openai_api_key:
        raise ConfigError(
            "the openai-api-key input is empty; store the key as a repository secret and pass "
            "openai-api-key: ${{ secrets.OPENAI_API_KEY }}"
        )
    return OpenAIChatModel(settings.openai_base_url, settings.openai_api_key, settings.model)


def progress_editor(token: str, ctx: RunContext) -> Callable[[int, str], None]:
    """Edit the status comment through a client of its own (PyGithub's connection is not thread-safe).

    No retries and a short timeout: a progress edit is a courtesy, and the final answer waits for it.
    """
    timeout = min(10.0, current_tuning().timeout)
    return GitHubRepository(connect(token, ctx.api_url, retries=0, timeout=timeout), ctx.repository).update_comment


def build_engine(
    settings: Settings,
    ctx: RunContext,
    task: Task,
    workspace: Path,
    *,
    runner: ActionsRunner,
    cancel: CancelSignal,
    env: Mapping[str, str],
    checkpoint: Callable[[Task], None] | None = None,
) -> TaskEngine | None:
    """Return the engine for ``task``, or None when it cannot start (the task is then failed, said and billed)."""
    if not settings.github_token:
        raise ConfigError("the github-token input is empty")
    github = GitHubRepository(connect(settings.github_token, ctx.api_url), ctx.repository)
    ledger = Ledger(GitRefLedgerBackend(github.repository()))
    try:
        return TaskEngine(
            settings=settings,
            github=github,
            checkout=Checkout(workspace, server_url=ctx.server_url, token=settings.github_token),
            model=chat_model(settings),
            prices=load_prices(settings.prices),
            run_url=ctx.run_url,
            run_id=ctx.run_id,
            repo_url=f"{ctx.server_url}/{ctx.repository}",
            ledger=ledger,
            billing=BillingClient(settings.billing_url, settings.billing_token) if settings.billing_url else None,
            runner=runner,
            cancel=cancel,
            command_env=env,
            progress_edits=progress_editor(settings.github_token, ctx),
            checkpoint=checkpoint,
        )
    except PrpilotError as exc:
        # The task was acknowledged on the thread: it must not be left saying "queued".
        fail_before_start(task, github, ledger, ctx, exc.message, runner)
        runner.error(f"prpilot: {exc.message}")
        return None


def fail_before_start(
    task: Task, github: GitHubRepository, ledger: Ledger, ctx: RunContext, why: str, runner: ActionsRunner
) -> None:
    """End a task that could not start: failed, said on the thread, settled at zero in the ledger."""
    from prpilot.billing.pricing import DEFAULT_PRICES

    task.transition(TaskStatus.RUNNING)
    task.transition(TaskStatus.FAILED, f"prpilot could not start: {why}")
    # No runner for the meter: a task that made no call needs no "unknown price" warning.
    settle_and_answer(task, github, Meter(task.gpt_model, DEFAULT_PRICES, ctx.run_id, ledger=ledger), ctx, runner)


def settle_and_answer(
    task: Task, github: GitHubRepository, meter: Meter, ctx: RunContext, runner: ActionsRunner, *, answer: bool = True
) -> None:
    """Bill the ended ``task`` (ledger, billing endpoint) and, when ``answer``, write its end into the status comment.

    The bill comes first and neither part raises, so an answer GitHub refuses loses no record.
    """
    meter.settle(task)
    if not answer:
        return
    cost = meter.cost_line() if task.usage.calls else ""
    body = status_comment(task, run_url=ctx.run_url, detail=task.result, cost=cost)
    try:
        StatusComment(github, ctx.run_url).publish(task, body)
    except PrpilotError as exc:
        runner.warning(f"could not answer on the thread: {exc.message}")
