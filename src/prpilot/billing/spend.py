"""What the ledger says a month cost: totals per person and model, against the budgets.

Pure: records in, a report out, rendered as Markdown for a terminal or a job summary. ``prpilot
spend`` reads the records from ``refs/prpilot/ledger``; this module never talks to GitHub.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from prpilot.billing.ledger import Record, Reservation, month_key, settlements, tasks_in_last_hour, unsent_bills
from prpilot.billing.money import format_usd
from prpilot.settings import Limits


@dataclass(frozen=True)
class Spend:
    """Cost and tokens of a group of settled tasks."""

    tasks: int = 0
    cost_usd: Decimal = Decimal(0)
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0

    def plus(self, cost: Decimal, prompt: int, cached: int, completion: int) -> Spend:
        return Spend(self.tasks + 1, self.cost_usd + cost, self.prompt_tokens + prompt,
                     self.cached_tokens + cached, self.completion_tokens + completion)


@dataclass(frozen=True)
class SpendReport:
    """One UTC calendar month of the ledger."""

    month: str
    total: Spend
    by_user: dict[str, Spend] = field(default_factory=dict)
    by_model: dict[str, Spend] = field(default_factory=dict)
    admitted: int = 0  # reservations in the month, settled or not
    unsettled: int = 0  # admitted, no bill yet: running now, or its run died before settling
    held_usd: Decimal = Decimal(0)  # the max-cost holds of those tasks, counted against the budgets
    unpriced: int = 0  # bills of models without a price (counted at 0 USD)
    undelivered: int = 0  # bills the billing endpoint has not accepted yet (any month)
    last_hour: int = 0  # admissions in the rolling hour before ``now``, for the rate limit


def spend_report(records: list[Record], month: str, now: datetime) -> SpendReport:
    """Sum the settled bills of ``month`` (``YYYY-MM``); a task settled twice counts once."""
    total, unpriced = Spend(), 0
    by_user: dict[str, Spend] = {}
    by_model: dict[str, Spend] = {}
    settled_ever = settlements(records)
    settled = {task_id: s for task_id, s in settled_ever.items() if month_key(s.at) == month}
    for settlement in settled.values():
        bill = settlement.bill
        figures = (bill.cost_usd, bill.prompt_tokens, bill.cached_tokens, bill.completion_tokens)
        total = total.plus(*figures)
        by_user[bill.user] = by_user.get(bill.user, Spend()).plus(*figures)
        # Each model's own share (two when the fallback took over); bills written before the split have none.
        shares = [(m.model, (m.cost_usd, m.prompt_tokens, m.cached_tokens, m.completion_tokens))
                  for m in bill.models] or [(bill.model, figures)]
        for model, share in shares:
            by_model[model] = by_model.get(model, Spend()).plus(*share)
        unpriced += not bill.price_known
    reserved = {r.task_id: r for r in records if isinstance(r, Reservation) and month_key(r.at) == month}
    open_holds = [r.hold_usd for task_id, r in reserved.items() if task_id not in settled_ever]
    return SpendReport(
        month=month,
        total=total,
        by_user=by_user,
        by_model=by_model,
        admitted=len(reserved),
        unsettled=len(open_holds),
        held_usd=sum(open_holds, Decimal(0)),
        unpriced=unpriced,
        undelivered=len(unsent_bills(records)),
        last_hour=tasks_in_last_hour(records, now),
    )


def render(report: SpendReport, repository: str, limits: Limits | None = None) -> str:
    """The report as Markdown: the month's total against the budget, then per person and per model."""
    limits = limits or Limits()
    lines = [f"## prpilot spend: {repository}, {report.month} (UTC)", ""]
    budget = limits.monthly_budget_usd
    against = f" of {format_usd(budget)} ({_share(report.total.cost_usd, budget)})" if budget else ""
    lines.append(f"**{format_usd(report.total.cost_usd)}**{against} over {report.total.tasks} settled task(s).")
    notes = []
    if report.unsettled:
        holding = f", holding {format_usd(report.held_usd)} of the budget" if report.held_usd else ""
        notes.append(f"{report.unsettled} admitted task(s) without a bill yet (running, or their run died){holding}")
    if report.unpriced:
        notes.append(f"{report.unpriced} bill(s) of models without a price, counted at 0 USD (see the prices input)")
    if report.undelivered:
        notes.append(f"{report.undelivered} bill(s) not yet accepted by the billing endpoint")
    if limits.tasks_per_hour is not None:
        notes.append(f"{report.last_hour} of {limits.tasks_per_hour} task(s) admitted in the last hour")
    lines += [f"- {note}" for note in notes]
    user_budget = limits.user_monthly_budget_usd
    lines += ["", _table("requester", report.by_user, user_budget), "", _table("model", report.by_model, None)]
    return "\n".join(lines).rstrip() + "\n"


def _table(key: str, groups: dict[str, Spend], budget: Decimal | None) -> str:
    head = f"| {key} | tasks | cost | prompt tokens | cached tokens | completion tokens |"
    if budget:
        head += " of budget |"
    rows = [head, "|---" + "|---:" * (head.count("|") - 2) + "|"]
    for name, s in sorted(groups.items(), key=lambda item: (-item[1].cost_usd, item[0])):
        row = (f"| {name} | {s.tasks} | {format_usd(s.cost_usd)} | {s.prompt_tokens:,} | {s.cached_tokens:,} | "
               f"{s.completion_tokens:,} |")
        if budget:
            row += f" {_share(s.cost_usd, budget)} |"
        rows.append(row)
    if not groups:
        rows.append("| (none) |" + " |" * (head.count("|") - 2))
    return "\n".join(rows)


def _share(part: Decimal, whole: Decimal) -> str:
    return f"{part / whole:.0%}"
