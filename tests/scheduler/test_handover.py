"""What the ledger says about a task another run hands over, and what runs on a thread. Pure."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from prpilot.billing.bill import Bill
from prpilot.billing.ledger import Record, Reservation, Settlement, Start
from prpilot.scheduler.handover import Running, handover_refusal, running_on_thread
from prpilot.task import Task

AT = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)


def _task(**fields: object) -> Task:
    base: dict[str, object] = {"github_user": "bob", "github_project": "octo/repo", "user_request": "x",
                               "issue_number": 7, "installation_id": "100"}
    return Task.model_validate({**base, **fields})


def _reserved(task: Task, *, model: str = "gpt-4.1-mini", user: str | None = None) -> Reservation:
    return Reservation(task_id=task.id, user=user or task.github_user, repository=task.github_project, at=AT,
                       model=model, thread=task.thread_number, run_id=task.installation_id)


def _settled(task: Task) -> Settlement:
    bill = Bill(task_id=task.id, user=task.github_user, repository=task.github_project, model="m", prompt_tokens=0,
                cached_tokens=0, completion_tokens=0, cost_usd=Decimal(0), run_id="100", created_at=AT)
    return Settlement(bill=bill, at=AT)


TASK = _task()


@pytest.mark.parametrize(
    ("records", "model", "run_id", "refusal"),
    [
        ([_reserved(TASK)], "gpt-4.1-mini", "200", None),
        ([_reserved(TASK)], "GPT-4.1-mini", None, None),  # a queued task: no run takes it in the ledger
        ([], "gpt-4.1-mini", "200", "has no reservation in the ledger"),
        ([_reserved(TASK, user="alice")], "gpt-4.1-mini", "200", "(different requester)"),
        ([_reserved(TASK)], "gpt-5.5", "200", "(different model)"),
        ([_reserved(TASK, model="")], "gpt-4.1-mini", "200", "(different model)"),  # a line older than models
        ([_reserved(TASK), _settled(TASK)], "gpt-4.1-mini", "200", "has ended already"),
        ([_reserved(TASK), Start(task_id=TASK.id, run_id="300", at=AT)], "gpt-4.1-mini", "200",
         "is run already by workflow run 300"),
        ([_reserved(TASK), Start(task_id=TASK.id, run_id="200", at=AT)], "gpt-4.1-mini", "200", None),  # a re-run
    ],
    ids=["admitted", "queued", "never admitted", "another requester", "another model", "no model recorded",
         "settled", "taken by another run", "taken by this run"],
)
def test_handover_refusal(records: list[Record], model: str, run_id: str | None, refusal: str | None) -> None:
    found = handover_refusal(records, TASK, model=model, run_id=run_id)
    if refusal is None:
        assert found is None
    else:
        assert found is not None
        assert refusal in found


def test_running_on_thread_is_what_the_ledger_admitted_there_and_did_not_settle() -> None:
    running, done, elsewhere = _task(), _task(installation_id="101"), _task(issue_number=8, installation_id="102")
    taken = _task(installation_id="103")
    records: list[Record] = [_reserved(t) for t in (running, done, elsewhere, taken)]
    records += [_settled(done), Start(task_id=taken.id, run_id="900", at=AT)]

    assert running_on_thread(records, 7) == {running.id: Running("100", "bob"), taken.id: Running("900", "bob")}
