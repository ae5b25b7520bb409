"""Bills: priced from usage, serialized with an exact cost."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from prpilot.billing.bill import Bill, create_bill
from prpilot.billing.pricing import DEFAULT_PRICES
from prpilot.task import Task, TaskStatus, Usage

AT = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)


def finished_task() -> Task:
    task = Task(github_user="octocat", github_project="acme/widgets", user_request="fix it", pr_number=7)
    task.pr_url = "https://github.com/acme/widgets/pull/7"
    task.transition(TaskStatus.SCHEDULED)
    task.transition(TaskStatus.RUNNING)
    task.transition(TaskStatus.COMPLETED, "done")
    return task


@pytest.mark.parametrize(
    ("model", "cost", "known"),
    [
        ("gpt-4.1-mini", "0.00041", True),  # 500*0.4 + 500*0.1 + 100*1.6 = 410 micro-dollars
        ("gpt-4o-2024-08-06", "0.002875", True),
        ("unpriced-model", "0", False),
    ],
)
def test_create_bill_prices_usage(model: str, cost: str, known: bool) -> None:
    usage = Usage(prompt_tokens=1000, cached_tokens=500, completion_tokens=100, calls=3)
    bill = create_bill(finished_task(), usage, model, DEFAULT_PRICES, "run-42", at=AT)
    assert bill.cost_usd == Decimal(cost)
    assert bill.price_known is known
    assert (bill.prompt_tokens, bill.cached_tokens, bill.completion_tokens) == (1000, 500, 100)


def test_create_bill_copies_the_task() -> None:
    task = finished_task()
    bill = create_bill(task, Usage(), "gpt-4o", DEFAULT_PRICES, "run-42")
    assert bill.task_id == task.id
    assert bill.repository == "acme/widgets"
    assert bill.user == "octocat"
    assert bill.run_id == "run-42"
    assert (bill.pr_number, bill.pr_url) == (7, "https://github.com/acme/widgets/pull/7")
    assert bill.status is TaskStatus.COMPLETED
    assert bill.created_at == task.finished_at  # pure: dated by the task, not the clock


def test_bill_json_carries_cost_as_an_exact_string() -> None:
    bill = create_bill(finished_task(), Usage(prompt_tokens=3), "gpt-4.1-nano", DEFAULT_PRICES, "1", at=AT)
    payload = json.loads(bill.model_dump_json())
    assert payload["cost_usd"] == "0.000000300"
    assert Decimal(payload["cost_usd"]) == Decimal("0.0000003")
    assert payload["created_at"] == "2026-11-05T12:00:00Z"
    assert {
        "task_id", "repository", "user", "model", "prompt_tokens", "cached_tokens",
        "completion_tokens", "cost_usd", "run_id", "status", "price_known",
    } <= payload.keys()  # fmt: skip
    assert Bill.model_validate_json(bill.model_dump_json()) == bill


def test_timed_out_requests_are_unknown_usage_said_in_the_notes_not_zero() -> None:
    usage = Usage(prompt_tokens=100, completion_tokens=10, calls=2, unknown_calls=2)
    bill = create_bill(finished_task(), usage, "gpt-5-mini", DEFAULT_PRICES, "1", at=AT)
    assert bill.unknown_calls == 2
    assert bill.notes == [
        "2 model requests timed out after being sent: the endpoint may have generated and billed a reply whose "
        "usage it never reported, so the real cost may be higher than this bill."
    ]
    assert create_bill(finished_task(), Usage(calls=1), "gpt-5-mini", DEFAULT_PRICES, "1", at=AT).notes == []
