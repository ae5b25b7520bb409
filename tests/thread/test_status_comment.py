"""The status comment: throttled progress, edits off the task's path, and a final answer nothing overwrites."""

from __future__ import annotations

import threading
from typing import Any, cast

from prpilot.errors import GitHubError
from prpilot.github.port import GitHubPort
from prpilot.task import Task, TaskStatus
from prpilot.thread.status_comment import BackgroundEditor, StatusComment


class Thread:
    """The two GitHub calls a status comment makes, recorded in the order they land."""

    def __init__(self) -> None:
        self.edits: list[tuple[int, str]] = []
        self.created: list[tuple[int, str]] = []

    def update_comment(self, comment_id: int, body: str) -> None:
        self.edits.append((comment_id, body))

    def create_comment(self, number: int, body: str) -> int:
        self.created.append((number, body))
        return 99


class Gate:
    """An edit function that waits to be let through, to hold an edit 'in flight'."""

    def __init__(self, landed: list[tuple[int, str]]) -> None:
        self.landed = landed
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, comment_id: int, body: str) -> None:
        self.entered.set()
        assert self.release.wait(5)
        self.landed.append((comment_id, body))


def _running_task() -> Task:
    task = Task(github_user="alice", github_project="o/r", user_request="fix it", issue_number=3)
    task.transition(TaskStatus.SCHEDULED)
    task.transition(TaskStatus.RUNNING)
    task.status_comment_id = 7
    return task


def test_only_the_newest_body_is_sent_after_the_one_in_flight() -> None:
    landed: list[tuple[int, str]] = []
    gate = Gate(landed)
    editor = BackgroundEditor(gate)

    editor.offer(7, "first")
    assert gate.entered.wait(5)
    editor.offer(7, "second")
    editor.offer(7, "third")
    gate.release.set()

    assert editor.flush()
    assert landed == [(7, "first"), (7, "third")]
    editor.close()


def test_the_final_answer_lands_after_the_progress_edit_in_flight() -> None:
    thread = Thread()
    gate = Gate(thread.edits)
    status = StatusComment(cast(GitHubPort, thread), "run", editor=BackgroundEditor(gate))
    task = _running_task()

    status.step(task, "Working")  # offered; the editor holds it in flight
    assert gate.entered.wait(5)
    threading.Timer(0.2, gate.release.set).start()
    status.publish(task, "final answer")

    assert [body for _, body in thread.edits][-1] == "final answer"
    assert "Working" in thread.edits[0][1]


def test_progress_never_waits_for_github() -> None:
    thread = Thread()
    gate = Gate(thread.edits)
    status = StatusComment(cast(GitHubPort, thread), "run", editor=BackgroundEditor(gate))
    task = _running_task()

    status.step(task, "Preparing")
    status.step(task, "Working")  # returns although the first edit is still held

    assert thread.edits == []
    gate.release.set()
    assert status.editor is not None
    status.editor.close()
    assert "- [x] Preparing" in thread.edits[-1][1]
    assert "- [ ] Working" in thread.edits[-1][1]


def test_a_failed_progress_edit_is_logged_and_the_next_one_still_goes(caplog: Any) -> None:
    landed: list[str] = []

    def flaky(comment_id: int, body: str) -> None:
        if not landed and body == "one":
            landed.append("failed")
            raise GitHubError("GitHub refused to update a comment: 502 error")
        landed.append(body)

    editor = BackgroundEditor(flaky)
    editor.offer(7, "one")
    assert editor.flush()
    editor.offer(7, "two")
    editor.close()

    assert landed == ["failed", "two"]
    assert "502" in caplog.text


def test_close_stops_the_thread_and_later_offers_are_dropped() -> None:
    landed: list[tuple[int, str]] = []
    editor = BackgroundEditor(lambda cid, body: landed.append((cid, body)))

    editor.close()
    editor.offer(7, "late")

    assert not editor._thread.is_alive()
    assert landed == []


def test_working_updates_are_throttled_but_steps_are_not() -> None:
    thread = Thread()
    now = [100.0]
    status = StatusComment(cast(GitHubPort, thread), "run", interval=3.0, clock=lambda: now[0])
    task = _running_task()

    status.step(task, "Preparing")
    status.working(task, "step 1")  # within 3 s of the last edit: skipped
    now[0] += 3.5
    status.working(task, "step 2")
    status.step(task, "Pushing")

    assert len(thread.edits) == 3
    assert "step 2" in thread.edits[1][1]
    assert "- [ ] Pushing" in thread.edits[2][1]


def test_without_a_comment_yet_the_first_edit_creates_it_in_place() -> None:
    thread = Thread()
    status = StatusComment(cast(GitHubPort, thread), "run", editor=BackgroundEditor(lambda cid, body: None))
    task = _running_task()
    task.status_comment_id = None

    status.step(task, "Preparing")

    assert task.status_comment_id == 99
    assert thread.created[0][0] == 3
