"""TaskScheduler: turn an event into an admitted, acknowledged and scheduled task, or say why not.

The order is chosen for a fast acknowledgement: the permission check, the 👀 reaction and the
status comment are the first three GitHub requests; the ledger (budget and rate limit) comes
after, and a refusal then edits the status comment in place. In the action those three requests
are made by its first step, before the install (:mod:`prpilot.actions.acknowledge`): what it
learned comes here as an :class:`Acknowledged`, and none of them is made again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from prpilot.billing.hold import admission_hold
from prpilot.billing.ledger import Ledger, Record, held_this_month, spent_this_month, tasks_in_last_hour
from prpilot.billing.meter import Meter
from prpilot.billing.pricing import DEFAULT_PRICES, find_price, load_prices
from prpilot.errors import PrpilotError
from prpilot.github.port import GitHubPort
from prpilot.intake.thread_commands import effective_cap
from prpilot.notices import Notices
from prpilot.scheduler import admission
from prpilot.scheduler.strategies import Strategy
from prpilot.settings import Settings
from prpilot.task import Task, TaskStatus, utcnow
from prpilot.thread.ending import Ending, end_task
from prpilot.thread.late_writes import settle_time
from prpilot.thread.markdown import MARKER, status_comment
from prpilot.thread.records import extract_task
from prpilot.thread.status_comment import StatusComment, find_own_comment, post_once

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Acknowledged:
    """What the action's first step did already: the permission it read, the status comment it posted."""

    task_id: str
    created_at: datetime
    permission: str | None
    status_comment_id: int | None = None
    acknowledged: bool = True  # False: it read the permission only (the request's options were malformed)

    def apply(self, task: Task) -> None:
        """Make ``task`` the one the first step announced (its id is in the status comment)."""
        task.id, task.created_at = self.task_id, self.created_at
        if self.status_comment_id is not None:
            task.status_comment_id = self.status_comment_id


@dataclass
class Scheduled:
    """What scheduling an event came to: the task (when there is one) and why it stands as it does."""

    task: Task | None
    reason: str = ""

    @property
    def admitted(self) -> bool:
        return self.task is not None and self.task.status is TaskStatus.SCHEDULED

    @property
    def status(self) -> str:
        if self.task is None or self.task.status is None:
            return TaskStatus.SKIPPED.value
        return self.task.status.value


@dataclass
class TaskScheduler:
    """Check, admit, acknowledge and schedule one task."""

    settings: Settings
    github: GitHubPort
    ledger: Ledger | None
    run_url: str
    strategies: Mapping[str, Strategy] = field(default_factory=dict)
    clock: Callable[[], datetime] = utcnow
    notices: Notices | None = None  # the runner: a task that ends here writes its outputs there
    acknowledged: Acknowledged | None = None  # set when the action's first step made the first requests

    def user_can_write(self, task: Task) -> admission.Rejection | None:
        is_bot = bool(task.context.get("requester_is_bot"))
        if self.acknowledged is not None:
            permission = self.acknowledged.permission
        else:
            permission = None if is_bot else self.github.permission(task.github_user)
        return admission.user_can_write(permission, task.github_user, is_bot, self.settings.allowed_bots)

    def schedule(self, task: Task) -> Scheduled:
        """Admit ``task`` and hand it to the configured strategy."""
        refusal = self.user_can_write(task)
        if refusal is not None:
            # Bots get no answer: answering could start a loop between two bots.
            answer = refusal.code is not admission.RejectionCode.BOT_NOT_ALLOWED
            self.end(task, TaskStatus.REJECTED, refusal.message, answer=answer)
            return Scheduled(task=task, reason=refusal.message)
        request_error = task.context.get("request_error")
        if isinstance(request_error, str) and request_error:  # a malformed option, such as --max-cost abc
            self.end(task, TaskStatus.REJECTED, request_error)
            return Scheduled(task=task, reason=request_error)
        # Pure, so the acknowledgement can show it: the request may lower max-cost, never raise it.
        task.max_cost_usd = effective_cap(task.max_cost_usd, self.settings.max_cost_usd)
        if self.acknowledged is None or not self.acknowledged.acknowledged:
            self.acknowledge(task)
        else:
            find_own_comment(self.github, task)  # no request when the first step handed its id over
        try:
            refusal = self.pull_is_from_fork(task) or self.admit(task)
            if refusal is not None:
                self.end(task, TaskStatus.REJECTED, refusal.message)
                return Scheduled(task=task, reason=refusal.message)
            task.transition(TaskStatus.SCHEDULED)
            strategy = self.strategies.get(self.settings.strategy)
            if strategy is None:
                raise PrpilotError(f"the {self.settings.strategy} strategy is not available here")
            strategy(task)
        except Exception as exc:
            # Acknowledged, so the thread must hear how it ended, even when prpilot itself broke.
            if isinstance(exc, PrpilotError):
                why = exc.message
            else:
                log.exception("internal error while scheduling")
                why = f"prpilot hit an internal error ({type(exc).__name__}: {exc}). Please report it."
            if task.is_final:  # answered already; it was the answer that failed
                raise
            # A task that was admitted holds a reservation: settling it at zero frees its budget hold.
            reserved = task.status is TaskStatus.SCHEDULED
            self.end(task, TaskStatus.FAILED, f"prpilot could not schedule the task: {why}", settle=reserved)
            return Scheduled(task=task, reason=task.result)
        return Scheduled(task=task)

    def acknowledge(self, task: Task) -> None:
        """React 👀 to the request (where GitHub can) and post the status comment that links to the run."""
        # GitHub has reactions on comments but none on a pull request review's summary
        # (https://docs.github.com/en/rest/reactions/reactions): there the acknowledgement is the
        # permission check and the status comment alone.
        if task.comment_id is not None and task.comment_kind in ("issue", "review"):
            try:
                self.github.react(task.comment_id, task.comment_kind, "eyes")
            except PrpilotError as exc:  # a missing reaction must not stop the task
                log.warning("could not add the reaction: %s", exc.message)
        if task.thread_number is None:
            return
        body = status_comment(task, run_url=self.run_url)
        earlier = self.earlier_attempts_comment(task)
        if earlier is not None:
            task.status_comment_id = earlier
            self.github.update_comment(earlier, body)
        else:
            # A POST that timed out may have been carried out: post_once looks for it before posting again.
            task.status_comment_id = post_once(self.github, task.thread_number, body, task.id, settle=settle_time())

    def earlier_attempts_comment(self, task: Task) -> int | None:
        """On "Re-run jobs", the status comment an earlier attempt of this run posted for the same request.

        Re-using it keeps one answer per request on the thread; the first attempt costs no lookup.
        """
        if task.run_attempt < 2 or task.thread_number is None:
            return None
        for comment_id, body in self.github.comments_with(task.thread_number, MARKER):
            earlier = extract_task(body)
            if earlier is not None and earlier.installation_id == task.installation_id and (
                (earlier.comment_id, earlier.event_name, earlier.user_request)
                == (task.comment_id, task.event_name, task.user_request)
            ):
                return comment_id
        return None

    def pull_is_from_fork(self, task: Task) -> admission.Rejection | None:
        """For a pull request task, learn its head (the comment event does not carry it)."""
        if task.pr_number is None:
            return None
        if task.head is None or task.head_repo is None:
            pull = self.github.get_pull(task.pr_number)
            task.head, task.head_repo, task.base = pull.head_ref, pull.head_repo, pull.base_ref
        if task.kind == "review" and task.head_repo is not None:
            return None  # a review reads the fork's head and pushes nothing: no hints, no commands from it
        return admission.pull_is_from_fork(task.head_repo, task.github_project, task.pr_number)

    def admit(self, task: Task) -> admission.Rejection | None:
        """Reserve the task's slot in the ledger unless a budget or the rate limit says no."""
        if self.ledger is None:
            return None
        table = load_prices(self.settings.prices)
        # The fallback may answer any call, so it is priced like the model (issue 28, item 5).
        models = [("model", self.settings.model)] + (
            [("fallback model", self.settings.fallback_model)] if self.settings.fallback_model else [])
        prices = {name: find_price(name, table) for _, name in models}
        for role, name in models:
            refusal = admission.budget_can_be_counted(self.settings.limits, name, prices[name] is not None, role=role)
            if refusal is not None:
                return refusal
        hold = admission_hold(
            task.max_cost_usd, budgeted=admission.budgeted(self.settings.limits), max_steps=self.settings.max_steps,
            max_output_tokens=self.settings.max_output_tokens,
            prices=[price for price in prices.values() if price is not None],
        )
        now = self.clock()

        def decide(records: list[Record]) -> str | None:
            nonlocal refusal
            facts = admission.AdmissionFacts(
                spent_project=spent_this_month(records, now),
                spent_user=spent_this_month(records, now, user=task.github_user),
                held_project=held_this_month(records, now),
                held_user=held_this_month(records, now, user=task.github_user),
                tasks_in_last_hour=tasks_in_last_hour(records, now),
                now=now,
            )
            refusal = admission.admission_decision(self.settings.limits, facts)
            task.allowance = admission.allowance(self.settings.limits, facts)
            return refusal.message if refusal else None

        self.ledger.admit(task, decide, hold=hold, model=self.settings.model)
        if refusal is None and admission.budgeted(self.settings.limits) and hold > 0:  # a free model holds 0: no cap
            task.hold_usd = hold  # the engine stops there, so the bill stays within the hold
        return refusal

    def end(self, task: Task, status: TaskStatus, why: str, *, answer: bool = True, settle: bool = False) -> None:
        """End ``task`` here (refused or failed), through the one ending every task has."""
        meter = None
        if settle and self.ledger is not None:
            meter = Meter(self.settings.model, DEFAULT_PRICES, task.installation_id, ledger=self.ledger)
        thread = StatusComment(self.github, self.run_url) if answer and task.thread_number is not None else None
        end_task(task, status, why, Ending(thread=thread, meter=meter, notices=self.notices))
