"""What came before a follow-up, and what the status comment says a task may spend: pure text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from prpilot.task import Allowance, Task, TaskStatus
from prpilot.thread.history import MAX_EARLIER, as_earlier, closes_issue, earlier_tasks
from prpilot.thread.markdown import spending_line, status_comment
from prpilot.thread.records import StopRecord, stop_reply, stopped_by


def _task(status: TaskStatus | None, **fields: object) -> Task:
    task = Task(github_user="alice", github_project="octo/repo", user_request="fix the typo", issue_number=3,
                **fields)  # type: ignore[arg-type]
    task.status = status
    return task


def test_earlier_tasks_are_those_that_worked_oldest_first_once_each() -> None:
    done = _task(TaskStatus.COMPLETED, result="Fixed it.", changed_files=["README.md"])
    failed = _task(TaskStatus.FAILED, result="Could not.")
    bodies = [status_comment(t, run_url="r") for t in (done, failed, done, _task(TaskStatus.RUNNING),
                                                        _task(TaskStatus.REJECTED))]

    found = earlier_tasks(bodies)

    assert [t.id for t in found] == [done.id, failed.id]
    [first, _] = as_earlier(found)
    assert (first.request, first.answer, first.changed_files) == ("fix the typo", "Fixed it.", ["README.md"])


def test_the_origin_must_be_the_task_that_opened_this_pull_request() -> None:
    opened = _task(TaskStatus.COMPLETED, pr_number=9, pr_url="https://x/pull/9")
    other = _task(TaskStatus.COMPLETED, pr_number=10, pr_url="https://x/pull/10")
    bodies = [status_comment(t, run_url="r") for t in (opened, other, _task(TaskStatus.COMPLETED))]

    assert [t.id for t in earlier_tasks(bodies, opened_pull=9)] == [opened.id]


def test_only_the_newest_earlier_tasks_are_kept() -> None:
    tasks = [_task(TaskStatus.COMPLETED, result=f"answer {n}") for n in range(MAX_EARLIER + 3)]  # oldest first

    kept = as_earlier(tasks)

    assert [t.answer for t in kept] == [f"answer {n}" for n in range(3, MAX_EARLIER + 3)]
    assert MAX_EARLIER == 5  # the README's "the newest five tasks"


@pytest.mark.parametrize(
    ("body", "issue"),
    [("Requested by @a: x\n\nCloses #12\n\n### What", 12), ("Closes #12 and #13", None), ("closes 12", None),
     ("", None), ("> Closes #4", None)],
)
def test_closes_issue_reads_the_line_prpilot_writes(body: str, issue: int | None) -> None:
    assert closes_issue(body) == issue


@pytest.mark.parametrize(
    ("cap", "allowance", "line"),
    [
        (None, None, ""),
        (Decimal("0.5"), None, "💵 May spend up to $0.50."),
        (Decimal(2), Allowance(month_left_usd=Decimal("12.3"), month_budget_usd=Decimal(20)),
         "💵 May spend up to $2.00 · $12.30 of the $20.00 monthly budget left."),
        (None, Allowance(user_left_usd=Decimal(4), user_budget_usd=Decimal(5)),
         "💵 $4.00 of @alice's $5.00 left."),
    ],
)
def test_the_spending_line_shows_the_cap_and_what_the_budgets_left(
    cap: Decimal | None, allowance: Allowance | None, line: str
) -> None:
    task = _task(TaskStatus.SCHEDULED, max_cost_usd=cap, allowance=allowance)

    assert spending_line(task) == line
    if line:
        assert line in status_comment(task, run_url="r")


def test_the_stop_record_names_who_stopped_which_task() -> None:
    body = stop_reply("🛑 Stopping", StopRecord(by="bob", task_ids=["t1", "t2"]))

    assert stopped_by(["unrelated", body], "t2") == "bob"
    assert stopped_by([body], "t3") is None
    assert stopped_by(["<!-- prpilot:stop !!! -->"], "t1") is None
    assert "prpilot:stop" not in stop_reply("Nothing to stop", None)
