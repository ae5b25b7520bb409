"""Pull request reviews over GitHub's REST API (https://docs.github.com/rest/pulls/reviews, read 2026-12-07).

One pending review takes all the inline comments and is submitted once, so a review appears whole or
not at all; an earlier summary is edited with ``PUT``. The requests go through the repository's own
client (:class:`prpilot.github.rest.GitHubRepository`): the same retries, errors and identity.
"""

from __future__ import annotations

from typing import Any

from prpilot.github.port import PostedReview, ReviewLineComment
from prpilot.github.rest import GitHubRepository


class GitHubReviews:
    """The PullReviewPort of one repository."""

    def __init__(self, repository: GitHubRepository) -> None:
        self.repository = repository

    def pull_patches(self, number: int) -> list[tuple[str, str]]:
        files = self.repository._pages("read the pull request's files", f"/pulls/{number}/files", limit=3000)
        return [(str(f["filename"]), str(f.get("patch") or "")) for f in files]

    def own_reviews(self, number: int, marker: str) -> list[PostedReview]:
        items = self.repository._pages("read the pull request's reviews", f"/pulls/{number}/reviews")
        ours = [item for item in items if marker in (item.get("body") or "") and item.get("state") != "PENDING"]
        return [_review(item) for item in ours if self.repository._ours(item)]

    def own_review_comments(self, number: int, marker: str) -> list[ReviewLineComment]:
        items = self.repository._pages("read the pull request's review comments", f"/pulls/{number}/comments")
        return [ReviewLineComment(
            id=int(item["id"]), path=str(item.get("path") or ""), line=item.get("line"),
            side=str(item.get("side") or "RIGHT"), body=str(item.get("body") or ""),
            diff_hunk=str(item.get("diff_hunk") or ""), in_reply_to=item.get("in_reply_to_id"),
        ) for item in items if marker in (item.get("body") or "") and self.repository._ours(item)]

    def start_review(self, number: int, commit_id: str, comments: list[dict[str, object]]) -> int:
        # No "event": the review stays pending (invisible to others) until submit_review.
        data = self.repository._json("start the review", "POST", f"/pulls/{number}/reviews",
                                     input={"commit_id": commit_id, "comments": comments})
        return int(data["id"])

    def submit_review(self, number: int, review_id: int, event: str, body: str) -> PostedReview:
        data = self.repository._json("submit the review", "POST", f"/pulls/{number}/reviews/{review_id}/events",
                                     input={"event": event, "body": body})
        return _review(data)

    def update_review(self, number: int, review_id: int, body: str) -> None:
        self.repository._json("edit the review's summary", "PUT", f"/pulls/{number}/reviews/{review_id}",
                              input={"body": body})

    def delete_review(self, number: int, review_id: int) -> None:
        self.repository._json("delete the pending review", "DELETE", f"/pulls/{number}/reviews/{review_id}")

    def reply_to_review_comment(self, pr_number: int, comment_id: int, body: str) -> None:
        self.repository.reply_to_review_comment(pr_number, comment_id, body)


def _review(item: dict[str, Any]) -> PostedReview:
    return PostedReview(id=int(item["id"]), body=str(item.get("body") or ""), html_url=str(item.get("html_url") or ""),
                        state=str(item.get("state") or ""))
