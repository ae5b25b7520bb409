"""``prpilot eval`` end to end: the built-in suite through the real action on the test bed, checked in the sandbox.

The suite runs once with the scripted model that does the right thing and once with the one that
does a wrong thing (module-scoped: 24 task runs in all); the parametrized tests read each task's row
from the JSON the command wrote. So every check is shown to discriminate: solved by the right run,
failed by the wrong one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from prpilot.commands.eval import eval_main
from prpilot.evaluation.endpoint import scripted_target
from prpilot.evaluation.running import run_task
from prpilot.evaluation.task_folder import BUILTIN_SUITE, load_suite
from prpilot.testing.scenario import API_KEY, Bed, start_bed

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]
# The tests of each module-scoped run of the suite share a worker (--dist loadgroup), so each run is made
# once, not once on every worker that gets one of its tests (eight times about 200 s of setup, measured);
# the two runs are two groups, made side by side.
RIGHT, WRONG = pytest.mark.xdist_group("eval-right"), pytest.mark.xdist_group("eval-wrong")

TASKS = [task.name for task in load_suite(BUILTIN_SUITE)]
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "eval-report.schema.json").read_text())


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    return {**env, **extra}


def _eval(tmp: Path, python: str, *args: str, **env: str) -> tuple[int, dict[str, Any], str]:
    """Run ``prpilot eval`` with ``args``, the action's steps on ``python``; its exit code, JSON and Markdown."""
    out = tmp / "report.json"
    markdown = tmp / "report.md"
    code = eval_main([*args, "--json", str(out), "--markdown", str(markdown)], _env(**env), steps_python=python)
    return code, json.loads(out.read_text()), markdown.read_text()


@pytest.fixture(scope="module")
def right(tmp_path_factory: pytest.TempPathFactory, steps_python: str) -> tuple[int, dict[str, Any], str]:
    folder = tmp_path_factory.mktemp("right")
    summary = folder / "summary.md"
    summary.write_text("before\n")
    found = _eval(folder, steps_python, "--scripted", GITHUB_STEP_SUMMARY=str(summary))
    assert summary.read_text() == "before\n" + found[2]  # appended to the job summary
    return found


@pytest.fixture(scope="module")
def wrong(tmp_path_factory: pytest.TempPathFactory, steps_python: str) -> tuple[int, dict[str, Any], str]:
    return _eval(tmp_path_factory.mktemp("wrong"), steps_python, "--scripted", "wrong")


def _row(report: dict[str, Any], task: str) -> dict[str, Any]:
    [scaffold] = report["scaffolds"]
    [row] = [r for r in scaffold["results"] if r["task"] == task]
    return row


@RIGHT
@pytest.mark.parametrize("task", TASKS)
def test_each_task_is_solved_by_its_right_script(right: tuple[int, dict[str, Any], str], task: str) -> None:
    row = _row(right[1], task)
    assert row["solved"], row
    assert row["error"] == ""
    assert row["status"] == "completed"
    assert row["model_calls"] >= 1
    assert row["prompt_tokens"] > 0


@WRONG
@pytest.mark.parametrize("task", TASKS)
def test_each_task_is_failed_by_its_wrong_script(wrong: tuple[int, dict[str, Any], str], task: str) -> None:
    row = _row(wrong[1], task)
    assert not row["solved"], row
    assert row["error"] == ""  # the task ran and was checked: the check said no
    assert row["check_output"]


@RIGHT
def test_the_right_script_reports_100_percent(right: tuple[int, dict[str, Any], str]) -> None:
    code, report, markdown = right
    assert code == 0
    assert report["scaffolds"][0]["totals"]["solved_percent"] == 100
    assert f"| solved | {len(TASKS)} of {len(TASKS)} (100 %) |" in markdown
    jsonschema.validate(report, SCHEMA)


@WRONG
def test_the_wrong_script_reports_0_percent(wrong: tuple[int, dict[str, Any], str]) -> None:
    code, report, markdown = wrong
    assert code == 0
    assert report["scaffolds"][0]["totals"]["solved_percent"] == 0
    assert report["scaffolds"][0]["totals"]["cost_per_solved_usd"] is None
    assert f"| solved | 0 of {len(TASKS)} (0 %) |" in markdown
    jsonschema.validate(report, SCHEMA)


def test_compare_baseline_and_runs_put_both_scaffolds_and_the_spread_in_one_table(
    tmp_path: Path, steps_python: str
) -> None:
    code, report, markdown = _eval(tmp_path, steps_python, "--scripted", "--task", "typo", "--task", "refusal",
                                   "--compare", "baseline", "--runs", "2")
    assert code == 0
    jsonschema.validate(report, SCHEMA)
    assert [s["name"] for s in report["scaffolds"]] == ["prpilot", "baseline"]
    prpilot, baseline = report["scaffolds"]
    assert len(prpilot["results"]) == len(baseline["results"]) == 4  # two tasks, two runs
    assert prpilot["totals"]["solved_percent"] == 100
    # The typo's script uses edit_file, which the baseline does not have; the refusal needs no tool.
    assert [r["solved"] for r in baseline["results"] if r["task"] == "typo"] == [False, False]
    assert [r["solved"] for r in baseline["results"] if r["task"] == "refusal"] == [True, True]
    assert prpilot["spread"]["solved_percent"] == {"min": 100, "median": 100, "max": 100}
    header = next(line for line in markdown.splitlines() if line.startswith("| task"))
    assert "solved (prpilot) | solved (baseline)" in header
    assert "| `typo` | typo | 2/2 | 0/2 |" in markdown
    assert "solved % over runs (min / median / max) | 100 / 100 / 100 | 50 / 50 / 50 |" in markdown


@pytest.fixture(scope="module")
def bed(tmp_path_factory: pytest.TempPathFactory, steps_python: str) -> Iterator[Bed]:
    with start_bed(tmp_path_factory.mktemp("bed"), python=steps_python) as started:
        yield started


def test_the_agent_never_sees_the_check_and_the_baseline_offers_two_tools(bed: Bed) -> None:
    [task] = load_suite(BUILTIN_SUITE, ("search",))
    target = scripted_target("right", base_url=bed.model.base_url, api_key=API_KEY, model="gpt-4.1-mini")
    row = run_task(bed, task, target, profile="baseline", env=_env())
    assert row.status == "completed"
    first = bed.model.requests[0]
    assert [tool["function"]["name"] for tool in first["tools"]] == ["read_file", "write_file"]
    sent = json.dumps(bed.model.requests)
    assert "EVAL_BASE" not in sent
    assert 'get_user(\\"u123456\\")' not in sent  # a line only the check has, as JSON sends it
    assert 'get_user("u123456")' in task.check.read_text()
    files = bed.github.git(f"eval/{task.name}-baseline-1", "ls-tree", "-r", "--name-only", "main").split()
    assert "check" not in files
    assert not [name for name in files if name.startswith("scripted")]
