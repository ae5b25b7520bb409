"""What the ledger says a month cost: totals per day, person, model and task, against the budgets.

Pure: records in, a report out, rendered as Markdown (with Mermaid charts, which GitHub draws in a
job summary, an issue or a README) or as JSON (docs/spend-report.schema.json). ``prpilot spend``
reads the records from ``refs/prpilot/ledger``; this module never talks to GitHub.
"""

from __future__ import annotations

import calendar
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from prpilot.billing.bill import ExactUSD
from prpilot.billing.ledger import Record, Reservation, month_key, settlements, tasks_in_last_hour, unsent_bills
from prpilot.billing.money import count, format_usd, share
from prpilot.settings import Limits

TOP_TASKS = 5


class Spend(BaseModel):
    """Cost and tokens of a group of settled tasks."""

    model_config = ConfigDict(frozen=True)

    tasks: int = 0
    cost_usd: ExactUSD = Decimal(0)
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0

    def plus(self, cost: Decimal, prompt: int, cached: int, completion: int) -> Spend:
        """This group with one more task's figures."""
        return Spend(tasks=self.tasks + 1, cost_usd=self.cost_usd + cost, prompt_tokens=self.prompt_tokens + prompt,
                     cached_tokens=self.cached_tokens + cached, completion_tokens=self.completion_tokens + completion)


class Day(BaseModel):
    """One UTC day of the month: what the tasks settled that day cost."""

    date: str  # YYYY-MM-DD
    tasks: int = 0
    cost_usd: ExactUSD = Decimal(0)


class CostlyTask(BaseModel):
    """One of the month's most expensive tasks, with where to see it."""

    task_id: str
    user: str
    model: str
    cost_usd: ExactUSD
    settled_at: datetime
    url: str  # its pull request, else its workflow run; empty when neither is known


class SpendReport(BaseModel):
    """One UTC calendar month of the ledger."""

    month: str
    total: Spend
    by_user: dict[str, Spend] = Field(default_factory=dict)
    by_model: dict[str, Spend] = Field(default_factory=dict)
    by_day: list[Day] = Field(default_factory=list)
    most_expensive: list[CostlyTask] = Field(default_factory=list)
    admitted: int = 0  # reservations in the month, settled or not
    unsettled: int = 0  # admitted, no bill yet: running now, or its run died before settling
    held_usd: ExactUSD = Decimal(0)  # the max-cost holds of those tasks, counted against the budgets
    unpriced: int = 0  # bills of models without a price (counted at 0 USD)
    undelivered: int = 0  # bills the billing endpoint has not accepted yet (any month)
    last_hour: int = 0  # admissions in the rolling hour before ``now``, for the rate limit


class Budgets(BaseModel):
    """The limits the report was read against, and what is left of the monthly budget."""

    monthly_usd: ExactUSD | None
    user_monthly_usd: ExactUSD | None
    tasks_per_hour: int | None
    left_usd: ExactUSD | None  # the monthly budget less the spend and the holds of running tasks


class SpendDocument(SpendReport):
    """What ``prpilot spend --json`` writes (docs/spend-report.schema.json)."""

    schema_version: Literal[1] = 1
    repository: str
    budgets: Budgets


def _days(month: str, now: datetime) -> list[str]:
    """Every date of ``month`` up to today (all of it for a past month)."""
    year, number = (int(part) for part in month.split("-"))
    last = now.day if month == month_key(now) else calendar.monthrange(year, number)[1]
    return [f"{month}-{day:02d}" for day in range(1, last + 1)]


def spend_report(records: list[Record], month: str, now: datetime, *, server_url: str = "") -> SpendReport:
    """Sum the settled bills of ``month`` (``YYYY-MM``); a task settled twice counts once.

    ``server_url`` (such as https://github.com) makes a link to the run of a task that opened no pull request.
    """
    total, unpriced = Spend(), 0
    by_user: dict[str, Spend] = {}
    by_model: dict[str, Spend] = {}
    by_day = {date: Day(date=date) for date in _days(month, now)}
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
        for model, part in shares:
            by_model[model] = by_model.get(model, Spend()).plus(*part)
        day = by_day.setdefault(settlement.at.date().isoformat(), Day(date=settlement.at.date().isoformat()))
        by_day[day.date] = Day(date=day.date, tasks=day.tasks + 1, cost_usd=day.cost_usd + bill.cost_usd)
        unpriced += not bill.price_known
    costly = sorted(settled.values(), key=lambda s: (-s.bill.cost_usd, s.at))[:TOP_TASKS]
    reserved = {r.task_id: r for r in records if isinstance(r, Reservation) and month_key(r.at) == month}
    open_holds = [r.hold_usd for task_id, r in reserved.items() if task_id not in settled_ever]
    return SpendReport(
        month=month,
        total=total,
        by_user=by_user,
        by_model=by_model,
        by_day=sorted(by_day.values(), key=lambda d: d.date),
        most_expensive=[
            CostlyTask(task_id=s.bill.task_id, user=s.bill.user, model=s.bill.model, cost_usd=s.bill.cost_usd,
                       settled_at=s.at, url=s.bill.pr_url or _run_url(server_url, s.bill.repository, s.bill.run_id))
            for s in costly
        ],
        admitted=len(reserved),
        unsettled=len(open_holds),
        held_usd=sum(open_holds, Decimal(0)),
        unpriced=unpriced,
        undelivered=len(unsent_bills(records)),
        last_hour=tasks_in_last_hour(records, now),
    )


def _run_url(server_url: str, repository: str, run_id: str) -> str:
    if not (server_url and repository and run_id.isdigit()):
        return ""
    return f"{server_url.rstrip('/')}/{repository}/actions/runs/{run_id}"


def document(report: SpendReport, repository: str, limits: Limits | None = None) -> SpendDocument:
    """The report with its repository and budgets, as ``--json`` writes it."""
    limits = limits or Limits()
    budget = limits.monthly_budget_usd
    left = None if budget is None else budget - report.total.cost_usd - report.held_usd
    budgets = Budgets(monthly_usd=budget, user_monthly_usd=limits.user_monthly_budget_usd,
                      tasks_per_hour=limits.tasks_per_hour, left_usd=left)
    return SpendDocument(**dict(report), repository=repository, budgets=budgets)


def render(report: SpendReport, repository: str, limits: Limits | None = None) -> str:
    """The report as Markdown: the total against the budgets, charts, then per requester, model and task."""
    limits = limits or Limits()
    lines = [f"## prpilot spend: {repository}, {report.month} (UTC)", ""]
    budget = limits.monthly_budget_usd
    against = f" of {format_usd(budget)} ({share(report.total.cost_usd, budget)})" if budget else ""
    lines.append(f"**{format_usd(report.total.cost_usd)}**{against} over {count(report.total.tasks, 'settled task')}.")
    notes = []
    if budget:
        left = budget - report.total.cost_usd - report.held_usd
        notes.append(f"{format_usd(max(left, Decimal(0)))} of the monthly budget left")
    if limits.user_monthly_budget_usd:
        notes.append(f"each requester's monthly budget: {format_usd(limits.user_monthly_budget_usd)}")
    if report.unsettled:
        holding = f", holding {format_usd(report.held_usd)} of the budget" if report.held_usd else ""
        notes.append(f"{count(report.unsettled, 'admitted task')} without a bill yet (running, or their run died)"
                     f"{holding}")
    if report.unpriced:
        notes.append(f"{count(report.unpriced, 'bill')} of models without a price, counted at 0 USD "
                     "(see the prices input)")
    if report.undelivered:
        notes.append(f"{count(report.undelivered, 'bill')} not yet accepted by the billing endpoint")
    if limits.tasks_per_hour is not None:
        notes.append(f"{report.last_hour:,} of {count(limits.tasks_per_hour, 'task')} admitted in the last hour")
    lines += [f"- {note}" for note in notes]
    if report.total.cost_usd:
        lines += ["", *_daily_chart(report, budget), "", *_requester_chart(report)]
    user_budget = limits.user_monthly_budget_usd
    lines += ["", _table("requester", report.by_user, user_budget), "", _table("model", report.by_model, None)]
    if report.most_expensive:
        lines += ["", f"**The {count(len(report.most_expensive), 'most expensive task', 'most expensive tasks')}**",
                  "", "| task | requester | model | cost |", "|---|---|---|---:|"]
        for task in report.most_expensive:
            name = f"[{task.task_id}]({task.url})" if task.url else task.task_id
            lines.append(f"| {name} | {task.user} | {task.model} | {format_usd(task.cost_usd)} |")
    return "\n".join(lines).rstrip() + "\n"


def _number(amount: Decimal) -> str:
    """An amount as a plain number for a chart (Mermaid reads no $ and no thousands separators)."""
    return format(amount.quantize(Decimal("0.000001")).normalize(), "f")


def _daily_chart(report: SpendReport, budget: Decimal | None) -> list[str]:
    """Cost per day as bars, the month to date as a line, and the budget as a flat line to compare it with."""
    days = report.by_day
    to_date, running = [], Decimal(0)
    for day in days:
        running += day.cost_usd
        to_date.append(running)
    top = max([running, budget or Decimal(0)])
    lines = ["```mermaid", "xychart-beta",
             f'    title "Spend per day and month to date (USD){", against the budget" if budget else ""}"',
             f"    x-axis [{', '.join(str(int(day.date[-2:])) for day in days)}]",
             f'    y-axis "USD" 0 --> {_number(top)}',
             f"    bar [{', '.join(_number(day.cost_usd) for day in days)}]",
             f"    line [{', '.join(_number(amount) for amount in to_date)}]"]
    if budget:
        lines.append(f"    line [{', '.join(_number(budget) for _ in days)}]")
    return [*lines, "```"]


def _requester_chart(report: SpendReport) -> list[str]:
    """The month's spend per requester as a pie."""
    lines = ["```mermaid", "pie title Spend per requester (USD)"]
    for user, spent in sorted(report.by_user.items(), key=lambda item: (-item[1].cost_usd, item[0])):
        if spent.cost_usd > 0:
            lines.append(f'    "{user.replace(chr(34), "")}" : {_number(spent.cost_usd)}')
    return [*lines, "```"]


def _table(key: str, groups: dict[str, Spend], budget: Decimal | None) -> str:
    head = f"| {key} | tasks | cost | prompt tokens | cached tokens | completion tokens |"
    if budget:
        head += " of budget |"
    rows = [head, "|---" + "|---:" * (head.count("|") - 2) + "|"]
    for name, s in sorted(groups.items(), key=lambda item: (-item[1].cost_usd, item[0])):
        row = (f"| {name} | {s.tasks:,} | {format_usd(s.cost_usd)} | {s.prompt_tokens:,} | {s.cached_tokens:,} | "
               f"{s.completion_tokens:,} |")
        if budget:
            row += f" {share(s.cost_usd, budget)} |"
        rows.append(row)
    if not groups:
        rows.append("| (none) |" + " |" * (head.count("|") - 2))
    return "\n".join(rows)
