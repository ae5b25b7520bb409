"""What the agent is told about the thread: plain values the GitHub adapter fills in."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ThreadComment(BaseModel):
    """One comment of an issue or pull request thread."""

    author: str
    body: str
    author_can_write: bool = False
    is_ours: bool = False  # our own status comments: never shown to the model


class ChangedFile(BaseModel):
    """One file of a pull request's diff."""

    filename: str
    status: str = "modified"
    patch: str = ""


class ThreadContext(BaseModel):
    """The issue or pull request a task came from."""

    kind: Literal["issue", "pull", "none"] = "none"
    number: int | None = None
    title: str = ""
    body: str = ""
    author: str = ""
    comments: list[ThreadComment] = Field(default_factory=list)
    diff: list[ChangedFile] = Field(default_factory=list)
