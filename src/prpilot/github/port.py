"""What prpilot asks of GitHub, as a small port; ``prpilot.github.rest.GitHubRepository`` implements it."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from pydantic import BaseModel

from prpilot.intake.thread_context import ThreadContext


class PullInfo(BaseModel):
    """The facts about a pull request that the engine acts on."""

    number: int
    html_url: str
    state: str = "open"
    head_ref: str
    head_repo: str | None  # None when the head repository was deleted
    base_ref: str
    head_sha: str = ""
    draft: bool = False


class GitHubPort(Protocol):
    """Operations on one repository, each a single REST request unless said otherwise."""

    full_name: str

    def permission(self, login: str) -> str | None:
        """Return the user's collaborator permission, or None when GitHub knows no such user."""

    def react(self, comment_id: int, comment_kind: str, content: str) -> None: ...

    def create_comment(self, number: int, body: str) -> int: ...

    def update_comment(self, comment_id: int, body: str) -> None: ...

    def delete_comment(self, comment_id: int) -> None:
        """Delete a comment; one already gone (404) is no error."""

    def comment_body(self, comment_id: int) -> str:
        """The body of a comment prpilot itself wrote ("" for anyone else's: it carries no task of ours)."""

    def get_pull(self, number: int) -> PullInfo: ...

    def create_pull(self, *, title: str, body: str, head: str, base: str, draft: bool) -> PullInfo: ...

    def add_labels(self, number: int, labels: list[str]) -> None: ...

    def request_review(self, number: int, reviewers: list[str]) -> None: ...

    def reply_to_review_comment(self, pr_number: int, comment_id: int, body: str) -> None: ...

    def default_branch(self) -> str: ...

    def comments_with(self, number: int, marker: str) -> list[tuple[int, str]]:
        """The (id, body) of every comment on #``number`` that prpilot itself wrote and whose body holds ``marker``."""

    def thread(
        self, number: int, *, is_pull: bool, marker: str, own_comment: int | None = None,
        known_writers: Collection[str] = (),
    ) -> ThreadContext:
        """Fetch title, body, comments (and the diff for pulls); comments holding ``marker`` are ours.

        ``own_comment`` is a comment prpilot posted on the thread (it names prpilot's account);
        ``known_writers`` already proved write access (the admitted requester), so nobody asks again.
        """

    def dispatch_workflow(self, workflow: str, ref: str, inputs: dict[str, str]) -> None: ...

    def cancel_run(self, run_id: int) -> bool:
        """Cancel workflow run ``run_id`` (needs ``actions: write``); False when it had completed already."""
    def run_workflow(self, workflow: str, ref: str) -> str:
        """Start ``workflow`` (a file in .github/workflows) on ``ref``; return its run's page, or "" if unknown."""


class PostedReview(BaseModel):
    """A pull request review as GitHub keeps it."""

    id: int
    body: str = ""
    html_url: str = ""
    state: str = ""


class ReviewLineComment(BaseModel):
    """A review comment on a line of a pull request's diff, as GitHub lists it."""

    id: int
    path: str
    line: int | None  # None once a later push outdated the line
    side: str = "RIGHT"
    body: str = ""
    diff_hunk: str = ""
    in_reply_to: int | None = None


class PullReviewPort(Protocol):
    """Reviews of a pull request: what ``/pilot review`` reads and posts (each method one REST request plus pages)."""

    def pull_patches(self, number: int) -> list[tuple[str, str]]:
        """(path, patch) of each file the pull request changes."""

    def own_reviews(self, number: int, marker: str) -> list[PostedReview]:
        """Submitted reviews of #``number`` that prpilot wrote and whose body holds ``marker``, oldest first."""

    def own_review_comments(self, number: int, marker: str) -> list[ReviewLineComment]:
        """Review comments of #``number`` that prpilot wrote and whose body holds ``marker``, oldest first."""

    def start_review(self, number: int, commit_id: str, comments: list[dict[str, object]]) -> int:
        """Create a pending review holding ``comments``; return its id."""

    def submit_review(self, number: int, review_id: int, event: str, body: str) -> PostedReview: ...

    def update_review(self, number: int, review_id: int, body: str) -> None: ...

    def delete_review(self, number: int, review_id: int) -> None: ...

    def reply_to_review_comment(self, pr_number: int, comment_id: int, body: str) -> None: ...
