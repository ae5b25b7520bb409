"""End to end: who is served, budgets, the rate limit, and admission under contention."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from prpilot.testing import openai_replies as say
from prpilot.testing.scenario import READER, Bed

pytestmark = pytest.mark.e2e

ENTRYPOINT = Path(__file__).resolve().parents[2] / "entrypoint.py"


def _comments(bed: Bed, number: int) -> list[str]:
    return [c.body or "" for c in bed.github.comments(bed.repo, number)]


def test_reader_is_rejected_with_a_comment_and_no_model_request(bed: Bed) -> None:
    event = bed.issue_comment("/pilot delete everything", user=READER)

    result = bed.run("issue_comment", event)

    assert result.ok, result.logs
    assert result.outputs["status"] == "rejected"
    assert result.step("run").outcome == "skipped"  # refused by the first step, before the install
    assert bed.model.calls == []
    reply = _comments(bed, event["issue"]["number"])[-1]
    assert f"@{READER} has read access" in reply
    assert "write access" in reply


def test_bot_is_ignored_without_an_answer(bed: Bed) -> None:
    bed.github.add_user("renovate[bot]", type="Bot")
    event = bed.issue_comment("/pilot bump everything", user="renovate[bot]")
    event["comment"]["user"]["type"] = "Bot"
    before = len(_comments(bed, event["issue"]["number"]))

    result = bed.run("issue_comment", event)

    assert result.ok, result.logs
    assert result.outputs["status"] == "skipped"
    assert len(_comments(bed, event["issue"]["number"])) == before
    assert bed.model.calls == []


def test_rate_limit_of_one_rejects_the_second_task_of_the_hour(bed: Bed) -> None:
    bed.model.set_policy(lambda request, index: say.text("Nothing to change."))
    first = bed.run("issue_comment", bed.issue_comment("/pilot first"), rate_limit="1")
    assert first.outputs["status"] == "completed", first.logs

    event = bed.issue_comment("/pilot second")
    second = bed.run("issue_comment", event, rate_limit="1")

    assert second.ok, second.logs
    assert second.outputs["status"] == "rejected"
    reply = _comments(bed, event["issue"]["number"])[-1]
    assert "PRPILOT_RATE_LIMIT" in reply


def test_spent_budget_rejects_the_next_task(bed: Bed) -> None:
    # 100,000 prompt tokens of gpt-4.1-mini cost about $0.04: more than the $0.01 budget.
    bed.model.set_policy(lambda request, index: say.text("Done.").with_usage(prompt_tokens=100_000))
    first = bed.run("issue_comment", bed.issue_comment("/pilot first"), monthly_budget="0.01")
    assert first.outputs["status"] == "completed", first.logs
    assert float(first.outputs["cost"]) > 0.01

    event = bed.issue_comment("/pilot second")
    second = bed.run("issue_comment", event, monthly_budget="0.01")

    assert second.outputs["status"] == "rejected"
    reply = _comments(bed, event["issue"]["number"])[-1]
    assert "budget" in reply
    assert "PRPILOT_MONTHLY_BUDGET" in reply


def test_budget_with_an_unpriced_model_is_refused_before_any_model_call(bed: Bed) -> None:
    # A model with no price would count every task as $0, so the budget would never stop anything.
    event = bed.issue_comment("/pilot add tests for the parser")

    refused = bed.run("issue_comment", event, monthly_budget="25", model="my-vllm-model")

    assert refused.ok, refused.logs
    assert refused.outputs["status"] == "rejected"
    assert refused.step("run").outputs["admitted"] == "false"
    assert bed.model.calls == []
    reply = _comments(bed, event["issue"]["number"])[-1]
    assert "no price for the model 'my-vllm-model'" in reply
    assert "PRPILOT_MONTHLY_BUDGET" in reply

    # Priced through the prices input, the same request under the same budget is admitted and billed.
    bed.model.set_policy(lambda request, index: say.text("Nothing to change.").with_usage(prompt_tokens=1_000_000))
    prices = '{"my-vllm-model": {"input": 0.5, "output": 1}}'
    priced = bed.run("issue_comment", bed.issue_comment("/pilot again"), monthly_budget="25", model="my-vllm-model",
                     prices=prices)

    assert priced.outputs["status"] == "completed", priced.logs
    prompt, completion = int(priced.outputs["prompt-tokens"]), int(priced.outputs["completion-tokens"])
    assert prompt >= 1_000_000
    assert Decimal(priced.outputs["cost"]) == (Decimal(prompt) * Decimal("0.5") + Decimal(completion)) / 1_000_000


def _schedule_at_once(bed: Bed, tmp_path: Path, count: int, inputs: dict[str, str]) -> list[str]:
    """Start ``count`` schedule steps at once, each for its own /pilot comment; return their statuses."""
    processes = []
    for index in range(count):
        folder = tmp_path / f"run-{index}"
        folder.mkdir()
        (folder / "event.json").write_text(json.dumps(bed.issue_comment(f"/pilot task {index}")))
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))},
            "GITHUB_EVENT_NAME": "issue_comment",
            "GITHUB_EVENT_PATH": str(folder / "event.json"),
            "GITHUB_REPOSITORY": bed.repo,
            "GITHUB_API_URL": bed.github.api_url,
            "GITHUB_SERVER_URL": bed.github.server_url,
            "GITHUB_RUN_ID": str(1000 + index),
            "GITHUB_OUTPUT": str(folder / "output"),
            "RUNNER_TEMP": str(folder),
            "INPUT_GITHUB-TOKEN": bed.github.token,
            **{f"INPUT_{name.upper()}": value for name, value in inputs.items()},
        }
        (folder / "output").touch()
        processes.append((folder, subprocess.Popen([sys.executable, str(ENTRYPOINT), "schedule"], env=env)))
    codes = [process.wait(timeout=240) for _, process in processes]
    assert codes == [0] * count
    return [_status_output((folder / "output").read_text()) for folder, _ in processes]


def test_twenty_concurrent_schedulers_admit_exactly_the_rate_limit(bed: Bed, tmp_path: Path) -> None:
    statuses = _schedule_at_once(bed, tmp_path, 20, {"rate-limit": "5"})

    assert statuses.count("scheduled") == 5
    assert statuses.count("rejected") == 15


def test_concurrent_tasks_hold_their_max_cost_so_a_budget_is_not_overrun(bed: Bed, tmp_path: Path) -> None:
    # None of them is billed yet, so only the holds can stop the burst: $0.30 each against $1.00
    # admits four (0.90 < 1.00 before the fourth), and the budget can be overrun by one cap at most.
    statuses = _schedule_at_once(bed, tmp_path, 10, {"monthly-budget": "1", "max-cost": "0.30"})

    assert statuses.count("scheduled") == 4
    assert statuses.count("rejected") == 6
    numbers = [issue.number for issue in bed.github.state.issues_of(bed.repo)]
    refusals = [body for number in numbers for body in _comments(bed, number) if "held for tasks" in body]
    assert len(refusals) == 6
    # Every refusal saw the four holds, and each says what an admin can do.
    assert all("$0.00 used in" in body and "$1.20 held for tasks still running" in body for body in refusals)
    assert all("PRPILOT_MONTHLY_BUDGET" in body for body in refusals)


def test_concurrent_tasks_without_max_cost_hold_what_their_calls_may_cost(bed: Bed, tmp_path: Path) -> None:
    # No max-cost: each task holds max-steps × the per-call output bound × the output price,
    # 10 × 16,384 × $1.60 per million = $0.262144 on gpt-4.1-mini. Four fit under $1.00
    # (0.786432 < 1 before the fourth); the budget is overrun by one hold at most (issue 28, item 4).
    statuses = _schedule_at_once(bed, tmp_path, 8, {"monthly-budget": "1", "max-steps": "10",
                                                    "model": "gpt-4.1-mini"})

    assert statuses.count("scheduled") == 4
    assert statuses.count("rejected") == 4
    numbers = [issue.number for issue in bed.github.state.issues_of(bed.repo)]
    refusals = [body for number in numbers for body in _comments(bed, number) if "held for tasks" in body]
    assert len(refusals) == 4
    assert all("$1.048576 held for tasks still running" in body for body in refusals)


def test_an_unpriced_fallback_is_refused_under_a_budget_before_any_model_call(bed: Bed) -> None:
    # The fallback may answer every call; unpriced, it would spend under the budget for free (item 5).
    event = bed.issue_comment("/pilot add tests for the parser")

    refused = bed.run("issue_comment", event, monthly_budget="5", model="gpt-4.1-mini",
                      fallback_model="my-vllm-model")

    assert refused.ok, refused.logs
    assert refused.outputs["status"] == "rejected"
    assert refused.step("run").outputs["admitted"] == "false"
    assert bed.model.calls == []
    reply = _comments(bed, event["issue"]["number"])[-1]
    assert "no price for the fallback model 'my-vllm-model'" in reply
    assert "PRPILOT_MONTHLY_BUDGET" in reply


def _status_output(text: str) -> str:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("status<<"):
            return lines[index + 1]
    raise AssertionError(f"no status output in {text!r}")
