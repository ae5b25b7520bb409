"""Two (or ten) tasks settling at the same moment, in separate processes, lose no ledger record."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from github import Auth, Github
from prpilot.billing.bill import Bill
from prpilot.billing.ledger import Ledger, Settlement
from prpilot.billing.ref_ledger import RefLedgerBackend
from prpilot.github.ref_store import GitRefStore
from prpilot.testing.github import FakeGitHub

REPO = "acme/widgets"


def _ledger(api_url: str, token: str) -> Ledger:
    client = Github(auth=Auth.Token(token), base_url=api_url, lazy=True, seconds_between_writes=0)
    return Ledger(RefLedgerBackend(GitRefStore(client.get_repo(REPO))), attempts=20)


def _settle(api_url: str, token: str, index: int, start: multiprocessing.synchronize.Barrier) -> None:
    bill = Bill(
        task_id=f"task-{index}",
        repository=REPO,
        user="alice",
        model="gpt-4.1-mini",
        prompt_tokens=1000 + index,
        cached_tokens=0,
        completion_tokens=10,
        cost_usd=Decimal("0.0004"),
        run_id=str(index),
        created_at=datetime.now(UTC),
    )
    ledger = _ledger(api_url, token)
    start.wait()
    ledger.settle(bill)


@pytest.mark.slow
def test_ten_processes_settling_at_once_lose_no_record(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    context = multiprocessing.get_context("fork")
    start = context.Barrier(10)
    workers = [
        context.Process(target=_settle, args=(fake_github.api_url, fake_github.token, index, start))
        for index in range(10)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)

    assert [worker.exitcode for worker in workers] == [0] * 10
    settled = [r for r in _ledger(fake_github.api_url, fake_github.token).records() if isinstance(r, Settlement)]
    assert sorted(r.bill.task_id for r in settled) == sorted(f"task-{i}" for i in range(10))
    assert any(r.method == "PATCH" and r.status == 422 for r in fake_github.rest()), "no race happened"
