"""The fake's state: plain records behind one lock. Refs and objects live in the bare repos, not here."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prpilot.testing.github.git_backend import BareRepo

WORKFLOW_BOT = "github-actions[bot]"  # whose the workflow's GITHUB_TOKEN is
PERMISSIONS = ("admin", "maintain", "write", "triage", "read", "none")
REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")


def now() -> str:
    """Return the current UTC time the way GitHub prints it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class User:
    """A GitHub account: a person, an organization or an app bot."""

    login: str
    id: int
    type: str = "User"  # User | Organization | Bot
    created_at: str = field(default_factory=now)


@dataclass(frozen=True)
class Token:
    """An access token: whose it is and whether it may write."""

    value: str
    login: str
    permission: str  # "write" | "read"


@dataclass
class Repo:
    """A repository; its git data lives in ``git``."""

    owner: str
    name: str
    id: int
    git: BareRepo
    default_branch: str = "main"
    private: bool = False
    fork: bool = False
    parent: str | None = None
    description: str | None = None
    created_at: str = field(default_factory=now)
    permissions: dict[str, str] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)
    variables: dict[str, Variable] = field(default_factory=dict)
    next_number: int = 1
    # Settings → Actions → General → "Allow GitHub Actions to create and approve pull requests".
    # Off by default on GitHub; on here, so a test turns it off to see what a new repository does.
    actions_create_pulls: bool = True
    # Draft pull requests need a public repository or a paid plan: a private repository on GitHub Free has none.
    drafts_supported: bool = True

    @property
    def full_name(self) -> str:
        """Return ``owner/name``."""
        return f"{self.owner}/{self.name}"


@dataclass
class Label:
    """A repository label."""

    id: int
    name: str
    color: str = "ededed"
    description: str | None = None


@dataclass
class Variable:
    """An Actions repository variable."""

    name: str
    value: str
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)


@dataclass
class Issue:
    """An issue; a pull request is an issue with a ``Pull`` attached (one number sequence)."""

    repo: str
    number: int
    id: int
    title: str
    body: str | None
    user: str
    state: str = "open"
    labels: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    locked: bool = False
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    closed_at: str | None = None
    pull: Pull | None = None


@dataclass
class Pull:
    """The pull-request half of an issue."""

    id: int
    head_repo: str
    head_ref: str
    base_ref: str
    head_sha: str  # last known; the live value is read from the head repo
    draft: bool = False
    merged: bool = False
    maintainer_can_modify: bool = False
    requested_reviewers: list[str] = field(default_factory=list)
    synced_sha: str | None = None  # head sha last copied to refs/pull/N/head of the base repo
    merge_of: tuple[str, str] | None = None  # (base, head) that refs/pull/N/merge merges


@dataclass
class Comment:
    """An issue (or pull request conversation) comment."""

    id: int
    repo: str
    issue_number: int
    user: str
    body: str
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)


@dataclass
class ReviewComment:
    """A pull request review comment on a line of the diff."""

    id: int
    repo: str
    pull_number: int
    user: str
    body: str
    path: str
    commit_id: str
    line: int | None = 1
    diff_hunk: str = "@@ -1 +1 @@"
    in_reply_to_id: int | None = None
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    review_id: int | None = None  # the review it was posted with (None: a lone comment)
    side: str = "RIGHT"
    start_line: int | None = None  # a comment on several lines: the first of them
    pending: bool = False  # part of a review not yet submitted: only its author sees it
    position: int = 1  # lines below the file's first "@@" in the diff (GitHub's older anchor)


@dataclass
class Review:
    """A pull request review: ``PENDING`` until submitted, then COMMENTED, APPROVED or CHANGES_REQUESTED."""

    id: int
    repo: str
    pull_number: int
    user: str
    body: str
    commit_id: str
    state: str = "PENDING"
    submitted_at: str | None = None


@dataclass
class Reaction:
    """A reaction on an issue, an issue comment or a review comment."""

    id: int
    subject: str  # "issue" | "issue_comment" | "review_comment"
    subject_id: int  # issue id or comment id
    user: str
    content: str
    created_at: str = field(default_factory=now)


@dataclass
class Dispatch:
    """A recorded workflow_dispatch request."""

    repo: str
    workflow_id: str
    ref: str
    inputs: dict[str, Any]
    actor: str
    run_id: int


@dataclass
class WorkflowRun:
    """An Actions workflow run."""

    id: int
    repo: str
    workflow_id: int
    path: str
    head_branch: str | None
    head_sha: str
    event: str
    actor: str
    run_number: int
    display_title: str
    status: str = "queued"
    conclusion: str | None = None
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)


class State:
    """Everything the fake knows besides git data, guarded by ``lock``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._ids = itertools.count(1001)
        self.users: dict[str, User] = {}
        self.tokens: dict[str, Token] = {}
        self.repos: dict[str, Repo] = {}
        self.issues: dict[tuple[str, int], Issue] = {}
        self.comments: dict[int, Comment] = {}
        self.review_comments: dict[int, ReviewComment] = {}
        self.reviews: dict[int, Review] = {}
        self.reactions: list[Reaction] = []
        self.dispatches: list[Dispatch] = []
        self.runs: dict[int, WorkflowRun] = {}

    def next_id(self) -> int:
        """Return a fresh id, unique across all record kinds."""
        with self.lock:
            return next(self._ids)

    def user(self, login: str, type: str | None = None) -> User:
        """Return the user ``login``, creating it (a Bot when it ends in ``[bot]``) if unknown."""
        with self.lock:
            found = self.users.get(login.lower())
            if found is None:
                kind = type or ("Bot" if login.endswith("[bot]") else "User")
                found = self.users[login.lower()] = User(login, self.next_id(), kind)
            return found

    def repo(self, full_name: str) -> Repo | None:
        """Return a repository by ``owner/name`` (case-insensitive), or None."""
        with self.lock:
            return self.repos.get(full_name.lower().removesuffix(".git"))

    def issue(self, full_name: str, number: int) -> Issue | None:
        """Return issue (or pull request) ``number`` of a repository, or None."""
        with self.lock:
            return self.issues.get((full_name.lower(), number))

    def new_issue_number(self, repo: Repo) -> int:
        """Allocate the next issue/pull number of ``repo``."""
        with self.lock:
            number = repo.next_number
            repo.next_number += 1
            return number

    def put_issue(self, issue: Issue) -> None:
        """Store an issue."""
        with self.lock:
            self.issues[(issue.repo.lower(), issue.number)] = issue

    def issues_of(self, full_name: str) -> list[Issue]:
        """Return the issues and pulls of a repository in number order."""
        with self.lock:
            found = [i for (repo, _), i in self.issues.items() if repo == full_name.lower()]
        return sorted(found, key=lambda i: i.number)

    def permission_of(self, repo: Repo, login: str) -> str:
        """Return a user's role on ``repo`` (owner is admin; others default by visibility)."""
        with self.lock:
            if login.lower() == repo.owner.lower():
                return "admin"
            explicit = repo.permissions.get(login.lower())
            if explicit is not None:
                return explicit
            return "none" if repo.private else "read"
