"""What the agent is told about the thread: plain values the GitHub adapter fills in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from prpilot.task import Task


class ThreadComment(BaseModel):
    """One comment of an issue or pull request thread."""

    author: str
    body: str
    author_can_write: bool = False
    is_ours: bool = False  # our own status comments: never shown to the model


class ReviewThreadComment(ThreadComment):
    """One review comment of a pull request, on a line of its diff (``line`` None: the line is outdated)."""

    path: str = ""
    line: int | None = None
    in_reply: bool = False  # answers another comment, in a conversation on the same line


class ChangedFile(BaseModel):
    """One file of a pull request's diff."""

    filename: str
    status: str = "modified"
    patch: str = ""


class EarlierTask(BaseModel):
    """A task prpilot did before on this thread (or the one that opened this pull request), as it recorded it."""

    requester: str
    request: str
    answer: str = ""
    status: str = ""
    changed_files: list[str] = Field(default_factory=list)
    pr_url: str | None = None


class ThreadContext(BaseModel):
    """The issue or pull request a task came from."""

    kind: Literal["issue", "pull", "none"] = "none"
    number: int | None = None
    title: str = ""
    body: str = ""
    author: str = ""
    comments: list[ThreadComment] = Field(default_factory=list)
    review_comments: list[ReviewThreadComment] = Field(default_factory=list)
    diff: list[ChangedFile] = Field(default_factory=list)
    # What came before, from prpilot's own status comments only (never from text users wrote), oldest first.
    earlier: list[EarlierTask] = Field(default_factory=list)
    origin: ThreadContext | None = None  # on a pull request prpilot opened: the issue it closes
    missing: list[str] = Field(default_factory=list)  # parts GitHub failed to give: the agent went on without
    # The bodies of prpilot's own status comments on the thread, in order (the earlier tasks' state); not prompt text.
    own_status: list[str] = Field(default_factory=list)


REVIEW_KEYS = ("path", "line", "start_line", "side", "diff_hunk", "commit_id")


def review_context(task: Task) -> dict[str, object] | None:
    """The review comment's file, line and hunk, for tasks started from a review comment."""
    if task.event_name != "pull_request_review_comment":
        return None
    return {key: task.context[key] for key in REVIEW_KEYS if task.context.get(key) is not None}
