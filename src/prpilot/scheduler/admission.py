"""Admission checks: pure decisions over facts the adapters fetch.

Each check returns None when the task may go ahead, or a :class:`Rejection` whose message says in
plain words why not and how an admin can change the limit. Messages are posted in the thread as
they are, so they name the repository variable and where GitHub keeps it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from prpilot.billing.money import format_usd as usd
from prpilot.intake import rules
from prpilot.settings import Limits
from prpilot.task import Allowance

WRITE_PERMISSIONS = rules.WRITE_PERMISSIONS

VARIABLES_PLACE = "Settings → Secrets and variables → Actions → Variables"
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class RejectionCode(StrEnum):
    """Why a task was refused, for programs; the message is for people."""

    NO_WRITE_ACCESS = "no_write_access"
    BOT_NOT_ALLOWED = "bot_not_allowed"
    PROJECT_BUDGET = "project_budget"
    USER_BUDGET = "user_budget"
    RATE_LIMIT = "rate_limit"
    FORK = "fork"
    UNPRICED_MODEL = "unpriced_model"


class Rejection(BaseModel):
    """A refused task: a stable code and a message that says why and how to change it."""

    model_config = ConfigDict(frozen=True)

    code: RejectionCode
    message: str


class AdmissionFacts(BaseModel):
    """What the scheduler knows when it decides: spending this month and tasks in the last hour."""

    model_config = ConfigDict(frozen=True)

    spent_project: Decimal = Decimal(0)
    spent_user: Decimal = Decimal(0)
    held_project: Decimal = Decimal(0)  # the caps of admitted tasks not billed yet
    held_user: Decimal = Decimal(0)
    tasks_in_last_hour: int = 0  # tasks started before this one; this one is not counted
    now: datetime


def month_label(now: datetime) -> str:
    """Name the calendar month of ``now`` in English, such as ``November 2026`` (locale-free)."""
    return f"{MONTHS[now.month - 1]} {now.year}"


def user_can_write(permission: str | None, login: str, is_bot: bool, allowed_bots: Sequence[str]) -> Rejection | None:
    """Admit people with write, maintain or admin access, and bots listed in allowed-bots.

    An allow-listed bot passes whatever its collaborator permission: GitHub Apps are not
    collaborators (the permission API answers 404 for them), so listing the bot is the admin's
    decision. A bot not listed is refused even with write access, so bots cannot loop on each
    other's comments. ``permission`` None means GitHub does not know the user (404).
    """
    refusal = rules.write_access_refusal(permission, login, is_bot, allowed_bots)
    return None if refusal is None else Rejection(code=RejectionCode(refusal[0]), message=refusal[1])


def _budget(
    limit: Decimal | None, spent: Decimal, held: Decimal, month: str, whose: str, variable: str
) -> str | None:
    if limit is None or spent + held < limit:
        return None
    if limit <= 0:
        why = f"{whose.capitalize()} monthly budget is {usd(limit)}, so no tasks can run."
    elif held:
        why = (
            f"{whose.capitalize()} monthly budget of {usd(limit)} is taken: {usd(spent)} used in {month} and "
            f"{usd(held)} held for tasks still running (each holds its max-cost, or what its model calls "
            "may cost at most, until its bill comes). "
            "Try again when they finish."
        )
    else:
        why = f"{whose.capitalize()} monthly budget of {usd(limit)} is spent ({usd(spent)} used in {month})."
    return f"{why} An admin can raise it with the repository variable {variable} ({VARIABLES_PLACE})."


def project_budget_left(
    limit: Decimal | None, spent: Decimal, month: str, held: Decimal = Decimal(0)
) -> Rejection | None:
    """Refuse when the project's spend plus its open holds reach the monthly budget."""
    message = _budget(limit, spent, held, month, "the", "PRPILOT_MONTHLY_BUDGET")
    return None if message is None else Rejection(code=RejectionCode.PROJECT_BUDGET, message=message)


def user_budget_left(limit: Decimal | None, spent: Decimal, month: str, held: Decimal = Decimal(0)) -> Rejection | None:
    """Refuse when the requester's spend plus open holds reach the per-person monthly budget."""
    message = _budget(limit, spent, held, month, "your", "PRPILOT_USER_MONTHLY_BUDGET")
    return None if message is None else Rejection(code=RejectionCode.USER_BUDGET, message=message)


def project_has_reached_rate_limit(limit: int | None, tasks_in_last_hour: int) -> Rejection | None:
    """Refuse when ``limit`` tasks or more started in the last hour (None means no limit)."""
    if limit is None or tasks_in_last_hour < limit:
        return None
    if limit <= 0:
        why = "The rate limit is 0 tasks per hour, so no tasks can run."
    else:
        plural = "task" if tasks_in_last_hour == 1 else "tasks"
        why = (
            f"This repository started {tasks_in_last_hour} {plural} in the last hour; the rate limit "
            f"is {limit} per hour. Try again later."
        )
    return Rejection(
        code=RejectionCode.RATE_LIMIT,
        message=f"{why} An admin can raise it with the repository variable PRPILOT_RATE_LIMIT ({VARIABLES_PLACE}).",
    )


def budgeted(limits: Limits) -> bool:
    """Whether a monthly budget (the project's or each person's) is set."""
    return limits.monthly_budget_usd is not None or limits.user_monthly_budget_usd is not None


def budget_can_be_counted(
    limits: Limits, model: str, model_is_priced: bool, *, role: str = "model"
) -> Rejection | None:
    """Refuse when a budget is set but the model (or the fallback ``role``) has no price: its calls would cost 0 USD.

    A budget that every task passes at no cost is no limit at all, so prpilot says so before any
    money is spent instead of letting tasks through unmetered. A budget of 0 or less is left to the
    budget checks, whose refusal says more.
    """
    budgets = [
        (variable, limit)
        for variable, limit in (
            ("PRPILOT_MONTHLY_BUDGET", limits.monthly_budget_usd),
            ("PRPILOT_USER_MONTHLY_BUDGET", limits.user_monthly_budget_usd),
        )
        if limit is not None
    ]
    if model_is_priced or not budgets or any(limit <= 0 for _, limit in budgets):
        return None
    variables = " and ".join(variable for variable, _ in budgets)
    example = '{"' + model + '": {"input": 1, "cached_input": 0.5, "output": 4}}'
    return Rejection(
        code=RejectionCode.UNPRICED_MODEL,
        message=(
            f"A monthly budget is set ({variables}), but prpilot has no price for the {role} {model!r}, so "
            "it could not count what tasks cost against the budget. An admin can add the model's price "
            f"(USD per million tokens) with the prices input of the prpilot step, e.g. `{example}`, or pick "
            f"a {role} prpilot knows the price of."
        ),
    )


def admission_decision(limits: Limits, facts: AdmissionFacts) -> Rejection | None:
    """Apply the project budget, the requester's budget and the rate limit, in that order."""
    month = month_label(facts.now)
    return (
        project_budget_left(limits.monthly_budget_usd, facts.spent_project, month, facts.held_project)
        or user_budget_left(limits.user_monthly_budget_usd, facts.spent_user, month, facts.held_user)
        or project_has_reached_rate_limit(limits.tasks_per_hour, facts.tasks_in_last_hour)
    )


def allowance(limits: Limits, facts: AdmissionFacts) -> Allowance:
    """The month to date and what the monthly budgets have left before this task (spent and held taken off)."""

    def left(limit: Decimal | None, spent: Decimal, held: Decimal) -> Decimal | None:
        return None if limit is None else max(Decimal(0), limit - spent - held)

    project, user = limits.monthly_budget_usd, limits.user_monthly_budget_usd
    return Allowance(
        month_spent_usd=facts.spent_project,
        user_spent_usd=facts.spent_user,
        month_left_usd=left(project, facts.spent_project, facts.held_project),
        month_budget_usd=project,
        user_left_usd=left(user, facts.spent_user, facts.held_user),
        user_budget_usd=user,
    )


def pull_is_from_fork(head_repo: str | None, project: str, pr_number: int) -> Rejection | None:
    """Refuse pull requests whose head lives in another repository (a fork, or a deleted one).

    The workflow's token may write to this repository; checking out a fork's code and running an
    agent on it with that token is the classic pull_request_target hole, so prpilot never does it.
    """
    if head_repo == project:
        return None
    where = f"the fork {head_repo}" if head_repo else "a repository that no longer exists"
    return Rejection(
        code=RejectionCode.FORK,
        message=(
            f"Pull request #{pr_number} comes from {where}. prpilot does not check out or push to fork "
            "branches with this repository's token. A maintainer can push the branch to this repository "
            "and open the pull request from there, or ask prpilot on an issue instead."
        ),
    )
