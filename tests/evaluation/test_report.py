"""The report: totals, the spread over runs, the Markdown table and the JSON's documented schema."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import jsonschema

from prpilot.evaluation.report import Report, TaskResult, markdown, scaffold_report, totals

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "eval-report.schema.json"


def row(task: str, solved: bool, cost: str, calls: int, run: int = 1) -> TaskResult:
    return TaskResult(task=task, kind="typo", run=run, solved=solved, status="completed", cost_usd=Decimal(cost),
                      model_calls=calls, seconds=2.0, prompt_tokens=1000, cached_tokens=0, completion_tokens=10)


def test_totals_are_solved_share_cost_per_solved_task_and_median_steps() -> None:
    found = totals([row("a", True, "0.01", 3), row("b", False, "0.02", 9), row("c", True, "0.03", 4)])
    assert (found.solved, found.solved_percent, found.cost_usd) == (2, 66.7, Decimal("0.06"))
    assert found.cost_per_solved_usd == Decimal("0.03")
    assert found.median_steps == 4
    assert totals([row("a", False, "0.01", 3)]).cost_per_solved_usd is None


def test_runs_report_their_spread() -> None:
    results = [row("a", True, "0.01", 3, 1), row("a", False, "0.02", 5, 2), row("a", True, "0.04", 4, 3)]
    report = scaffold_report("standard", results)
    assert [t.solved_percent for t in report.per_run] == [100, 0, 100]
    assert report.spread["solved_percent"].model_dump() == {"min": 0, "median": 100, "max": 100}
    assert report.spread["cost_usd"].median == 0.02
    assert report.spread["cost_per_solved_usd"].max == 0.04  # runs that solved nothing have no cost per solved


def _report(runs: int = 1, baseline: bool = False) -> Report:
    results = [row(task, task != "b", "0.001", 3, run) for run in range(1, runs + 1) for task in ("a", "b")]
    scaffolds = [scaffold_report("standard", results)]
    if baseline:
        scaffolds.append(scaffold_report("baseline", [r.model_copy(update={"solved": False}) for r in results]))
    return Report(prpilot_version="0.1.0", model="m", endpoint="scripted (right)", tasks="built-in", runs=runs,
                  scaffolds=scaffolds)


def test_markdown_puts_scaffolds_side_by_side_in_one_table() -> None:
    text = markdown(_report(baseline=True))
    header = next(line for line in text.splitlines() if line.startswith("| task"))
    assert "solved (prpilot) | solved (baseline)" in header
    assert "cost (prpilot) | cost (baseline)" in header
    assert "| `a` | typo | ✅ | ❌ | $0.001 | $0.001 | 3 | 3 |" in text
    assert "| solved | 1 of 2 (50 %) | 0 of 2 (0 %) |" in text
    assert "| cost per solved task | $0.002 | — |" in text


def test_markdown_with_runs_shows_solved_counts_and_the_spread() -> None:
    text = markdown(_report(runs=3))
    assert "| `a` | typo | 3/3 |" in text
    assert "| solved % over runs (min / median / max) | 50 / 50 / 50 |" in text


def test_the_json_validates_against_the_documented_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    for report in (_report(), _report(runs=2, baseline=True)):
        jsonschema.validate(json.loads(report.model_dump_json()), schema)
    broken = json.loads(_report().model_dump_json())
    broken["scaffolds"][0]["results"][0]["cost_usd"] = 0.5  # amounts are decimal strings
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(broken))
