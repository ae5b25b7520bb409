"""Post a planned review the way GitHub's reviewers do: one pending review, submitted once.

A later review of the same pull request edits prpilot's earlier summary instead of adding another,
and answers its own earlier comments whose lines the new commits changed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from prpilot.errors import GitHubError
from prpilot.github.port import PullReviewPort
from prpilot.review.answer import InlineComment
from prpilot.review.plan import ADDRESSED_MARK, REVIEW_MARK, ReviewPlan
from prpilot.thread.markdown import MAX_COMMENT, fit

log = logging.getLogger(__name__)
ADDRESSED = "Addressed by the new commits: this line changed since this comment."


@dataclass(frozen=True)
class Posted:
    """Where the review went: the review holding the summary, and how many comments went inline."""

    review_id: int
    url: str
    inline: int
    edited: bool  # the summary is an earlier review's, edited


def marked(body: str) -> str:
    """``body`` with prpilot's mark last, within GitHub's size limit (the words are cut, never the mark)."""
    return fit(body, MAX_COMMENT - len(REVIEW_MARK) - 2) + "\n\n" + REVIEW_MARK


def _payload(comment: InlineComment) -> dict[str, object]:
    entry: dict[str, object] = {"path": comment.path, "line": comment.line, "side": comment.side,
                                "body": marked(comment.markdown())}
    if comment.start_line is not None:
        entry.update(start_line=comment.start_line, start_side=comment.side)
    return entry


def post_review(
    reviews: PullReviewPort, number: int, head_sha: str, plan: ReviewPlan, summary: str, *, event: str = "COMMENT"
) -> Posted:
    """Post ``plan``: its inline comments in one review, ``summary`` on it or on prpilot's earlier summary."""
    if event not in ("COMMENT", "REQUEST_CHANGES"):  # never APPROVE, whoever asks
        event = "COMMENT"
    if len(summary) > MAX_COMMENT:  # the words, not the mark, give way (redaction and mentions may have grown it)
        summary = marked(summary.removesuffix(REVIEW_MARK).rstrip())
    earlier = reviews.own_reviews(number, REVIEW_MARK)
    keep = earlier[-1] if earlier else None
    posted = None
    if plan.inline or keep is None:
        body = "" if keep is not None else summary
        pending = reviews.start_review(number, head_sha, [_payload(c) for c in plan.inline])
        try:
            posted = reviews.submit_review(number, pending, event, body)
        except GitHubError:
            try:  # a pending review is invisible to everyone else: drop it rather than leave it behind
                reviews.delete_review(number, pending)
            except GitHubError as exc:
                log.warning("could not delete the pending review: %s", exc.message)
            raise
    if keep is not None:
        reviews.update_review(number, keep.id, summary)
    for comment_id in plan.addressed:
        reviews.reply_to_review_comment(number, comment_id, f"{ADDRESSED}\n\n{REVIEW_MARK}{ADDRESSED_MARK}")
    summary_review = keep or posted
    assert summary_review is not None
    return Posted(summary_review.id, summary_review.html_url, len(plan.inline), edited=keep is not None)
