"""The fields of GitHub webhook payloads that prpilot reads, as small pydantic models.

Extra fields are ignored; a missing or mistyped field raises :class:`EventError` through
:func:`read` with one line naming it. https://docs.github.com/en/webhooks/webhook-events-and-payloads
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from prpilot.errors import EventError
from prpilot.intake.rules import is_bot_account

Model = TypeVar("Model", bound=BaseModel)


class Payload(BaseModel):
    """Base: frozen, extra fields ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class User(Payload):
    """A GitHub account (person, organization or App bot)."""

    login: str = Field(pattern=r"^\S+$")
    id: int | None = None
    type: str = "User"

    @property
    def is_bot(self) -> bool:
        return is_bot_account(self.login, self.type)


class Repository(Payload):
    """A repository, named owner/name."""

    full_name: str = Field(pattern=r"^[^/\s]+/[^/\s]+$")
    default_branch: str | None = None  # in every webhook's repository; saves the engine a request


class Label(Payload):
    """An issue label."""

    name: str


class Issue(Payload):
    """An issue, or a pull request seen as an issue (``pull_request`` set)."""

    number: int = Field(gt=0)
    title: str = ""
    body: str | None = None
    pull_request: dict[str, Any] | None = None  # present when the issue is a pull request
    labels: list[Label] = Field(default_factory=list)
    author_association: str | None = None


class BodyChange(Payload):
    """What an ``edited`` event changed."""

    body: dict[str, Any] | None = None  # {"from": previous body}


class Comment(Payload):
    """An issue or pull request conversation comment."""

    id: int = Field(gt=0)
    body: str | None = None
    user: User
    author_association: str | None = None
    html_url: str | None = None


class ReviewComment(Comment):
    """A comment on a line of a pull request's diff."""

    path: str | None = None
    line: int | None = None
    original_line: int | None = None
    start_line: int | None = None
    side: str | None = None
    diff_hunk: str | None = None
    commit_id: str | None = None


class Review(Comment):
    """A submitted pull request review; its summary box is the ``body``, often null (an approval alone)."""

    state: str | None = None  # "commented" | "approved" | "changes_requested" | "dismissed", lowercase in webhooks


class Branch(Payload):
    """One side of a pull request."""

    ref: str
    repo: Repository | None = None  # null when the fork was deleted


class PullRequest(Payload):
    """A pull request's number and branches."""

    number: int = Field(gt=0)
    head: Branch
    base: Branch


class Action(Payload):
    """Just the ``action`` of an event, read before the rest."""

    action: str


class IssueCommentEvent(Payload):
    """``issue_comment``."""

    issue: Issue
    comment: Comment
    changes: BodyChange | None = None
    repository: Repository
    sender: User


class ReviewCommentEvent(Payload):
    """``pull_request_review_comment``."""

    comment: ReviewComment
    changes: BodyChange | None = None
    pull_request: PullRequest
    repository: Repository
    sender: User


class ReviewEvent(Payload):
    """``pull_request_review``."""

    review: Review
    changes: BodyChange | None = None
    pull_request: PullRequest
    repository: Repository
    sender: User


class PullRequestEvent(Payload):
    """``pull_request`` (read with ``mode: review``)."""

    action: str
    pull_request: PullRequest
    repository: Repository
    sender: User


class IssuesEvent(Payload):
    """``issues``."""

    issue: Issue
    label: Label | None = None
    repository: Repository
    sender: User


class DispatchEvent(Payload):
    """``workflow_dispatch``."""

    inputs: dict[str, Any] | None = None
    ref: str | None = None
    repository: Repository
    sender: User | None = None


def read(model: type[Model], payload: Mapping[str, Any], event_name: str) -> Model:
    """Validate ``payload`` as ``model``; a bad field raises EventError naming it."""
    try:
        return model.model_validate(dict(payload) if isinstance(payload, Mapping) else payload)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in error["loc"]) or "payload"
        message = " ".join(str(error["msg"]).split())[:200]
        raise EventError(f"cannot read the {event_name} event: {where}: {message}") from None
