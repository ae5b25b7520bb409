"""Build a TaskEngine from settings and a run context: shared by the Actions step and the queue worker."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from prpilot.actions.run_context import RunContext
from prpilot.agent.endpoints import CopilotAccess, Endpoint, fallback_endpoint, primary_endpoint
from prpilot.agent.model import ChatModel
from prpilot.billing.delivery import BillingClient
from prpilot.billing.ledger import Ledger
from prpilot.billing.meter import Meter
from prpilot.billing.pricing import load_prices
from prpilot.billing.ref_ledger import ref_ledger
from prpilot.engine.cancellation import CancelSignal
from prpilot.engine.task_engine import TaskEngine
from prpilot.errors import ConfigError, PrpilotError
from prpilot.github.checkout import Checkout
from prpilot.github.rest import GitHubRepository, open_repository
from prpilot.notices import Notices
from prpilot.settings import Settings
from prpilot.task import Task, TaskStatus
from prpilot.thread.ending import Ending, end_task
from prpilot.thread.status_comment import StatusComment
from prpilot.tuning import current as current_tuning


def chat_model(settings: Settings, say: Callable[[str], None] | None = None) -> ChatModel:
    """The model the settings name: OpenAI-compatible as configured, else Copilot requests with the github-token.

    With a ``fallback-model``, a FallbackChatModel that moves to it when the primary's endpoint keeps failing.
    ``say`` logs a move to the Responses API.
    """
    from prpilot.agent.fallback import FallbackChatModel
    from prpilot.agent.openai_model import endpoint_unavailable

    primary = primary_endpoint(settings)
    model = model_at(primary, settings, say)
    fallback = fallback_endpoint(settings, primary)
    if fallback is None:
        return model
    return FallbackChatModel(model, model_at(fallback, settings, say), primary.model, fallback.model,
                             endpoint_unavailable)


def model_at(endpoint: Endpoint, settings: Settings, say: Callable[[str], None] | None = None) -> ChatModel:
    """The OpenAI-compatible client for ``endpoint``, bounded and on the API ``model-api`` picks for its model.

    The Copilot API explains a refused token.
    """
    from prpilot.agent.model_api import api_for
    from prpilot.agent.openai_model import OpenAIChatModel

    model: ChatModel = OpenAIChatModel(
        endpoint.base_url, endpoint.api_key, endpoint.model,
        api=api_for(endpoint.model, settings.model_api),
        max_output_tokens=settings.max_output_tokens,
        reasoning_effort=settings.reasoning_effort,
        headers=endpoint.headers,
        say=say,
    )
    return CopilotAccess(model) if endpoint.copilot else model


def progress_editor(token: str, ctx: RunContext) -> GitHubRepository:
    """The client progress edits go through, of their own (PyGithub's connection is not thread-safe).

    No retries and a short timeout: a progress edit is a courtesy, and the final answer waits for it.
    """
    return open_github(token, ctx, retries=0, timeout=min(10.0, current_tuning().timeout))


def open_github(token: str, ctx: RunContext, *, retries: int = 4, timeout: float | None = None) -> GitHubRepository:
    """The run's repository on GitHub (and, through ``.ledger_store()``, its ledger), as GITHUB_API_URL says."""
    return open_repository(token, ctx.api_url, ctx.repository, retries=retries, timeout=timeout)


def build_engine(
    settings: Settings,
    ctx: RunContext,
    task: Task,
    workspace: Path,
    *,
    runner: Notices,
    cancel: CancelSignal,
    env: Mapping[str, str],
    checkpoint: Callable[[Task], None] | None = None,
) -> TaskEngine | None:
    """Return the engine for ``task``, or None when it cannot start (the task is then failed, said and billed)."""
    if not settings.github_token:
        raise ConfigError("the github-token input is empty")
    github = open_github(settings.github_token, ctx)
    ledger = ref_ledger(github.ledger_store())
    try:
        model = chat_model(settings, runner.info)
        return TaskEngine(
            settings=settings,
            github=github,
            checkout=Checkout(workspace, server_url=ctx.server_url, token=settings.github_token),
            model=model,
            prices=load_prices(settings.prices),
            run_url=ctx.run_url,
            run_id=ctx.run_id,
            repo_url=f"{ctx.server_url}/{ctx.repository}",
            ledger=ledger,
            billing=BillingClient(settings.billing_url, settings.billing_token) if settings.billing_url else None,
            runner=runner,
            cancel=cancel,
            command_env=env,
            progress_edits=(progress := progress_editor(settings.github_token, ctx)).update_comment,
            progress_reads=progress.comment_body,
            checkpoint=checkpoint,
        )
    except PrpilotError as exc:
        # The task was acknowledged on the thread: it must not be left saying "queued".
        fail_before_start(task, github, ledger, ctx, exc.message, runner)
        runner.error(f"prpilot: {exc.message}")
        return None


def fail_before_start(
    task: Task, github: GitHubRepository, ledger: Ledger, ctx: RunContext, why: str, runner: Notices
) -> None:
    """End a task that could not start: failed, said on the thread, settled at zero in the ledger."""
    from prpilot.billing.pricing import DEFAULT_PRICES

    # No notices for the meter: a task that made no call needs no "unknown price" warning.
    meter = Meter(task.gpt_model, DEFAULT_PRICES, ctx.run_id, ledger=ledger)
    ending = Ending(thread=StatusComment(github, ctx.run_url), meter=meter, notices=runner)
    end_task(task, TaskStatus.FAILED, f"prpilot could not start: {why}", ending)
