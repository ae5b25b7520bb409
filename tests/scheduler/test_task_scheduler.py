"""TaskScheduler over a hand-written GitHub port: order of requests, refusals, and failures after the 👀."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from prpilot.errors import GitHubError
from prpilot.github.port import PullInfo
from prpilot.github.thread_context import ThreadContext
from prpilot.scheduler.task_scheduler import TaskScheduler
from prpilot.settings import parse_settings
from prpilot.task import Task, TaskStatus


@dataclass
class FakePort:
    """Records every call; answers from a few fields."""

    permissions: dict[str, str] = field(default_factory=dict)
    pull_head_repo: str = "octo/repo"
    calls: list[str] = field(default_factory=list)
    comments: dict[int, str] = field(default_factory=dict)
    full_name: str = "octo/repo"

    def permission(self, login: str) -> str | None:
        self.calls.append("permission")
        return self.permissions.get(login)

    def react(self, comment_id: int, comment_kind: str, content: str) -> None:
        self.calls.append(f"react:{content}")

    def create_comment(self, number: int, body: str) -> int:
        self.calls.append("create_comment")
        comment_id = 100 + len(self.comments)
        self.comments[comment_id] = body
        return comment_id

    def update_comment(self, comment_id: int, body: str) -> None:
        self.calls.append("update_comment")
        self.comments[comment_id] = body

    def comment_body(self, comment_id: int) -> str:
        return self.comments[comment_id]

    def get_pull(self, number: int) -> PullInfo:
        self.calls.append("get_pull")
        return PullInfo(number=number, html_url="u", head_ref="feature", head_repo=self.pull_head_repo, base_ref="main")

    def create_pull(self, *, title: str, body: str, head: str, base: str, draft: bool) -> PullInfo:
        raise AssertionError("not used by the scheduler")

    def comments_with(self, number: int, marker: str) -> list[tuple[int, str]]:
        self.calls.append("comments_with")
        return [(cid, body) for cid, body in self.comments.items() if marker in body]

    def add_labels(self, number: int, labels: list[str]) -> None:
        raise AssertionError("not used by the scheduler")

    def default_branch(self) -> str:
        return "main"

    def thread(self, number: int, *, is_pull: bool, marker: str) -> ThreadContext:
        raise AssertionError("not used by the scheduler")

    def dispatch_workflow(self, workflow: str, ref: str, inputs: dict[str, str]) -> None:
        self.calls.append("dispatch")


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


def _scheduler(port: FakePort, strategy: object = None) -> TaskScheduler:
    ran: list[Task] = []

    def actions(task: Task) -> None:
        if strategy is not None:
            raise strategy  # type: ignore[misc]
        ran.append(task)

    return TaskScheduler(settings=parse_settings({}), github=port, ledger=None, run_url="run", strategies={
        "actions": actions
    })


def test_writer_is_acknowledged_in_three_requests_then_scheduled() -> None:
    port = FakePort(permissions={"alice": "write"})

    scheduled = _scheduler(port).schedule(_task())

    assert scheduled.admitted
    assert port.calls == ["permission", "react:eyes", "create_comment"]


@pytest.mark.parametrize(("kind", "reacts"), [("issue", True), ("review", True), ("pull_review", False)])
def test_a_review_summary_is_acknowledged_without_a_reaction(kind: str, reacts: bool) -> None:
    port = FakePort(permissions={"alice": "write"})
    task = _task(issue_number=None, pr_number=3, head="feature", head_repo="octo/repo", comment_kind=kind)

    assert _scheduler(port).schedule(task).admitted

    assert port.calls == ["permission", *(["react:eyes"] if reacts else []), "create_comment"]


@pytest.mark.parametrize("permission", [None, "read", "triage", "none"])
def test_without_write_access_one_comment_explains(permission: str | None) -> None:
    port = FakePort(permissions={"alice": permission} if permission else {})

    scheduled = _scheduler(port).schedule(_task())

    assert scheduled.status == "rejected"
    assert port.calls == ["permission", "create_comment"]
    assert "write access" in next(iter(port.comments.values()))


def test_fork_pull_request_is_rejected_after_the_acknowledgement() -> None:
    port = FakePort(permissions={"alice": "admin"}, pull_head_repo="mallory/repo")

    scheduled = _scheduler(port).schedule(_task(issue_number=None, pr_number=3))

    assert scheduled.status == "rejected"
    assert port.calls == ["permission", "react:eyes", "create_comment", "get_pull", "update_comment"]
    assert "mallory/repo" in port.comments[100]


def test_a_bug_after_the_acknowledgement_still_ends_the_task_on_the_thread() -> None:
    port = FakePort(permissions={"alice": "write"})

    scheduled = _scheduler(port, strategy=RuntimeError("boom")).schedule(_task())

    assert scheduled.task is not None
    assert scheduled.task.status is TaskStatus.FAILED
    assert "internal error (RuntimeError: boom)" in port.comments[100]
    assert "❌" in port.comments[100]


def test_a_rerun_answers_in_the_status_comment_of_its_first_attempt() -> None:
    port = FakePort(permissions={"alice": "write"})
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
    port = FakePort(permissions={"alice": "write"})

    rerun = _task(installation_id="4242", context={"run_attempt": 3})
    _scheduler(port).schedule(rerun)

    assert port.calls == ["permission", "react:eyes", "comments_with", "create_comment"]


@dataclass
class TimingOutPort(FakePort):
    """GitHub carries the first comment's POST out, but its answer never arrives (a timeout)."""

    lost: int = 1

    def create_comment(self, number: int, body: str) -> int:
        comment_id = super().create_comment(number, body)
        if self.lost:
            self.lost -= 1
            raise GitHubError("could not reach GitHub to comment on the thread: ReadTimeout")
        return comment_id


def test_an_acknowledgement_whose_answer_timed_out_is_found_not_posted_twice() -> None:
    # Issue 13, class 4: the retry posted a second "On it" comment that nobody ever edits.
    port = TimingOutPort(permissions={"alice": "write"})

    scheduled = _scheduler(port).schedule(_task())

    assert scheduled.admitted
    assert port.calls == ["permission", "react:eyes", "create_comment", "comments_with"]
    assert list(port.comments) == [100]
    assert scheduled.task is not None
    assert scheduled.task.status_comment_id == 100
