"""The status comment: throttled progress, edits off the task's path, and a final answer nothing overwrites."""

from __future__ import annotations

import json
import threading
from typing import Any, cast

from prpilot.errors import GitHubError
from prpilot.github.plain import PlainGitHub
from prpilot.github.port import GitHubPort
from prpilot.task import Task, TaskStatus
from prpilot.testing.github import FakeGitHub
from prpilot.thread.acknowledgement import MARKER, find_posted, hidden_task
from prpilot.thread.status_comment import BackgroundEditor, StatusComment, post_once


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

    editor = BackgroundEditor(flaky, settle=0)  # the 502's answer was lost: nothing to wait for here
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


class FailingThread(Thread):
    """Fails the edits it is told to, and can carry out a POST whose answer is then lost."""

    def __init__(self, edit_failures: list[int | None] | None = None, lost_posts: int = 0) -> None:
        super().__init__()
        self.edit_failures = list(edit_failures or [])
        self.lost_posts = lost_posts
        self.tried: list[int] = []

    def update_comment(self, comment_id: int, body: str) -> None:
        self.tried.append(comment_id)
        if self.edit_failures:
            status = self.edit_failures.pop(0)
            raise GitHubError(f"GitHub refused to update the status comment: {status}", status=status)
        super().update_comment(comment_id, body)

    def create_comment(self, number: int, body: str) -> int:
        comment_id = super().create_comment(number, body) + len(self.created)
        if self.lost_posts:
            self.lost_posts -= 1
            raise GitHubError("could not reach GitHub to comment on the thread: ReadTimeout")
        return comment_id

    def comments_with(self, number: int, marker: str) -> list[tuple[int, str]]:
        return [(99 + i + 1, body) for i, (n, body) in enumerate(self.created) if n == number and marker in body]


def _answer(task: Task) -> str:
    from prpilot.thread.markdown import status_comment

    return status_comment(task, run_url="run", detail="Fixed.")


def _done_task() -> Task:
    task = _running_task()
    task.transition(TaskStatus.COMPLETED, "Fixed.")
    return task


def test_the_final_answer_is_retried_through_a_passing_failure() -> None:
    # Issue 13, class 3: one 5xx or timeout on the final edit left the thread saying "Working".
    thread, waits = FailingThread(edit_failures=[502, None]), list[float]()
    task = _done_task()

    StatusComment(cast(GitHubPort, thread), "run", backoff=0.25, sleep=waits.append, settle=3.0).publish(
        task, _answer(task))

    assert thread.tried == [7, 7, 7]
    assert thread.edits == [(7, _answer(task))]
    assert waits == [0.25, 0.5, 3.0]  # then the lost edit had time to land before the thread is read back
    assert thread.created == []


def test_a_deleted_status_comment_gets_the_answer_in_a_new_comment_the_task_keeps() -> None:
    thread = FailingThread(edit_failures=[404])
    task = _done_task()
    task.pr_number = 12  # an issue task's own pull request: the answer still goes where it was asked
    answer = _answer(task)

    StatusComment(cast(GitHubPort, thread), "run", sleep=lambda _: None).publish(task, answer)

    assert thread.tried == [7]  # a 404 is not tried again
    assert thread.created == [(3, answer)]
    assert task.status_comment_id == 100


def test_an_edit_that_keeps_failing_ends_in_a_new_comment() -> None:
    thread = FailingThread(edit_failures=[500, 500, 500])
    task = _done_task()

    StatusComment(cast(GitHubPort, thread), "run", sleep=lambda _: None).publish(task, _answer(task))

    assert len(thread.tried) == 3
    assert [number for number, _ in thread.created] == [3]


def test_a_post_whose_answer_was_lost_is_found_by_its_task_not_posted_twice() -> None:
    # Issue 13, class 4: a timed-out POST that GitHub carried out was posted again.
    thread = FailingThread(lost_posts=1)
    task = _running_task()
    task.status_comment_id = None

    comment_id = post_once(cast(GitHubPort, thread), 3, _answer(task), task.id)

    assert len(thread.created) == 1
    assert comment_id == 100


def test_a_lost_post_that_was_not_carried_out_is_posted_again() -> None:
    thread = FailingThread(lost_posts=1)
    thread.comments_with = lambda number, marker: []  # type: ignore[method-assign]
    task = _running_task()

    post_once(cast(GitHubPort, thread), 3, _answer(task), task.id)

    assert len(thread.created) == 2  # the first one (lost) is not on the thread in this story


def test_the_first_steps_lookup_of_its_status_comment_ignores_a_later_copy_by_another_account(
        fake_github: FakeGitHub) -> None:
    """After a POST that got no answer, post_once looks the comment up by its task id; the first step's client
    cannot tell who wrote a comment, and another account may have copied the status comment, task id and all,
    once it showed. The copy came later: the first comment that carries the id is the task's."""
    repo = "octo/hello"
    fake_github.add_repo(repo, files={"README.md": "hi\n"})
    number = fake_github.add_issue(repo, "Typo", "It says projet.", user="alice")
    body = f"{MARKER}\nqueued\n\n{hidden_task(json.dumps({'id': 'abc123abc123'}))}"
    own = fake_github.add_comment(repo, number, body, user="github-actions[bot]")
    fake_github.add_comment(repo, number, body, user="mallory")
    github = PlainGitHub(fake_github.issue_token("github-actions[bot]"), fake_github.api_url, repo, backoff=0)

    assert find_posted(github, number, "abc123abc123") == own

