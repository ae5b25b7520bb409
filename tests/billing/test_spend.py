"""The spend report: a month of ledger records summed per requester and model, against the budgets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import jsonschema

from prpilot.billing.bill import Bill
from prpilot.billing.ledger import Delivery, Record, Reservation, Settlement
from prpilot.billing.spend import Spend, document, render, spend_report
from prpilot.settings import Limits

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LAST_MONTH = datetime(2026, 10, 30, 12, 0, tzinfo=UTC)


def _bill(task_id: str, user: str, cost: str, model: str = "gpt-4.1-mini", *, priced: bool = True) -> Bill:
    return Bill(task_id=task_id, repository="acme/widgets", user=user, model=model, prompt_tokens=1_000,
                cached_tokens=200, completion_tokens=50, cost_usd=Decimal(cost), run_id="1", created_at=NOW,
                price_known=priced)


def _task(task_id: str, user: str, cost: str | None, at: datetime, **bill: object) -> list[Record]:
    records: list[Record] = [Reservation(task_id=task_id, user=user, at=at)]
    if cost is not None:
        records.append(Settlement(bill=_bill(task_id, user, cost, **bill), at=at + timedelta(minutes=3)))  # type: ignore[arg-type]
    return records


def _records() -> list[Record]:
    return [
        *_task("t1", "alice", "0.0100", NOW - timedelta(days=2)),
        *_task("t2", "alice", "0.0300", NOW - timedelta(days=1), model="gpt-4.1"),
        *_task("t3", "bob", "0.0050", NOW - timedelta(minutes=30)),
        Settlement(bill=_bill("t3", "bob", "0.0050"), at=NOW - timedelta(minutes=20)),  # settled twice: once
        *_task("t4", "bob", None, NOW - timedelta(minutes=10)),  # running, or its run died
        *_task("t5", "carol", "0", NOW - timedelta(days=3), model="my-local-llm", priced=False),
        *_task("t0", "alice", "5.0000", LAST_MONTH),  # another month
        Delivery(task_id="t1", at=NOW),
        Delivery(task_id="t2", at=NOW),
    ]


def test_the_month_sums_settled_bills_per_requester_and_model() -> None:
    report = spend_report(_records(), "2026-11", NOW)

    assert report.total == Spend(tasks=4, cost_usd=Decimal("0.0450"), prompt_tokens=4_000, cached_tokens=800,
                                 completion_tokens=200)
    assert {user: s.cost_usd for user, s in report.by_user.items()} == {
        "alice": Decimal("0.0400"), "bob": Decimal("0.0050"), "carol": Decimal("0")}
    assert report.by_model["gpt-4.1-mini"].tasks == 2
    assert (report.admitted, report.unsettled, report.unpriced) == (5, 1, 1)
    assert report.undelivered == 3  # t3, t5 and last month's t0
    assert report.last_hour == 2  # t3 and t4


def test_a_task_the_fallback_model_finished_counts_under_each_model_for_its_share() -> None:
    from prpilot.billing.bill import ModelBill

    shares = [ModelBill(model="gpt-4.1", prompt_tokens=700, cached_tokens=0, completion_tokens=30,
                        cost_usd=Decimal("0.0030")),
              ModelBill(model="local-llm", prompt_tokens=300, cached_tokens=200, completion_tokens=20,
                        cost_usd=Decimal("0.0010"))]
    bill = _bill("t9", "alice", "0.0040", model="gpt-4.1").model_copy(update={"models": shares})
    records: list[Record] = [Reservation(task_id="t9", user="alice", at=NOW), Settlement(bill=bill, at=NOW)]

    report = spend_report(records, "2026-11", NOW)

    assert report.by_model == {
        "gpt-4.1": Spend(tasks=1, cost_usd=Decimal("0.0030"), prompt_tokens=700, completion_tokens=30),
        "local-llm": Spend(tasks=1, cost_usd=Decimal("0.0010"), prompt_tokens=300, cached_tokens=200,
                           completion_tokens=20),
    }
    assert report.total == Spend(tasks=1, cost_usd=Decimal("0.0040"), prompt_tokens=1_000, cached_tokens=200,
                                 completion_tokens=50)


def test_another_month_is_its_own() -> None:
    report = spend_report(_records(), "2026-10", NOW)
    assert report.total.cost_usd == Decimal("5.0000")
    assert list(report.by_user) == ["alice"]


def test_render_shows_the_budgets_and_the_biggest_spender_first() -> None:
    limits = Limits(monthly_budget_usd=Decimal("0.09"), user_monthly_budget_usd=Decimal("0.05"), tasks_per_hour=5)

    text = render(spend_report(_records(), "2026-11", NOW), "acme/widgets", limits)

    assert text.startswith("## prpilot spend: acme/widgets, 2026-11 (UTC)")
    assert "**$0.045** of $0.09 (50%) over 4 settled tasks." in text
    assert "1 admitted task without a bill yet" in text
    assert "1 bill of models without a price" in text
    assert "2 of 5 tasks admitted in the last hour" in text
    assert "3 bills not yet accepted by the billing endpoint" in text
    rows = [line for line in text.splitlines() if line.startswith("| alice") or line.startswith("| bob")]
    assert rows[0].startswith("| alice | 2 | $0.04 |")
    assert rows[0].endswith("| 80% |")  # of the per-requester budget


def test_an_empty_month_renders_without_rows_or_budgets() -> None:
    text = render(spend_report([], "2026-11", NOW), "acme/widgets")
    assert "**$0.00** over 0 settled tasks." in text
    assert "| (none) |" in text
    assert "of budget" not in text
    assert "```mermaid" not in text  # nothing to draw


def test_open_holds_are_shown_with_the_tasks_that_hold_them() -> None:
    records = [*_records(), Reservation(task_id="t6", user="bob", at=NOW - timedelta(minutes=5), hold_usd=Decimal(2))]
    report = spend_report(records, "2026-11", NOW)
    assert (report.unsettled, report.held_usd) == (2, Decimal(2))
    assert "2 admitted tasks without a bill yet (running, or their run died), holding $2.00 of the budget" in (
        render(report, "acme/widgets"))


def test_render_draws_the_days_against_the_budget_and_the_requesters() -> None:
    limits = Limits(monthly_budget_usd=Decimal("0.09"))

    text = render(spend_report(_records(), "2026-11", NOW), "acme/widgets", limits)

    daily = text.split("```mermaid\n")[1].split("```")[0].splitlines()
    assert daily[0] == "xychart-beta"
    assert daily[2] == "    x-axis [" + ", ".join(str(day) for day in range(1, 21)) + "]"  # the 1st to today, the 20th
    assert daily[4] == "    bar [" + "0, " * 17 + "0.01, 0.03, 0.005]"
    assert daily[5] == "    line [" + "0, " * 17 + "0.01, 0.04, 0.045]"  # the month to date
    assert daily[6] == "    line [" + ", ".join(["0.09"] * 20) + "]"  # the budget
    pie = text.split("```mermaid\n")[2].split("```")[0].splitlines()
    assert pie == ["pie title Spend per requester (USD)", '    "alice" : 0.04', '    "bob" : 0.005']
    assert "- $0.045 of the monthly budget left" in text


def test_the_most_expensive_tasks_link_to_their_pull_request_or_run() -> None:
    records = [r for n in range(1, 8) for r in _task(f"x{n}", "dana", f"0.00{n}", NOW - timedelta(hours=n))]
    records = [r.model_copy(update={"bill": r.bill.model_copy(update={"pr_url": "https://ghe.example/a/b/pull/9"})})
               if isinstance(r, Settlement) and r.bill.task_id == "x7" else r for r in records]

    report = spend_report(records, "2026-11", NOW, server_url="https://ghe.example/")

    assert [t.task_id for t in report.most_expensive] == ["x7", "x6", "x5", "x4", "x3"]
    text = render(report, "acme/widgets")
    assert "**The 5 most expensive tasks**" in text
    assert "| [x7](https://ghe.example/a/b/pull/9) | dana | gpt-4.1-mini | $0.007 |" in text
    assert "| [x6](https://ghe.example/acme/widgets/actions/runs/1) | dana | gpt-4.1-mini | $0.006 |" in text


def test_a_small_share_of_a_budget_is_not_rounded_to_nothing() -> None:
    limits = Limits(user_monthly_budget_usd=Decimal(10))
    text = render(spend_report(_records(), "2026-11", NOW), "acme/widgets", limits)
    assert "| bob | 1 | $0.005 | 1,000 | 200 | 50 | 0.05% |" in text
    assert "- each requester's monthly budget: $10.00" in text


def test_the_json_document_validates_against_the_schema_in_docs() -> None:
    schema = json.loads((Path(__file__).resolve().parents[2] / "docs" / "spend-report.schema.json").read_text())
    limits = Limits(monthly_budget_usd=Decimal("0.01"), user_monthly_budget_usd=Decimal(1), tasks_per_hour=5)
    found = json.loads(document(spend_report(_records(), "2026-11", NOW), "acme/widgets", limits).model_dump_json())
    jsonschema.validate(found, schema, format_checker=jsonschema.FormatChecker())
    assert found["budgets"]["left_usd"] == "-0.0350"  # overspent: said, not hidden
    assert found["total"]["cost_usd"] == "0.0450"
    jsonschema.validate(json.loads(document(spend_report([], "2026-10", NOW), "a/b").model_dump_json()), schema)
