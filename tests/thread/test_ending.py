"""The one ending: each way a task ends goes through ``end_task`` and leaves the same traces.

Every test reads the same three traces of an ending: the bill in the ledger, the answer in the
status comment, the outputs and summary for the runner.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from prpilot.billing.ledger import Ledger, settlements
from prpilot.billing.meter import Meter
from prpilot.billing.pricing import DEFAULT_PRICES
from prpilot.errors import GitHubError
from prpilot.github.memory import MemoryGitHub
from prpilot.scheduler.task_scheduler import TaskScheduler
from prpilot.settings import parse_settings
from prpilot.task import Task, TaskStatus, Usage
from prpilot.testing.notices import RecordedNotices
from prpilot.testing.stores import FileLedgerBackend, StatusCommentStore
from prpilot.thread.ending import Ending, end_task
from prpilot.thread.markdown import MARKER
from prpilot.thread.records import extract_task
from prpilot.thread.status_comment import StatusComment
from prpilot.wiring.context import RunContext
from prpilot.wiring.run import Run

RUN = "https://github.test/octo/repo/actions/runs/1"


def _task(**fields: object) -> Task:
    values: dict[str, object] = {"github_user": "alice", "github_project": "octo/repo", "user_request": "fix it",
                                 "issue_number": 7, "comment_id": 55, "comment_kind": "issue",
                                 "installation_id": "1", "gpt_model": "gpt-4.1-mini"}
    values.update(fields)
    return Task.model_validate(values)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(FileLedgerBackend(tmp_path / "ledger"))


def _answer(github: MemoryGitHub, task: Task) -> Task:
    assert task.status_comment_id is not None
    posted = extract_task(github.comments[task.status_comment_id])
    assert posted is not None
    return posted


def test_an_engine_ending_bills_answers_and_reports(ledger: Ledger) -> None:
    github, notices = MemoryGitHub(), RecordedNotices()
    task = _task()
    task.transition(TaskStatus.SCHEDULED)
    task.transition(TaskStatus.RUNNING)
    meter = Meter("gpt-4.1-mini", DEFAULT_PRICES, "1", ledger=ledger, notices=notices)
    meter.usage = Usage(prompt_tokens=1000, completion_tokens=100, calls=2)

    end_task(task, TaskStatus.COMPLETED, "Fixed it.", Ending(StatusComment(github, RUN), meter, notices))

    assert settlements(ledger.records())[task.id].bill.prompt_tokens == 1000
    assert _answer(github, task).status is TaskStatus.COMPLETED
    assert "Fixed it." in github.comments[task.status_comment_id or 0]
    assert notices.outputs["status"] == "completed"
    assert notices.outputs["prompt-tokens"] == 1000
    assert notices.summaries
    assert notices.summaries[0].startswith("## prpilot: completed")


def test_a_refused_answer_loses_no_bill_and_says_so(ledger: Ledger) -> None:
    github = MemoryGitHub(fail={"create_comment": GitHubError("GitHub refused to comment: 403 Forbidden", status=403)})
    notices = RecordedNotices()
    task = _task()
    meter = Meter("gpt-4.1-mini", DEFAULT_PRICES, "1", ledger=ledger)
    meter.usage = Usage(prompt_tokens=10, completion_tokens=1, calls=1)

    end_task(task, TaskStatus.FAILED, "It broke.", Ending(StatusComment(github, RUN), meter, notices))

    assert task.id in settlements(ledger.records())
    assert notices.errors == ["could not answer on the thread: GitHub refused to comment: 403 Forbidden"]
    assert notices.outputs["status"] == "failed"


def test_the_finish_step_settles_an_answered_task_without_answering_again(ledger: Ledger) -> None:
    github, notices = MemoryGitHub(), RecordedNotices()
    task = _task()
    task.transition(TaskStatus.SCHEDULED)
    task.transition(TaskStatus.RUNNING)
    task.transition(TaskStatus.COMPLETED, "answered by the engine")
    meter = Meter("gpt-4.1-mini", DEFAULT_PRICES, "1", ledger=ledger)

    end_task(task, TaskStatus.FAILED, "not used", Ending(StatusComment(github, RUN), meter, notices), answer=False)

    assert task.status is TaskStatus.COMPLETED
    assert task.result == "answered by the engine"
    assert task.id in settlements(ledger.records())
    assert github.calls == []
    assert notices.summaries == []
    assert notices.outputs["status"] == "completed"


def test_a_scheduler_refusal_ends_through_the_one_ending() -> None:
    github, notices = MemoryGitHub(permissions={"alice": "read"}), RecordedNotices()
    scheduler = TaskScheduler(settings=parse_settings({}), github=github, ledger=None, run_url=RUN, notices=notices)
    task = _task()

    scheduler.schedule(task)

    assert task.status is TaskStatus.REJECTED
    assert _answer(github, task).status is TaskStatus.REJECTED
    assert notices.outputs["status"] == "rejected"
    assert notices.summaries


def test_a_scheduler_failure_after_admission_frees_the_reservation(ledger: Ledger) -> None:
    github, notices = MemoryGitHub(permissions={"alice": "write"}), RecordedNotices()

    def broken(task: Task) -> None:
        raise GitHubError("GitHub refused to start the worker: 500 error")

    settings = parse_settings({"max-cost": "2"})
    scheduler = TaskScheduler(settings=settings, github=github, ledger=ledger, run_url=RUN,
                              strategies={"actions": broken}, notices=notices)
    task = _task()

    scheduler.schedule(task)

    assert task.status is TaskStatus.FAILED
    assert "could not schedule the task" in github.comments[task.status_comment_id or 0]
    assert settlements(ledger.records())[task.id].bill.cost_usd == Decimal(0)  # the $2 hold is released
    assert notices.outputs["status"] == "failed"


def test_a_task_that_could_not_start_is_failed_answered_and_settled_at_zero(ledger: Ledger) -> None:
    github, notices = MemoryGitHub(), RecordedNotices()
    task = _task()
    task.transition(TaskStatus.SCHEDULED)
    ctx = RunContext(repository="octo/repo", run_id="1", server_url="https://github.test", api_url="https://api.github.test")

    run = Run.over(parse_settings({}), ctx, notices, github=github, ledger=ledger)  # type: ignore[arg-type]

    run.fail_before_start(task, "the model input is invalid")

    assert task.status is TaskStatus.FAILED
    assert "prpilot could not start: the model input is invalid" in github.comments[task.status_comment_id or 0]
    assert settlements(ledger.records())[task.id].bill.cost_usd == Decimal(0)
    assert notices.outputs["status"] == "failed"


def test_a_store_saving_a_final_task_answers_through_the_one_ending() -> None:
    github = MemoryGitHub()
    store = StatusCommentStore(github, RUN)
    task = _task()
    store.save(task)  # not final: progress only
    task.transition(TaskStatus.REJECTED, "no budget left")

    store.save(task)

    body = github.comments[task.status_comment_id or 0]
    assert MARKER in body
    assert "no budget left" in body
    assert store.load(task.id) == task
