"""TaskScheduler over the shipped in-memory GitHub port: order of requests, refusals, and failures after the 👀."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from prpilot.errors import GitHubError
from prpilot.github.memory import MemoryGitHub
from prpilot.scheduler.task_scheduler import TaskScheduler
from prpilot.settings import parse_settings
from prpilot.task import Task, TaskStatus


def _task(**fields: object) -> Task:
    values: dict[str, object] = {
        "github_user": "alice",
        "github_project": "octo/repo",
        "user_request": "fix it",
        "issue_number": 7,
        "comment_id": 55,
        "comment_kind": "issue",
    }
    values.update(fields)
    return Task.model_validate(values)


def _scheduler(port: MemoryGitHub, strategy: object = None) -> TaskScheduler:
    ran: list[Task] = []

    def actions(task: Task) -> None:
        if strategy is not None:
            raise strategy  # type: ignore[misc]
        ran.append(task)

    return TaskScheduler(settings=parse_settings({}), github=port, ledger=None, run_url="run", strategies={
        "actions": actions
    })


def test_writer_is_acknowledged_in_three_requests_then_scheduled() -> None:
    port = MemoryGitHub(permissions={"alice": "write"})

    scheduled = _scheduler(port).schedule(_task())

    assert scheduled.admitted
    assert port.calls == ["permission", "react:eyes", "create_comment"]


@pytest.mark.parametrize(("kind", "reacts"), [("issue", True), ("review", True), ("pull_review", False)])
def test_a_review_summary_is_acknowledged_without_a_reaction(kind: str, reacts: bool) -> None:
    port = MemoryGitHub(permissions={"alice": "write"})
    task = _task(issue_number=None, pr_number=3, head="feature", head_repo="octo/repo", comment_kind=kind)

    assert _scheduler(port).schedule(task).admitted

    assert port.calls == ["permission", *(["react:eyes"] if reacts else []), "create_comment"]


@pytest.mark.parametrize("permission", [None, "read", "triage", "none"])
def test_without_write_access_one_comment_explains(permission: str | None) -> None:
    port = MemoryGitHub(permissions={"alice": permission} if permission else {})

    scheduled = _scheduler(port).schedule(_task())

    assert scheduled.status == "rejected"
    assert port.calls == ["permission", "create_comment"]
    assert "write access" in next(iter(port.comments.values()))


def test_fork_pull_request_is_rejected_after_the_acknowledgement() -> None:
    port = MemoryGitHub(permissions={"alice": "admin"}, pull_head_repo="mallory/repo")

    scheduled = _scheduler(port).schedule(_task(issue_number=None, pr_number=3))

    assert scheduled.status == "rejected"
    assert port.calls == ["permission", "react:eyes", "create_comment", "get_pull", "update_comment"]
    assert "mallory/repo" in port.comments[100]


def test_a_bug_after_the_acknowledgement_still_ends_the_task_on_the_thread() -> None:
    port = MemoryGitHub(permissions={"alice": "write"})

    scheduled = _scheduler(port, strategy=RuntimeError("boom")).schedule(_task())

    assert scheduled.task is not None
    assert scheduled.task.status is TaskStatus.FAILED
    assert "internal error (RuntimeError: boom)" in port.comments[100]
    assert "❌" in port.comments[100]


def test_a_rerun_answers_in_the_status_comment_of_its_first_attempt() -> None:
    port = MemoryGitHub(permissions={"alice": "write"})
    first = _task(installation_id="4242")
    _scheduler(port).schedule(first)
    other_request = _task(installation_id="4242", comment_id=56, user_request="something else")
    _scheduler(port).schedule(other_request)
    port.calls.clear()

    rerun = _task(installation_id="4242", context={"run_attempt": 2})
    _scheduler(port).schedule(rerun)

    assert port.calls == ["permission", "react:eyes", "comments_with", "update_comment"]
    assert rerun.status_comment_id == first.status_comment_id
    assert "(attempt 2)" in port.comments[first.status_comment_id or 0]
    assert rerun.id != first.id  # a new task, with a bill of its own


def test_a_rerun_without_an_earlier_comment_posts_one() -> None:
    port = MemoryGitHub(permissions={"alice": "write"})

    rerun = _task(installation_id="4242", context={"run_attempt": 3})
    _scheduler(port).schedule(rerun)

    assert port.calls == ["permission", "react:eyes", "comments_with", "create_comment"]


@pytest.mark.parametrize(("requested", "workflow", "cap"), [("5", "0.50", "$0.50"), ("0.25", "0.50", "$0.25"),
                                                            ("3", "", "$3.00")])
def test_the_acknowledgement_shows_the_tasks_cap_within_max_cost(requested: str, workflow: str, cap: str) -> None:
    from decimal import Decimal

    port = MemoryGitHub(permissions={"alice": "write"})
    scheduler = TaskScheduler(settings=parse_settings({"max-cost": workflow}), github=port, ledger=None,
                              run_url="run", strategies={"actions": lambda task: None})
    task = _task(max_cost_usd=Decimal(requested))

    assert scheduler.schedule(task).admitted

    assert f"May spend up to {cap}." in port.comments[task.status_comment_id or 0]
    assert port.calls == ["permission", "react:eyes", "create_comment"]  # no more requests before the 👀


def test_a_malformed_option_is_refused_in_words_after_the_permission_check() -> None:
    port = MemoryGitHub(permissions={"alice": "write"})
    task = _task(context={"request_error": "`--max-cost` takes an amount in USD"})

    scheduled = _scheduler(port).schedule(task)

    assert task.status is TaskStatus.REJECTED
    assert scheduled.reason.startswith("`--max-cost`")
    assert "`--max-cost` takes an amount in USD" in port.comments[task.status_comment_id or 0]


def test_admission_holds_the_tasks_cap_and_records_what_the_budgets_left(tmp_path: object) -> None:
    from decimal import Decimal
    from pathlib import Path

    from prpilot.billing.ledger import Ledger, Reservation
    from prpilot.testing.stores import FileLedgerBackend

    ledger = Ledger(FileLedgerBackend(Path(str(tmp_path))))
    settings = parse_settings({"max-cost": "1", "monthly-budget": "20", "user-monthly-budget": "5"})
    port = MemoryGitHub(permissions={"alice": "write"})
    scheduler = TaskScheduler(settings=settings, github=port, ledger=ledger, run_url="run",
                              strategies={"actions": lambda task: None})
    task = _task(max_cost_usd=Decimal("0.25"))

    assert scheduler.schedule(task).admitted

    [reservation] = [r for r in ledger.records() if isinstance(r, Reservation)]
    assert reservation.hold_usd == Decimal("0.25")
    assert task.allowance is not None
    assert (task.allowance.month_left_usd, task.allowance.user_left_usd) == (Decimal(20), Decimal(5))
    assert (task.allowance.month_spent_usd, task.allowance.user_spent_usd) == (Decimal(0), Decimal(0))


@pytest.mark.parametrize(
    ("inputs", "hold"),
    [
        ({"monthly-budget": "20"}, "0.786432"),  # 30 × 16,384 × $1.60 (gpt-4.1-mini) / 1M
        ({"monthly-budget": "20", "fallback-model": "gpt-4o"}, "4.91520"),  # the dearer fallback: $10 a million
        ({"user-monthly-budget": "5", "max-steps": "10"}, "0.262144"),
        ({"monthly-budget": "20", "max-cost": "0.5"}, "0.5"),
        ({"monthly-budget": "20", "model": "free", "prices": '{"free": {"input": 0, "output": 0}}'}, "0"),
        ({}, "0"),  # no budget: nothing counts holds
    ],
)
def test_without_max_cost_a_task_under_a_budget_holds_what_its_calls_may_write(
    tmp_path: Path, inputs: dict[str, str], hold: str
) -> None:
    from prpilot.billing.ledger import Ledger, Reservation
    from prpilot.testing.stores import FileLedgerBackend

    ledger = Ledger(FileLedgerBackend(tmp_path))
    scheduler = TaskScheduler(settings=parse_settings({"model": "gpt-4.1-mini", **inputs}),
                              github=MemoryGitHub(permissions={"alice": "write"}), ledger=ledger, run_url="run",
                              strategies={"actions": lambda task: None})
    task = _task()

    assert scheduler.schedule(task).admitted

    [reservation] = [r for r in ledger.records() if isinstance(r, Reservation)]
    assert reservation.hold_usd == Decimal(hold)
    assert task.hold_usd == (Decimal(hold) if Decimal(hold) else None)  # what the engine stops at


@dataclass
class TimingOutPort(MemoryGitHub):
    """GitHub carries the first comment's POST out, but its answer never arrives (a timeout)."""

    lost: int = 1

    def create_comment(self, number: int, body: str) -> int:
        comment_id = super().create_comment(number, body)
        if self.lost:
            self.lost -= 1
            raise GitHubError("could not reach GitHub to comment on the thread: ReadTimeout")
        return comment_id


def test_an_acknowledgement_whose_answer_timed_out_is_found_not_posted_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 13, class 4: the retry posted a second "On it" comment that nobody ever edits.
    monkeypatch.setattr("prpilot.scheduler.task_scheduler.settle_time", lambda: 0.0)  # no 20 s wait for a late POST
    port = TimingOutPort(permissions={"alice": "write"})

    scheduled = _scheduler(port).schedule(_task())

    assert scheduled.admitted
    assert port.calls == ["permission", "react:eyes", "create_comment", "comments_with"]
    assert list(port.comments) == [100]
    assert scheduled.task is not None
    assert scheduled.task.status_comment_id == 100
