"""What an eval found: one row per task and run, totals per scaffold, as JSON and as Markdown.

Pure functions over pydantic values. The JSON's schema is docs/eval-report.schema.json; a test
validates real output against it.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from prpilot.billing.bill import ExactUSD as Usd  # decimal strings in fixed-point notation, as in the bills
from prpilot.billing.money import count, format_usd

SCHEMA_VERSION = 1
SCAFFOLD_NAMES = {"standard": "prpilot", "baseline": "baseline"}  # a tool profile as the table heads it


class TaskResult(BaseModel):
    """One task, one run, one scaffold: whether its check passed and what it took."""

    task: str
    kind: str
    run: int = Field(ge=1)
    solved: bool  # the hidden check exited 0
    status: str  # the action's status output; "error" when the task could not be run at all
    cost_usd: Usd = Decimal(0)
    model_calls: int = 0
    seconds: float = 0.0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    verify: str = ""
    pr_url: str = ""
    check_output: str = ""  # the end of the check's output
    error: str = ""  # why the task or its check could not run


class Spread(BaseModel):
    """One figure over the runs."""

    min: float
    median: float
    max: float


class Totals(BaseModel):
    """A scaffold's figures over a set of results."""

    tasks: int
    solved: int
    solved_percent: float
    cost_usd: Usd
    cost_per_solved_usd: Usd | None  # None when nothing was solved
    median_steps: float  # median model calls per task
    seconds: float


class ScaffoldReport(BaseModel):
    """Every result of one scaffold (tool profile), its totals, and with several runs each run's totals and spread."""

    name: str
    tool_profile: str
    results: list[TaskResult]
    totals: Totals
    per_run: list[Totals]
    spread: dict[str, Spread] = Field(default_factory=dict)


class Report(BaseModel):
    """The whole eval."""

    schema_version: Literal[1] = 1  # SCHEMA_VERSION
    prpilot_version: str
    model: str
    endpoint: str
    fallback_model: str = ""
    tasks: str  # the suite's folder, or "built-in"
    runs: int = Field(ge=1)
    scaffolds: list[ScaffoldReport]


def totals(results: Sequence[TaskResult]) -> Totals:
    """Solved share, cost, cost per solved task and median steps of ``results``."""
    solved = sum(1 for r in results if r.solved)
    cost = sum((r.cost_usd for r in results), Decimal(0))
    return Totals(
        tasks=len(results),
        solved=solved,
        solved_percent=round(100 * solved / len(results), 1) if results else 0.0,
        cost_usd=cost,
        cost_per_solved_usd=(cost / solved).quantize(Decimal("0.000001")) if solved else None,
        median_steps=float(statistics.median(r.model_calls for r in results)) if results else 0.0,
        seconds=round(sum(r.seconds for r in results), 1),
    )


def _spread(values: Sequence[float]) -> Spread:
    return Spread(min=min(values), median=statistics.median(values), max=max(values))


def scaffold_report(profile: str, results: Sequence[TaskResult]) -> ScaffoldReport:
    """Add up one scaffold's results; with more than one run, each run's totals and their spread."""
    runs = sorted({r.run for r in results})
    per_run = [totals([r for r in results if r.run == run]) for run in runs]
    spread: dict[str, Spread] = {}
    if len(runs) > 1:
        spread = {
            "solved_percent": _spread([t.solved_percent for t in per_run]),
            "cost_usd": _spread([float(t.cost_usd) for t in per_run]),
            "median_steps": _spread([t.median_steps for t in per_run]),
        }
        solved_costs = [float(t.cost_per_solved_usd) for t in per_run if t.cost_per_solved_usd is not None]
        if solved_costs:
            spread["cost_per_solved_usd"] = _spread(solved_costs)
    return ScaffoldReport(name=SCAFFOLD_NAMES.get(profile, profile), tool_profile=profile, results=list(results),
                          totals=totals(results), per_run=per_run, spread=spread)


# --- Markdown --------------------------------------------------------------------------------------

_COLUMNS = ("solved", "cost", "model calls", "seconds", "prompt", "cached", "completion")


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def _cells(results: Sequence[TaskResult]) -> list[str]:
    """One task's cells for one scaffold: with several runs, solved k/n and the medians."""
    if not results:
        return ["—"] * len(_COLUMNS)
    solved = sum(1 for r in results if r.solved)
    mark = ("✅" if solved else "❌") if len(results) == 1 else f"{solved}/{len(results)}"
    if any(r.error for r in results) and not solved:
        mark += " ⚠️"
    cost = Decimal(str(statistics.median(r.cost_usd for r in results)))
    return [
        mark,
        format_usd(cost),
        f"{_median([r.model_calls for r in results]):g}",
        f"{_median([r.seconds for r in results]):.1f}",
        f"{_median([r.prompt_tokens for r in results]):,.0f}",
        f"{_median([r.cached_tokens for r in results]):,.0f}",
        f"{_median([r.completion_tokens for r in results]):,.0f}",
    ]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right_from: int) -> list[str]:
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    return [f"| {' | '.join(header)} |", f"| {' | '.join(align)} |", *(f"| {' | '.join(row)} |" for row in rows)]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def markdown(report: Report) -> str:
    """The report as Markdown for a job summary: the table per task, side by side per scaffold, then totals."""
    scaffolds = report.scaffolds
    names = [s.name for s in scaffolds]
    runs = count(report.runs, "run")
    fallback = f", falling back to `{_cell(report.fallback_model)}`" if report.fallback_model else ""
    lines = [
        "## prpilot eval",
        "",
        f"`{_cell(report.model)}` at {_cell(report.endpoint)}{fallback} · tasks: {_cell(report.tasks)} · {runs} · "
        f"scaffolds: {', '.join(names)}",
        "",
    ]
    header = ["task", "kind"]
    for column in _COLUMNS:
        header += [column] if len(scaffolds) == 1 else [f"{column} ({name})" for name in names]
    tasks = list(dict.fromkeys(r.task for s in scaffolds for r in s.results))
    rows = []
    for task in tasks:
        kind = next(r.kind for s in scaffolds for r in s.results if r.task == task)
        per_scaffold = [_cells([r for r in s.results if r.task == task]) for s in scaffolds]
        row = [f"`{_cell(task)}`", _cell(kind)]
        for index in range(len(_COLUMNS)):
            row += [cells[index] for cells in per_scaffold]
        rows.append(row)
    lines += _table(header, rows, right_from=2)
    lines += ["", "**Totals**", ""]
    total_rows = [
        ["solved", *(f"{s.totals.solved:,} of {s.totals.tasks:,} ({s.totals.solved_percent:g} %)" for s in scaffolds)],
        ["cost", *(format_usd(s.totals.cost_usd) for s in scaffolds)],
        ["cost per solved task", *(format_usd(s.totals.cost_per_solved_usd) if s.totals.cost_per_solved_usd
                                   is not None else "—" for s in scaffolds)],
        ["median steps (model calls per task)", *(f"{s.totals.median_steps:g}" for s in scaffolds)],
        ["seconds", *(f"{s.totals.seconds:.0f}" for s in scaffolds)],
    ]
    if report.runs > 1:
        for key, label in (("solved_percent", "solved % over runs"), ("cost_usd", "cost per run"),
                           ("cost_per_solved_usd", "cost per solved task over runs"),
                           ("median_steps", "median steps over runs")):
            row = [f"{label} (min / median / max)"]
            for s in scaffolds:
                spread = s.spread.get(key)
                row.append("—" if spread is None else _spread_text(key, spread))
            total_rows.append(row)
    lines += _table(["", *names], total_rows, right_from=1)
    errors = [(s.name, r) for s in scaffolds for r in s.results if r.error]
    if errors:
        lines += ["", "⚠️ Tasks that could not run or be checked:", ""]
        lines += [f"- `{_cell(r.task)}` ({name}, run {r.run}): {_cell(r.error)[:300]}" for name, r in errors]
    lines += ["", "Solved: the task's hidden check passed on the result (the pushed branch, or the unchanged "
              "repository and the answer). Cost from the endpoint's reported usage at prpilot's price table."]
    return "\n".join(lines) + "\n"


def _spread_text(key: str, spread: Spread) -> str:
    if key.startswith("cost"):
        return " / ".join(format_usd(Decimal(str(v))) for v in (spread.min, spread.median, spread.max))
    return " / ".join(f"{v:g}" for v in (spread.min, spread.median, spread.max))
