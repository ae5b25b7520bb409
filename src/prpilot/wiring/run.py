"""One run of prpilot, read once: its settings, where it runs, whom it tells, and what it opens.

Every entry point that works on a task (the action's schedule, engine and finish steps, the queue
worker) starts with :meth:`Run.read`: the inputs and the runner's variables parsed into one typed
value, every secret masked before anything can print it. GitHub is opened once per run, on first
use (an event that is no request costs no request); the run's ledger, scheduler, meter and engine
are built here and nowhere else, and so is the model it talks to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from prpilot.errors import ConfigError, PrpilotError
from prpilot.masking import is_placeholder, placeholder_warning, secret_forms
from prpilot.notices import Notices
from prpilot.settings import (
    SECRET_INPUTS,
    TOOL_PROFILE_VARIABLE,
    Settings,
    Step,
    copilot_api_from,
    parse_settings,
    raw_inputs,
)
from prpilot.task import Task, TaskStatus
from prpilot.tuning import current as current_tuning
from prpilot.wiring.context import RunContext

if TYPE_CHECKING:  # PyGithub, the scheduler and the engine load only when the run needs them
    from prpilot.agent.endpoints import Endpoint
    from prpilot.agent.model import ChatModel
    from prpilot.billing.delivery import BillingClient
    from prpilot.billing.ledger import Ledger
    from prpilot.billing.meter import Meter
    from prpilot.engine.cancellation import CancelSignal
    from prpilot.engine.task_engine import TaskEngine
    from prpilot.github.rest import GitHubRepository
    from prpilot.scheduler.task_scheduler import Acknowledged, TaskScheduler
    from prpilot.thread.status_comment import StatusComment


@dataclass
class Run:
    """The settings, the context and the notices of one run, and the adapters it opens once."""

    settings: Settings
    context: RunContext
    notices: Notices
    # The process's environment: the agent's commands start from its PATH and tool locations.
    env: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, env: Mapping[str, str], step: Step, notices: Notices, *, context: RunContext | None = None) -> Run:
        """Parse the inputs ``step`` reads from ``env``, masking every secret first; a bad input is a ConfigError.

        The log masks every secret, however short; the engine step warns about one too short to be a
        key, which prpilot's own text does not redact. ``context`` replaces the runner's variables
        (a queue worker runs a task away from the run that admitted it).
        """
        raw = raw_inputs(env, step)
        for name in SECRET_INPUTS:
            for form in secret_forms(raw.get(name, "")):
                notices.mask(form)
            if step is Step.ENGINE and is_placeholder(raw.get(name, "")):
                notices.warning(placeholder_warning(name, raw[name]))
        settings = parse_settings(
            raw, copilot_api=copilot_api_from(env), tool_profile=env.get(TOOL_PROFILE_VARIABLE, "")
        )
        return cls(settings, context or RunContext.from_env(env), notices, env)

    @classmethod
    def essentials(cls, env: Mapping[str, str], step: Step, notices: Notices, names: Iterable[str]) -> Run | None:
        """The run as far as the inputs ``names`` make it, to answer a request when another input is wrong.

        None when these inputs or the runner's variables are wrong too: then nobody can be answered.
        """
        raw = raw_inputs(env, step)
        try:
            settings = parse_settings({name: raw[name] for name in names if name in raw})
            return cls(settings, RunContext.from_env(env), notices, env)
        except PrpilotError:
            return None

    @classmethod
    def over(
        cls, settings: Settings, context: RunContext, notices: Notices, *, github: GitHubRepository, ledger: Ledger
    ) -> Run:
        """A run over adapters already open (a library user's, or in memory), instead of opening its own."""
        run = cls(settings, context, notices)
        run.__dict__.update(github=github, ledger=ledger)  # what the cached properties below would open
        return run

    def adopt(self, opened: Run) -> None:
        """Use what ``opened``, an earlier run of this process, has opened: its GitHub client and its ledger.

        The ledger keeps the commit and the month files it last read or wrote, so what the earlier run
        wrote costs no request to read again. Both runs read the same github-token and context.
        """
        for name in ("github", "ledger"):
            if name in opened.__dict__:  # opened there (cached_property), not to be opened here
                self.__dict__[name] = opened.__dict__[name]

    # --- what the run opens, once ---------------------------------------------------------------

    @cached_property
    def github(self) -> GitHubRepository:
        """The run's repository on GitHub, as GITHUB_API_URL says: the one client of the run."""
        return self._open_github()

    @cached_property
    def ledger(self) -> Ledger:
        """The run's ledger: the month files on the repository's ``refs/prpilot/ledger``."""
        from prpilot.billing.ref_ledger import ref_ledger

        return ref_ledger(self.github.ledger_store())

    def status_comment(self) -> StatusComment:
        """The task's status comment on its thread, through the run's client."""
        from prpilot.thread.status_comment import StatusComment

        return StatusComment(self.github, self.context.run_url)

    def meter(self, model: str, *, priced: bool = True) -> Meter:
        """A meter for ``model`` that settles in the run's ledger and sends the bill where the inputs say.

        ``priced=False``: the default prices and no billing endpoint or notices, for a task that ends
        before it made any call (no "unknown price" warning for it).
        """
        from prpilot.agent.endpoints import payers
        from prpilot.billing.meter import Meter
        from prpilot.billing.pricing import DEFAULT_PRICES, load_prices

        if not priced:
            return Meter(model, DEFAULT_PRICES, self.context.run_id, ledger=self.ledger)
        return Meter(
            model,
            load_prices(self.settings.prices),
            self.context.run_id,
            ledger=self.ledger,
            billing=self._billing(),
            notices=self.notices,
            billed_to=payers(self.settings),
        )

    def scheduler(self, acknowledged: Acknowledged | None = None) -> TaskScheduler:
        """The scheduler of this run's requests, with the strategy the inputs name."""
        from prpilot.scheduler.strategies import strategies_for
        from prpilot.scheduler.task_scheduler import TaskScheduler

        return TaskScheduler(
            settings=self.settings,
            github=self.github,
            ledger=self.ledger,
            run_url=self.context.run_url,
            strategies=strategies_for(self.settings, self.temp, self.github),
            notices=self.notices,
            acknowledged=acknowledged,
        )

    def engine(
        self, task: Task, workspace: Path, *, cancel: CancelSignal, checkpoint: Callable[[Task], None] | None = None
    ) -> TaskEngine | None:
        """The engine for ``task``, or None when it cannot start (the task is then failed, said and billed)."""
        from prpilot.billing.pricing import load_prices
        from prpilot.engine.reviewing import engine_class
        from prpilot.github.checkout import Checkout

        settings, ctx = self.settings, self.context
        github = self.github
        try:
            progress = self._open_github(retries=0, timeout=min(10.0, current_tuning().timeout))
            return engine_class(task)(
                settings=settings,
                github=github,
                checkout=Checkout(workspace, server_url=ctx.server_url, token=settings.github_token),
                model=chat_model(settings, self.notices.info),
                prices=load_prices(settings.prices),
                run_url=ctx.run_url,
                run_id=ctx.run_id,
                repo_url=f"{ctx.server_url}/{ctx.repository}",
                ledger=self.ledger,
                billing=self._billing(),
                runner=self.notices,
                cancel=cancel,
                command_env=self.env,
                # Progress edits go through a client of their own (PyGithub's connection is not
                # thread-safe): no retries and a short timeout, as a progress edit is a courtesy.
                progress_edits=progress.update_comment,
                progress_reads=progress.comment_body,
                checkpoint=checkpoint,
            )
        except PrpilotError as exc:
            # The task was acknowledged on the thread: it must not be left saying "queued".
            self.fail_before_start(task, exc.message)
            self.notices.error(f"prpilot: {exc.message}")
            return None

    def fail_before_start(self, task: Task, why: str) -> None:
        """End a task that could not start: failed, said on the thread, settled at zero in the ledger."""
        from prpilot.thread.ending import Ending, end_task

        ending = Ending(
            thread=self.status_comment(), meter=self.meter(task.gpt_model, priced=False), notices=self.notices
        )
        end_task(task, TaskStatus.FAILED, f"prpilot could not start: {why}", ending)

    @property
    def temp(self) -> Path:
        """Where the run keeps its files between steps (RUNNER_TEMP)."""
        return Path(self.context.runner_temp or ".")

    def _billing(self) -> BillingClient | None:
        """The billing endpoint the inputs name, if any."""
        from prpilot.billing.delivery import BillingClient

        settings = self.settings
        return BillingClient(settings.billing_url, settings.billing_token) if settings.billing_url else None

    def _open_github(self, *, retries: int = 4, timeout: float | None = None) -> GitHubRepository:
        from prpilot.github.rest import open_repository

        if not self.settings.github_token:
            raise ConfigError("the github-token input is empty; pass ${{ github.token }} or a token with write access")
        ctx = self.context
        return open_repository(
            self.settings.github_token, ctx.api_url, ctx.repository, retries=retries, timeout=timeout
        )


def chat_model(settings: Settings, say: Callable[[str], None] | None = None) -> ChatModel:
    """The model the settings name: OpenAI-compatible as configured, else Copilot requests with the github-token.

    With a ``fallback-model``, a FallbackChatModel that moves to it when the primary's endpoint keeps failing.
    ``say`` logs a move to the Responses API.
    """
    from prpilot.agent.endpoints import fallback_endpoint, primary_endpoint
    from prpilot.agent.fallback import FallbackChatModel
    from prpilot.agent.openai_model import endpoint_unavailable

    primary = primary_endpoint(settings)
    model = model_at(primary, settings, say)
    fallback = fallback_endpoint(settings, primary)
    if fallback is None:
        return model
    return FallbackChatModel(
        model, model_at(fallback, settings, say), primary.model, fallback.model, endpoint_unavailable
    )


def model_at(endpoint: Endpoint, settings: Settings, say: Callable[[str], None] | None = None) -> ChatModel:
    """The OpenAI-compatible client for ``endpoint``, bounded and on the API ``model-api`` picks for its model.

    The Copilot API explains a refused token.
    """
    from prpilot.agent.endpoints import CopilotAccess
    from prpilot.agent.model_api import api_for
    from prpilot.agent.openai_model import OpenAIChatModel

    model: ChatModel = OpenAIChatModel(
        endpoint.base_url,
        endpoint.api_key,
        endpoint.model,
        api=api_for(endpoint.model, settings.model_api),
        max_output_tokens=settings.max_output_tokens,
        reasoning_effort=settings.reasoning_effort,
        headers=endpoint.headers,
        say=say,
    )
    return CopilotAccess(model) if endpoint.copilot else model
