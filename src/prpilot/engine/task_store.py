"""Task stores. In Actions the status comment is the store: it carries the task as hidden JSON."""

from __future__ import annotations

from prpilot.github.port import GitHubPort
from prpilot.task import Task
from prpilot.thread.ending import Ending, end_task
from prpilot.thread.markdown import status_comment
from prpilot.thread.records import extract_task
from prpilot.thread.status_comment import StatusComment


class StatusCommentStore:
    """A TaskStore over status comments: ``save`` edits (or posts) the comment, ``load`` reads it back."""

    def __init__(self, github: GitHubPort, run_url: str) -> None:
        self.github = github
        self.run_url = run_url
        self._comments: dict[str, int] = {}  # task id -> status comment id, for tasks seen here

    def save(self, task: Task) -> None:
        """Write the task into its status comment: its progress, or its end through the one ending."""
        thread = StatusComment(self.github, self.run_url)
        if task.is_final and task.status is not None:
            end_task(task, task.status, task.result, Ending(thread=thread))
        else:
            thread.publish(task, status_comment(task, run_url=self.run_url))
        if task.status_comment_id is not None:
            self._comments[task.id] = task.status_comment_id

    def load(self, task_id: str) -> Task | None:
        comment_id = self._comments.get(task_id)
        return None if comment_id is None else self.load_comment(comment_id)

    def load_comment(self, comment_id: int) -> Task | None:
        """The task a status comment carries (None when it carries none, or a damaged one)."""
        return extract_task(self.github.comment_body(comment_id))
