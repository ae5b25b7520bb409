"""Admission checks: permissions, budgets and the rate limit, at their edges."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from prpilot.intake.bots import is_allowed_bot
from prpilot.scheduler.admission import (
    AdmissionFacts,
    Rejection,
    RejectionCode,
    admission_decision,
    budget_can_be_counted,
    month_label,
    project_budget_left,
    project_has_reached_rate_limit,
    user_budget_left,
    user_can_write,
)
from prpilot.settings import Limits

NOV = datetime(2026, 11, 14, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("permission", "login", "is_bot", "allowed_bots", "code"),
    [
        ("admin", "alice", False, (), None),
        ("maintain", "alice", False, (), None),
        ("write", "alice", False, (), None),
        ("WRITE", "alice", False, (), None),
        ("triage", "alice", False, (), RejectionCode.NO_WRITE_ACCESS),
        ("read", "alice", False, (), RejectionCode.NO_WRITE_ACCESS),
        ("none", "alice", False, (), RejectionCode.NO_WRITE_ACCESS),
        (None, "ghost", False, (), RejectionCode.NO_WRITE_ACCESS),  # 404: not a known user
        ("", "alice", False, (), RejectionCode.NO_WRITE_ACCESS),
        ("write", "renovate[bot]", True, (), RejectionCode.BOT_NOT_ALLOWED),
        ("admin", "renovate[bot]", True, ("dependabot",), RejectionCode.BOT_NOT_ALLOWED),
        (None, "renovate[bot]", True, ("renovate[bot]",), None),
        (None, "renovate[bot]", True, ("renovate",), None),
        ("read", "Renovate[bot]", True, (" renovate ",), None),
        (None, "my-app[bot]", True, ("", "my-app"), None),
        ("write", "alice", False, ("alice",), None),
        ("read", "alice", False, ("alice",), RejectionCode.NO_WRITE_ACCESS),  # the list is for bots only
    ],
)
def test_user_can_write(
    permission: str | None, login: str, is_bot: bool, allowed_bots: tuple[str, ...], code: RejectionCode | None
) -> None:
    rejection = user_can_write(permission, login, is_bot, allowed_bots)
    assert (rejection.code if rejection else None) == code
    if rejection:
        assert login in rejection.message


@pytest.mark.parametrize(
    ("permission", "words"),
    [("read", "has read access"), ("triage", "has triage access"), (None, "has no access"), ("none", "has no access")],
)
def test_user_can_write_says_why_and_how(permission: str | None, words: str) -> None:
    rejection = user_can_write(permission, "alice", False, ())
    assert rejection is not None
    assert words in rejection.message
    assert "Settings → Collaborators and teams" in rejection.message


def test_bot_rejection_says_how_to_allow() -> None:
    rejection = user_can_write("write", "renovate[bot]", True, ())
    assert rejection is not None
    assert "allowed-bots" in rejection.message


@pytest.mark.parametrize(
    ("login", "allowed", "expected"),
    [
        ("renovate[bot]", ("renovate",), True),
        ("renovate", ("renovate[bot]",), True),
        ("RENOVATE[BOT]", ("renovate",), True),
        ("renovate[bot]", (), False),
        ("renovate[bot]", ("renovate-x",), False),
    ],
)
def test_is_allowed_bot(login: str, allowed: tuple[str, ...], expected: bool) -> None:
    assert is_allowed_bot(login, allowed) is expected


@pytest.mark.parametrize(
    ("limit", "spent", "rejected"),
    [
        (None, Decimal("1000000"), False),
        (Decimal(25), Decimal(0), False),
        (Decimal(25), Decimal("24.99"), False),
        (Decimal(25), Decimal("24.999999"), False),
        (Decimal(25), Decimal(25), True),  # exactly equal is spent
        (Decimal(25), Decimal("25.00"), True),
        (Decimal(25), Decimal("25.31"), True),
        (Decimal(0), Decimal(0), True),  # a zero budget refuses everything
        (Decimal("0.00"), Decimal(0), True),
    ],
)
def test_budgets(limit: Decimal | None, spent: Decimal, rejected: bool) -> None:
    project = project_budget_left(limit, spent, "November 2026")
    user = user_budget_left(limit, spent, "November 2026")
    assert (project is not None) is rejected
    assert (user is not None) is rejected
    if project and user:
        assert project.code is RejectionCode.PROJECT_BUDGET
        assert user.code is RejectionCode.USER_BUDGET


def test_project_budget_message() -> None:
    rejection = project_budget_left(Decimal(25), Decimal("25.31"), "November 2026")
    assert rejection == Rejection(
        code=RejectionCode.PROJECT_BUDGET,
        message=(
            "The monthly budget of $25.00 is spent ($25.31 used in November 2026). An admin can raise it "
            "with the repository variable PRPILOT_MONTHLY_BUDGET "
            "(Settings → Secrets and variables → Actions → Variables)."
        ),
    )


def test_user_budget_message() -> None:
    rejection = user_budget_left(Decimal(5), Decimal("5.5"), "March 2027")
    assert rejection is not None
    assert rejection.message.startswith("Your monthly budget of $5.00 is spent ($5.50 used in March 2027).")
    assert "PRPILOT_USER_MONTHLY_BUDGET" in rejection.message


def test_zero_budget_message() -> None:
    rejection = project_budget_left(Decimal(0), Decimal(0), "May 2026")
    assert rejection is not None
    assert rejection.message.startswith("The monthly budget is $0.00, so no tasks can run.")
    assert "PRPILOT_MONTHLY_BUDGET" in rejection.message


@pytest.mark.parametrize(
    ("limit", "count", "rejected"),
    [(None, 10_000, False), (10, 0, False), (10, 9, False), (10, 10, True), (10, 11, True), (1, 1, True), (0, 0, True)],
)
def test_rate_limit(limit: int | None, count: int, rejected: bool) -> None:
    rejection = project_has_reached_rate_limit(limit, count)
    assert (rejection is not None) is rejected
    if rejection:
        assert rejection.code is RejectionCode.RATE_LIMIT
        assert "PRPILOT_RATE_LIMIT" in rejection.message


@pytest.mark.parametrize(
    ("count", "words"), [(1, "started 1 task in the last hour"), (3, "started 3 tasks in the last hour")]
)
def test_rate_limit_message(count: int, words: str) -> None:
    rejection = project_has_reached_rate_limit(count, count)
    assert rejection is not None
    assert words in rejection.message
    assert "Try again later" in rejection.message


@pytest.mark.parametrize(
    ("limits", "facts", "code"),
    [
        (Limits(), AdmissionFacts(spent_project=Decimal(9999), tasks_in_last_hour=999, now=NOV), None),
        (
            Limits(monthly_budget_usd=Decimal(25), user_monthly_budget_usd=Decimal(5), tasks_per_hour=3),
            AdmissionFacts(spent_project=Decimal(24), spent_user=Decimal(4), tasks_in_last_hour=2, now=NOV),
            None,
        ),
        (
            Limits(monthly_budget_usd=Decimal(25), user_monthly_budget_usd=Decimal(5), tasks_per_hour=3),
            AdmissionFacts(spent_project=Decimal(25), spent_user=Decimal(5), tasks_in_last_hour=3, now=NOV),
            RejectionCode.PROJECT_BUDGET,
        ),
        (
            Limits(monthly_budget_usd=Decimal(25), user_monthly_budget_usd=Decimal(5), tasks_per_hour=3),
            AdmissionFacts(spent_project=Decimal(10), spent_user=Decimal(5), tasks_in_last_hour=3, now=NOV),
            RejectionCode.USER_BUDGET,
        ),
        (
            Limits(monthly_budget_usd=Decimal(25), user_monthly_budget_usd=Decimal(5), tasks_per_hour=3),
            AdmissionFacts(spent_project=Decimal(10), spent_user=Decimal(1), tasks_in_last_hour=3, now=NOV),
            RejectionCode.RATE_LIMIT,
        ),
    ],
)
def test_admission_decision(limits: Limits, facts: AdmissionFacts, code: RejectionCode | None) -> None:
    rejection = admission_decision(limits, facts)
    assert (rejection.code if rejection else None) == code


def test_admission_decision_names_the_month() -> None:
    rejection = admission_decision(
        Limits(monthly_budget_usd=Decimal(1)), AdmissionFacts(spent_project=Decimal(2), now=NOV)
    )
    assert rejection is not None
    assert "used in November 2026" in rejection.message


@pytest.mark.parametrize(
    ("now", "label"),
    [(datetime(2026, 1, 1), "January 2026"), (NOV, "November 2026"), (datetime(2027, 12, 31, 23, 59), "December 2027")],
)
def test_month_label(now: datetime, label: str) -> None:
    assert month_label(now) == label


@pytest.mark.parametrize(
    ("limits", "priced", "refused"),
    [
        (Limits(), False, False),  # no budget: an unpriced model only costs 0 in the bill
        (Limits(tasks_per_hour=3), False, False),  # the rate limit counts tasks, not money
        (Limits(monthly_budget_usd=Decimal(25)), True, False),
        (Limits(monthly_budget_usd=Decimal(25)), False, True),
        (Limits(user_monthly_budget_usd=Decimal(5)), False, True),
        (Limits(monthly_budget_usd=Decimal(0)), False, False),  # the budget check refuses, saying more
    ],
)
def test_budget_can_be_counted(limits: Limits, priced: bool, refused: bool) -> None:
    rejection = budget_can_be_counted(limits, "llama-3-70b", priced)
    assert (rejection.code if rejection else None) == (RejectionCode.UNPRICED_MODEL if refused else None)


def test_unpriced_budget_message_names_the_variables_the_model_and_the_fix() -> None:
    limits = Limits(monthly_budget_usd=Decimal(25), user_monthly_budget_usd=Decimal(5))
    rejection = budget_can_be_counted(limits, "my-azure-deployment", model_is_priced=False)
    assert rejection is not None
    assert "PRPILOT_MONTHLY_BUDGET and PRPILOT_USER_MONTHLY_BUDGET" in rejection.message
    assert "'my-azure-deployment'" in rejection.message
    assert '{"my-azure-deployment": {"input": 1, "cached_input": 0.5, "output": 4}}' in rejection.message
    assert "prices input" in rejection.message


def test_open_holds_count_against_the_budget_and_say_so() -> None:
    limits = Limits(monthly_budget_usd=Decimal(10))
    free = admission_decision(limits, AdmissionFacts(spent_project=Decimal(6), held_project=Decimal("3.99"), now=NOV))
    assert free is None
    taken = admission_decision(limits, AdmissionFacts(spent_project=Decimal(6), held_project=Decimal(4), now=NOV))
    assert taken is not None
    assert taken.code is RejectionCode.PROJECT_BUDGET
    assert "$6.00 used in November 2026 and $4.00 held for tasks still running" in taken.message
    assert "PRPILOT_MONTHLY_BUDGET" in taken.message


def test_the_requesters_holds_count_against_their_budget() -> None:
    limits = Limits(user_monthly_budget_usd=Decimal(2))
    facts = AdmissionFacts(spent_project=Decimal(50), held_project=Decimal(40), held_user=Decimal(2), now=NOV)
    rejection = admission_decision(limits, facts)
    assert rejection is not None
    assert rejection.code is RejectionCode.USER_BUDGET


def test_an_unpriced_fallback_is_refused_by_name() -> None:
    rejection = budget_can_be_counted(Limits(monthly_budget_usd=Decimal(5)), "my-vllm", False, role="fallback model")
    assert rejection is not None
    assert rejection.code is RejectionCode.UNPRICED_MODEL
    assert "no price for the fallback model 'my-vllm'" in rejection.message
    assert "or pick a fallback model prpilot knows the price of" in rejection.message
