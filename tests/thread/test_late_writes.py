"""Late writes (issue #29): a lost edit is read back, a newer state is never replaced, extra comments are retired."""

from __future__ import annotations

from typing import cast

import pytest

from prpilot.errors import GitHubError
from prpilot.github.port import GitHubPort
from prpilot.task import Task, TaskStatus
from prpilot.thread.late_writes import pointer, rank, tidy
from prpilot.thread.markdown import MARKER, status_comment
from prpilot.thread.status_comment import BackgroundEditor, StatusComment


class Comments:
    """A thread of comments by id, that can fail or lose the edits it is told to."""

    def __init__(self, bodies: dict[int, str], *, refuse: dict[int, int] | None = None) -> None:
        self.bodies = dict(bodies)
        self.refuse = dict(refuse or {})  # comment id -> the status every edit of it gets
        self.deleted: list[int] = []
        self.late: list[tuple[int, str]] = []  # edits "lost": carried out only when land() is called

    def update_comment(self, comment_id: int, body: str) -> None:
        if comment_id in self.refuse:
            raise GitHubError("GitHub refused to update the status comment", status=self.refuse[comment_id])
        self.bodies[comment_id] = body

    def delete_comment(self, comment_id: int) -> None:
        self.deleted.append(comment_id)
        self.bodies.pop(comment_id, None)

    def create_comment(self, number: int, body: str) -> int:
        comment_id = max(self.bodies, default=100) + 1
        self.bodies[comment_id] = body
        return comment_id

    def comments_with(self, number: int, marker: str) -> list[tuple[int, str]]:
        return [(cid, body) for cid, body in sorted(self.bodies.items()) if marker in body]

    def comment_body(self, comment_id: int) -> str:
        return self.bodies.get(comment_id, "")


def _task(status: TaskStatus = TaskStatus.RUNNING, version: int = 0) -> Task:
    task = Task(id="task-1", github_user="alice", github_project="o/r", user_request="fix it", issue_number=3,
                status_comment_id=7, status_version=version)
    task.transition(TaskStatus.SCHEDULED)
    task.transition(TaskStatus.RUNNING)
    if status is not TaskStatus.RUNNING:
        task.transition(status, "Fixed.")
    return task


def _body(task: Task) -> str:
    return status_comment(task, run_url="run")


@pytest.mark.parametrize(("older", "newer"), [
    ((TaskStatus.RUNNING, 1), (TaskStatus.RUNNING, 2)),
    ((TaskStatus.RUNNING, 9), (TaskStatus.COMPLETED, 3)),  # the outcome outranks any progress
    ((TaskStatus.FAILED, 3), (TaskStatus.FAILED, 4)),
])
def test_a_final_state_and_then_a_higher_version_rank_newer(older: tuple[TaskStatus, int],
                                                           newer: tuple[TaskStatus, int]) -> None:
    assert rank(_body(_task(*older))) < rank(_body(_task(*newer)))
    assert rank("someone's comment") < rank(_body(_task(*older)))


def test_a_lost_progress_edit_is_read_back_and_written_again_when_github_holds_an_older_state() -> None:
    comments = Comments({7: _body(_task(version=1))})
    wanted = _body(_task(version=2))
    waits: list[float] = []

    def lose(comment_id: int, body: str) -> None:
        if not waits:  # the first try gets no answer, and is not carried out yet
            raise GitHubError("could not reach GitHub to update the status comment: ReadTimeout")
        comments.update_comment(comment_id, body)

    editor = BackgroundEditor(lose, read=comments.comment_body, settle=2.0, sleep=waits.append)
    editor.offer(7, wanted)
    assert editor.flush()
    editor.close()

    assert waits == [2.0]
    assert comments.bodies[7] == wanted
    assert editor.doubt


def test_a_read_back_never_replaces_a_newer_state() -> None:
    final = _body(_task(TaskStatus.COMPLETED, version=5))
    comments = Comments({7: final})
    edits: list[str] = []

    def lose(comment_id: int, body: str) -> None:
        edits.append(body)
        raise GitHubError("could not reach GitHub to update the status comment: ReadTimeout")

    editor = BackgroundEditor(lose, read=comments.comment_body, settle=0.0)
    editor.offer(7, _body(_task(version=4)))
    assert editor.flush()
    editor.close()

    assert len(edits) == 1  # read back: GitHub holds the outcome, so the progress is not written again
    assert comments.bodies[7] == final


def test_a_lost_write_then_the_answer_retires_a_second_status_comment_of_the_task() -> None:
    # A slow first POST landed after its lookup: two comments carry the task.
    task = _task(TaskStatus.COMPLETED, version=3)
    comments = Comments({7: _body(_task(version=1)), 9: _body(_task(version=0)), 8: f"{MARKER}\nanother task's"})
    answer = _body(task)

    tidy(cast(GitHubPort, comments), task, 3, answer, settle=0.0, sleep=lambda _: None)

    assert comments.bodies[7] == answer
    assert comments.bodies[9] == pointer(task, 7)
    assert comments.bodies[8] == f"{MARKER}\nanother task's"


@pytest.mark.parametrize("status", [403, 404])
def test_a_refused_final_edit_answers_in_a_new_comment_and_the_old_one_no_longer_says_working(status: int) -> None:
    task = _task(TaskStatus.COMPLETED)
    # A 404 for a comment the thread still lists (GitHub's answers need not agree) is deleted all the same.
    comments = Comments({7: _body(_task(version=1))}, refuse={7: status})

    answer = _body(task)
    StatusComment(cast(GitHubPort, comments), "run", sleep=lambda _: None, settle=0.0).publish(task, answer)

    assert task.status_comment_id is not None
    assert task.status_comment_id != 7
    assert comments.bodies[task.status_comment_id] == answer
    assert 7 not in comments.bodies  # refused: deleted, since it cannot be edited
    assert task.stale_comment_ids == []


def test_the_finish_step_tries_the_old_comment_once_more() -> None:
    task = _task(TaskStatus.COMPLETED)
    task.status_comment_id, task.stale_comment_ids = 12, [7]
    answer = _body(task)
    comments = Comments({7: _body(_task(version=1)), 12: answer})

    StatusComment(cast(GitHubPort, comments), "run", settle=0.0).tidy(task, None)

    assert comments.bodies[7] == pointer(task, 12)
    assert comments.bodies[12] == answer
    assert task.stale_comment_ids == []


def test_a_progress_edit_that_lands_late_lands_before_the_answer_not_after() -> None:
    # Issue 29, story 1: the held "Working" edit landed after the final answer and overwrote it.
    comments = Comments({7: _body(_task(version=1))})
    held: list[tuple[int, str]] = []

    def slow(comment_id: int, body: str) -> None:
        held.append((comment_id, body))  # GitHub has it, and carries it out later
        raise GitHubError("could not reach GitHub to update the status comment: ReadTimeout")

    def wait(seconds: float) -> None:  # within the settle time, the held edit lands
        while held:
            comments.update_comment(*held.pop())

    editor = BackgroundEditor(slow, read=comments.comment_body, settle=1.0, sleep=wait)
    status = StatusComment(cast(GitHubPort, comments), "run", editor=editor, settle=1.0, sleep=wait)
    task = _task()
    status.step(task, "Preparing the working branch")
    task.transition(TaskStatus.COMPLETED, "Fixed.")
    status.stamp(task)
    answer = _body(task)
    status.publish(task, answer)
    editor.close()

    assert held == []
    assert comments.bodies[7] == answer
