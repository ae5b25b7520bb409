"""The Task: one request, its lifecycle and its persistence port."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, Field

from prpilot.errors import IllegalTransition


class TaskStatus(StrEnum):
    """Where a task stands. ``rejected``, ``skipped``, ``completed`` and ``failed`` are final."""

    SCHEDULED = "scheduled"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    REJECTED = "rejected"
    SKIPPED = "skipped"


FINAL_STATUSES = frozenset(
    {TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.REJECTED, TaskStatus.SKIPPED}
)

# scheduled -> running -> completed | failed; a task may also end before running: rejected or
# skipped at admission, or failed when admission itself broke (GitHub down, say).
_ALLOWED: dict[TaskStatus | None, frozenset[TaskStatus]] = {
    None: frozenset({TaskStatus.SCHEDULED, TaskStatus.REJECTED, TaskStatus.SKIPPED, TaskStatus.FAILED}),
    TaskStatus.SCHEDULED: frozenset({TaskStatus.RUNNING, TaskStatus.REJECTED, TaskStatus.FAILED}),
    TaskStatus.RUNNING: frozenset({TaskStatus.COMPLETED, TaskStatus.FAILED}),
}


def utcnow() -> datetime:
    """Return the current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


class Usage(BaseModel):
    """Tokens as the model API reported them, summed over calls."""

    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    # Requests that timed out after they were sent: the endpoint may have generated and billed a reply
    # whose usage it never reported, so it is counted as unknown, not as 0 tokens.
    unknown_calls: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            calls=self.calls + other.calls,
            unknown_calls=self.unknown_calls + other.unknown_calls,
        )

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ModelUsage(BaseModel):
    """What one model of a task used and cost (a task whose fallback took over has two)."""

    model: str
    usage: Usage
    cost_usd: Decimal = Decimal(0)


class Allowance(BaseModel):
    """The month to date and what the monthly budgets had left when the task was admitted (None: not set)."""

    month_spent_usd: Decimal | None = None  # the repository's settled spend this month, before this task
    user_spent_usd: Decimal | None = None  # the requester's
    month_left_usd: Decimal | None = None
    month_budget_usd: Decimal | None = None
    user_left_usd: Decimal | None = None
    user_budget_usd: Decimal | None = None


class CheckRun(BaseModel):
    """One setup or verify command as it ran: how it ended, how long it took, the bounded redacted end of its output."""

    command: str
    exit_code: int | None  # None: it did not finish (stopped at its timeout, or could not start)
    seconds: float
    output: str = ""
    timed_out: bool = False

    @property
    def passed(self) -> bool:
        return self.exit_code == 0


# A task's id names files (the task file in RUNNER_TEMP) and branches: letters, digits, - and _ only.
TASK_ID_PATTERN = r"^[A-Za-z0-9_-]{1,128}$"


class Task(BaseModel):
    """One request to the agent, from trigger to answer."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12], pattern=TASK_ID_PATTERN)
    status: TaskStatus | None = None
    result: str = ""
    github_user: str
    github_project: str
    user_request: str
    kind: str = "change"  # "change": edit, commit, push; "review": read the pull request and post a review
    gpt_model: str = ""
    installation_id: str = ""  # in Actions: the workflow run id
    pr_number: int | None = None
    issue_number: int | None = None
    head: str | None = None  # PR head branch, for PR tasks
    head_repo: str | None = None  # owner/name of the PR head (differs from github_project for forks)
    base: str | None = None
    branch: str | None = None  # the working branch the engine pushed
    context: dict[str, Any] = Field(default_factory=dict)
    event_name: str = ""
    comment_id: int | None = None
    comment_kind: str | None = None  # "issue" | "review" | "pull_review" (a review's summary): where comment_id lives
    status_comment_id: int | None = None
    # Counts the writes of the status comment (its hidden state): a write that lands late never replaces a newer one.
    status_version: int = 0
    # Status comments of this task its answer could not be written into: told where the answer is at the end.
    stale_comment_ids: list[int] = Field(default_factory=list)
    pr_url: str | None = None
    usage: Usage = Field(default_factory=Usage)
    cost_usd: Decimal = Decimal(0)
    model_usage: list[ModelUsage] = Field(default_factory=list)  # the same totals, per model, once billed
    # This task's cost cap: the request's --max-cost within the workflow's max-cost (the scheduler clamps it).
    max_cost_usd: Decimal | None = None
    # What admission held against a monthly budget (issue 28): the engine stops there too, so the hold bounds the bill.
    hold_usd: Decimal | None = None
    allowance: Allowance | None = None  # the budgets' remainder at admission, shown on the status comment
    changed_files: list[str] = Field(default_factory=list)  # what the task pushed, for a follow-up to read
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    verify: str = "skipped"  # the project's checks on the change: passed, failed or skipped
    review_id: int | None = None  # the review holding prpilot's summary, for a review task
    review_comments: int = 0  # inline comments that review task posted
    structured_output: str = ""  # the final answer as one line of JSON, when output-schema asked for it

    @property
    def thread_number(self) -> int | None:
        """The issue or pull request whose thread gets the answers."""
        return self.pr_number if self.pr_number is not None else self.issue_number

    @property
    def run_attempt(self) -> int:
        """Which attempt of its workflow run this is ("Re-run jobs" counts up); 1 unless the context says more."""
        attempt = self.context.get("run_attempt")
        return attempt if isinstance(attempt, int) and not isinstance(attempt, bool) and attempt > 1 else 1

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    def transition(self, new: TaskStatus, result: str | None = None) -> None:
        """Move to ``new``; refuse any change the lifecycle does not allow."""
        if new not in _ALLOWED.get(self.status, frozenset()):
            raise IllegalTransition(f"task {self.id}: cannot go from {self.status} to {new}")
        self.status = new
        if result is not None:
            self.result = result
        if new is TaskStatus.RUNNING:
            self.started_at = utcnow()
        if new in FINAL_STATUSES:
            self.finished_at = utcnow()

    def save(self, store: TaskStore) -> None:
        """Persist through ``store`` (in Actions: the status comment's hidden JSON)."""
        store.save(self)


class TaskStore(Protocol):
    """Where tasks are kept. Library users plug in their own."""

    def save(self, task: Task) -> None: ...

    def load(self, task_id: str) -> Task | None: ...
