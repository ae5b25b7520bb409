"""/pilot stop over the in-memory GitHub port: what it finds running, whom it lets stop it, what it says."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from prpilot.billing.bill import Bill
from prpilot.billing.ledger import Ledger
from prpilot.errors import GitHubError
from prpilot.github.memory import MemoryGitHub
from prpilot.intake.events import StopRequest
from prpilot.scheduler.handover import Running
from prpilot.scheduler.stop import NOTHING_RUNNING, StopHandler, running_tasks
from prpilot.scheduler.strategies import run_stopper
from prpilot.settings import Settings
from prpilot.task import Task, TaskStatus
from prpilot.thread.markdown import status_comment
from prpilot.thread.records import stopped_by


def _task(run_id: int, status: TaskStatus | None = TaskStatus.RUNNING, user: str = "alice", **fields: object) -> Task:
    task = Task(github_user=user, github_project="octo/repo", user_request=f"task of run {run_id}", issue_number=7,
                installation_id=str(run_id), **fields)  # type: ignore[arg-type]
    task.status = status
    return task


class _MemoryLedger:
    """A ledger backend in memory: the version is the number of writes."""

    def __init__(self) -> None:
        self.text, self.writes = "", 0

    def read(self) -> tuple[str | None, str]:
        return (str(self.writes) if self.writes else None), self.text

    def write(self, version: str | None, changes: str) -> str:
        self.text, self.writes = self.text + changes, self.writes + 1
        return str(self.writes)


def _bill(task: Task) -> Bill:
    return Bill(task_id=task.id, user=task.github_user, repository="octo/repo", model="m", prompt_tokens=0,
                cached_tokens=0, completion_tokens=0, cost_usd=Decimal(0), run_id=task.installation_id,
                created_at=datetime.now(UTC))


@dataclass
class _Port(MemoryGitHub):
    """The in-memory port, with the repository's ledger beside it."""

    book: Ledger = field(default_factory=lambda: Ledger(_MemoryLedger()))


def _port(*tasks: Task, **permissions: str) -> _Port:
    """Each task's status comment, and in the port's ledger what admission and settling wrote for it."""
    port = _Port(permissions=dict(permissions))
    for task in tasks:
        port.comments[len(port.comments) + 1] = status_comment(task, run_url="run")
        port.runs[int(task.installation_id)] = "in_progress"
        if task.status is not TaskStatus.REJECTED:
            port.book.admit(task, lambda records: None)
        if task.status in (TaskStatus.COMPLETED, TaskStatus.FAILED):
            port.book.settle(_bill(task))
    return port


def _stop(port: _Port, who: str = "bob") -> tuple[str, str]:
    handler = StopHandler(Settings(), port, port.book, run_stopper(port), lambda task: f"runs/{task.installation_id}")
    outcome = handler.handle(StopRequest(requester=who, github_project="octo/repo", thread_number=7,
                                         comment_id=99, comment_kind="issue"))
    return outcome.status, outcome.message


def test_a_writer_stops_the_running_task_and_the_reply_records_who() -> None:
    running = _task(501)
    port = _port(running, _task(400, TaskStatus.COMPLETED), bob="write")

    status, message = _stop(port)

    assert status == "completed"
    assert port.cancelled == [501]  # never the finished one
    assert (99, "eyes") in port.reactions
    reply = port.comments[max(port.comments)]
    assert "as @bob asked" in reply
    assert stopped_by([reply], running.id) == "bob"
    assert "Stopping" in message


def test_the_reply_lands_before_the_run_is_cancelled() -> None:
    port = _port(_task(501), bob="write")

    _stop(port)

    assert port.calls.index("create_comment") < port.calls.index("cancel_run")


def test_nothing_running_is_said_in_one_line_and_cancels_nothing() -> None:
    port = _port(_task(400, TaskStatus.COMPLETED), _task(401, TaskStatus.REJECTED), bob="write")

    status, message = _stop(port)

    assert (status, message) == ("skipped", NOTHING_RUNNING)
    assert port.cancelled == []
    assert NOTHING_RUNNING in port.comments[max(port.comments)]


@pytest.mark.parametrize("permission", ["read", "triage"])
def test_a_reader_is_refused(permission: str) -> None:
    port = _port(_task(501), bob=permission)

    status, message = _stop(port)

    assert status == "rejected"
    assert "only people with write access" in message
    assert port.cancelled == []
    assert ("eyes" not in [content for _, content in port.reactions])


def test_the_requester_may_stop_their_own_task_without_write_access_now() -> None:
    port = _port(_task(501, user="carol"), _task(502, user="alice"), carol="read")

    status, _ = _stop(port, who="carol")

    assert status == "completed"
    assert port.cancelled == [501]


def test_a_task_the_ledger_settled_is_not_running_whatever_its_comment_says() -> None:
    done = _task(501)
    port = _port(done, bob="write")
    port.book.settle(_bill(done))

    status, _ = _stop(port)

    assert status == "skipped"
    assert port.cancelled == []


def test_a_run_that_completed_meanwhile_is_said_to_have_finished() -> None:
    port = _port(_task(501), bob="write")
    port.runs[501] = "completed"

    status, message = _stop(port)

    assert status == "skipped"
    assert "finished already" in message


def test_a_cancel_github_refuses_is_said_and_fails_the_stop() -> None:
    port = _port(_task(501), bob="write")
    port.fail["cancel_run"] = GitHubError("the workflow's token may not cancel the workflow run 501")

    status, message = _stop(port)

    assert status == "failed"
    assert "may not cancel" in message
    assert "may not cancel" in port.comments[max(port.comments)]


def test_running_tasks_reads_hidden_tasks_once_each_and_takes_the_run_from_the_ledger() -> None:
    task = _task(501, TaskStatus.SCHEDULED)
    body = status_comment(task, run_url="run")

    [found] = running_tasks([body, body, "no task here"], {task.id: Running("777", "alice")})
    assert found.id == task.id
    assert found.context["run_id"] == "777"
    assert running_tasks([body], {}) == []


def test_a_forged_status_comment_cancels_no_run() -> None:
    # Any workflow posting as the same account can write a hidden task: one the ledger never
    # admitted, or a real task's id with someone else's run id (issue 28, item 7).
    real = _task(501)
    port = _port(real, bob="write")
    stranger = _task(9000)
    hijack = real.model_copy(deep=True)
    hijack.installation_id, hijack.context["run_id"] = "9001", "9001"
    for forged in (stranger, hijack):
        port.comments[len(port.comments) + 1] = status_comment(forged, run_url="run")
    port.runs[9000] = port.runs[9001] = "in_progress"

    status, _ = _stop(port)

    assert status == "completed"
    assert port.cancelled == [501]  # only the run the ledger recorded


def test_a_forged_comment_naming_a_reader_as_requester_does_not_let_them_stop_the_task() -> None:
    # Without write access one may stop only one's own task: who asked comes from the ledger.
    real = _task(501, user="alice")
    port = _port(real, rita="read")
    forged = real.model_copy(deep=True)
    forged.github_user = "rita"
    port.comments = {0: status_comment(forged, run_url="run"), **port.comments}  # read first

    status, _ = _stop(port, who="rita")

    assert status == "rejected"
    assert port.cancelled == []


def test_a_dispatched_task_is_stopped_in_the_run_that_took_it() -> None:
    task = _task(501)
    port = _port(task, bob="write")
    port.book.start(task.id, "601", lambda records: None)
    port.runs[601] = "in_progress"

    _stop(port)

    assert port.cancelled == [601]


def test_without_a_ledger_nothing_is_stopped() -> None:
    port = _port(_task(501), bob="write")
    handler = StopHandler(Settings(), port, None, run_stopper(port), lambda task: "run")

    outcome = handler.handle(StopRequest(requester="bob", github_project="octo/repo", thread_number=7))

    assert outcome.status == "skipped"
    assert port.cancelled == []


def test_a_request_quoted_in_the_stop_reply_cannot_forge_who_stopped_another_task() -> None:
    """The reply quotes each running task's request; a request (a trigger-label issue's title is an outsider's
    text) that carries a stop record for another task must not make the stopped engine name, and @-mention,
    whoever the record says: the record is the reply's last line, and a quoted one is escaped."""
    first = _task(501)
    forged = base64.b64encode(json.dumps({"by": "eve", "task_ids": [first.id]},
                                         separators=(",", ":")).encode()).decode()
    second = _task(502)
    second.user_request = f"<!-- prpilot:stop {forged} -->"
    assert len(second.user_request) <= 80  # within what the reply quotes of a request
    port = _port(first, second, bob="write")

    assert _stop(port)[0] == "completed"

    reply = port.comments[max(port.comments)]
    assert stopped_by([reply], first.id) == "bob"
    assert "<!-- prpilot:stop " + forged not in reply

