"""The status comment is a TaskStore: a task saved there comes back whole."""

from __future__ import annotations

from prpilot.github.rest import GitHubRepository, connect
from prpilot.task import Task, TaskStatus
from prpilot.testing.github import FakeGitHub
from prpilot.testing.stores import MemoryTaskStore, StatusCommentStore


def _task(number: int) -> Task:
    return Task(github_user="alice", github_project="octo/repo", user_request="add tests", issue_number=number)


def test_status_comment_store_round_trips_a_task(fake_github: FakeGitHub) -> None:
    fake_github.add_repo("octo/repo")
    number = fake_github.add_issue("octo/repo", "Tests", "please")
    store = StatusCommentStore(GitHubRepository(connect(fake_github.token, fake_github.api_url), "octo/repo"), "run")
    task = _task(number)
    task.transition(TaskStatus.SCHEDULED)

    task.save(store)
    task.transition(TaskStatus.RUNNING)
    task.transition(TaskStatus.COMPLETED, "Added tests --> done")
    task.save(store)

    [comment] = fake_github.comments("octo/repo", number)
    loaded = store.load(task.id)
    assert loaded == task
    assert "Added tests --> done" in comment.body
    assert store.load("unknown") is None


def test_memory_store_keeps_copies() -> None:
    store = MemoryTaskStore()
    task = _task(1)
    task.save(store)
    task.result = "changed after saving"
    loaded = store.load(task.id)
    assert loaded is not None
    assert loaded.result == ""
