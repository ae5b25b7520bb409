"""End to end: the bill's tokens equal the API's usage everywhere, and no bill is lost or doubled."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from github import Auth, Github
from prpilot.billing.ledger import Ledger, Settlement
from prpilot.billing.money import format_usd, share
from prpilot.billing.ref_ledger import RefLedgerBackend
from prpilot.github.ref_store import GitRefStore
from prpilot.testing import openai_replies as say
from prpilot.testing.scenario import Bed

pytestmark = pytest.mark.e2e
ENTRYPOINT = Path(__file__).resolve().parents[2] / "entrypoint.py"


def _settlements(bed: Bed) -> list[Settlement]:
    client = Github(auth=Auth.Token(bed.github.token), base_url=bed.github.api_url, lazy=True)
    records = Ledger(RefLedgerBackend(GitRefStore(client.get_repo(bed.repo)))).records()
    return [record for record in records if isinstance(record, Settlement)]


def test_tokens_agree_in_outputs_bill_and_ledger(bed: Bed) -> None:
    bed.model.script(
        say.tool("read_file", {"path": "README.md"}).with_usage(
            prompt_tokens=2_000, completion_tokens=30, cached_tokens=1_024
        ),
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}).with_usage(
            prompt_tokens=2_500, completion_tokens=40, cached_tokens=2_048
        ),
        say.text("Fixed.").with_usage(prompt_tokens=2_700, completion_tokens=12, cached_tokens=2_048),
        say.text("Fix the typo").with_usage(prompt_tokens=120, completion_tokens=6, cached_tokens=0),
    )

    result = bed.run("issue_comment", bed.issue_comment("/pilot fix the typo in README.md"))

    assert result.outputs["status"] == "completed", result.logs
    served = bed.model.total_usage()
    assert (served.prompt_tokens, served.cached_tokens, served.completion_tokens) == (7_320, 5_120, 88)
    outputs = result.outputs
    assert int(outputs["prompt-tokens"]) == served.prompt_tokens
    assert int(outputs["cached-tokens"]) == served.cached_tokens
    assert int(outputs["completion-tokens"]) == served.completion_tokens
    [bill] = bed.billing.bills
    assert (bill["prompt_tokens"], bill["cached_tokens"], bill["completion_tokens"]) == (7_320, 5_120, 88)
    assert Decimal(bill["cost_usd"]) == Decimal(outputs["cost"])
    [settled] = _settlements(bed)
    assert settled.bill.prompt_tokens == served.prompt_tokens
    assert settled.bill.cached_tokens == served.cached_tokens
    assert settled.bill.completion_tokens == served.completion_tokens
    # gpt-4.1-mini: (7,320 - 5,120) x $0.40/M + 5,120 x $0.10/M + 88 x $1.60/M
    assert settled.bill.cost_usd == Decimal("0.0015328")
    assert "Usage" in result.summary or "prompt tokens" in result.summary


def test_bill_of_a_run_with_billing_down_is_delivered_by_the_next_run(bed: Bed) -> None:
    bed.model.set_policy(lambda request, index: say.text("Nothing to change."))
    bed.billing.down("503")
    first = bed.run("issue_comment", bed.issue_comment("/pilot first"))
    assert first.outputs["status"] == "completed", first.logs
    assert bed.billing.bills == []

    bed.billing.up()
    second = bed.run("issue_comment", bed.issue_comment("/pilot second"))

    assert second.outputs["status"] == "completed", second.logs
    delivered = sorted(bill["task_id"] for bill in bed.billing.bills)
    assert delivered == sorted([first.outputs["task-id"], second.outputs["task-id"]])
    third = bed.run("issue_comment", bed.issue_comment("/pilot third"))
    assert third.outputs["status"] == "completed", third.logs
    assert len(bed.billing.bills) == 3  # each bill exactly once


def test_spend_command_reports_what_the_ledger_settled(bed: Bed) -> None:
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}).with_usage(
            prompt_tokens=2_000, completion_tokens=30
        ),
        say.text("Fixed.").with_usage(prompt_tokens=2_100, completion_tokens=12),
        say.text("Fix the typo").with_usage(prompt_tokens=120, completion_tokens=6),
    )
    result = bed.run("issue_comment", bed.issue_comment("/pilot fix the typo in README.md"))
    assert result.outputs["status"] == "completed", result.logs
    env = {"PATH": os.environ["PATH"], "GITHUB_TOKEN": bed.github.token, "GITHUB_API_URL": bed.github.api_url,
           "PRPILOT_MONTHLY_BUDGET": "10", "PRPILOT_RATE_LIMIT": "5"}

    shown = subprocess.run([sys.executable, str(ENTRYPOINT), "spend", "--repo", bed.repo], env=env,
                           capture_output=True, text=True, check=False, timeout=60)

    assert shown.returncode == 0, shown.stderr
    cost = Decimal(result.outputs["cost"])
    assert f"| alice | 1 | {format_usd(cost)} | 4,220 | 0 | 48 |" in shown.stdout
    assert f"of $10.00 ({share(cost, Decimal(10))}) over 1 settled task." in shown.stdout
    assert "- 1 of 5 tasks admitted in the last hour" in shown.stdout
    assert "```mermaid\nxychart-beta\n" in shown.stdout
    pie = f'    "alice" : {cost.quantize(Decimal("0.000001")).normalize():f}'  # in millionths
    assert pie in shown.stdout

    past = subprocess.run([sys.executable, str(ENTRYPOINT), "spend", "--repo", bed.repo, "--month", "2020-01"],
                          env=env, capture_output=True, text=True, check=False, timeout=60)
    assert past.returncode == 0, past.stderr
    assert past.stdout.startswith(f"## prpilot spend: {bed.repo}, 2020-01 (UTC)")
    assert "over 0 settled tasks." in past.stdout
    assert "last hour" not in past.stdout  # the rate limit is about now, not about a past month

    refused = subprocess.run([sys.executable, str(ENTRYPOINT), "spend", "--repo", bed.repo, "--month", "2026-13"],
                             env=env, capture_output=True, text=True, check=False, timeout=60)
    assert refused.returncode != 0
    assert "--month must look like 2026-11, not '2026-13'" in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr
