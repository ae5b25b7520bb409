"""What a review posts: which comments go inline, which into the summary, which earlier ones are answered.

Pure: the model's review, the diff, prpilot's earlier comments and the files at the head in; a plan out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

from prpilot.review.answer import InlineComment, ReviewAnswer
from prpilot.review.diff_lines import Lines, anchored
from prpilot.thread.markdown import MAX_COMMENT, fit

REVIEW_MARK = "<!-- prpilot:review -->"  # in prpilot's own review summaries and inline comments
ADDRESSED_MARK = "<!-- prpilot:addressed -->"
NOTHING_FOUND = "prpilot reviewed the changes and found nothing to comment on."


class EarlierComment(BaseModel):
    """An inline comment prpilot made in an earlier review (``line`` None: GitHub outdated it)."""

    id: int
    path: str
    line: int | None
    side: str = "RIGHT"
    body: str = ""
    diff_hunk: str = ""
    answered: bool = False  # prpilot already replied that it was addressed


@dataclass
class ReviewPlan:
    """One review to post: its inline comments, its summary, and the earlier comments to mark addressed."""

    inline: list[InlineComment] = field(default_factory=list)
    outside: list[InlineComment] = field(default_factory=list)  # aimed outside the diff: in the summary
    over_limit: list[InlineComment] = field(default_factory=list)  # past review-max-comments: in the summary
    repeated: int = 0  # already said on a line that did not change
    addressed: list[int] = field(default_factory=list)
    summary: str = ""

    @property
    def found_nothing(self) -> bool:
        return not (self.summary.strip() or self.inline or self.outside or self.over_limit)


def _commented_text(hunk: str) -> str:
    """The text of the line an inline comment sits on: the last line of its diff hunk."""
    last = hunk.rstrip("\n").rsplit("\n", 1)[-1]
    return last[1:] if last[:1] in ("+", "-", " ") else last


def still_there(earlier: EarlierComment, line_at: Callable[[str, int], str | None]) -> bool:
    """Whether the line an earlier comment is on reads as it did: the new commits left it alone."""
    if earlier.line is None or earlier.side != "RIGHT":
        return earlier.line is not None  # an old-side line is history: it cannot change
    return line_at(earlier.path, earlier.line) == _commented_text(earlier.diff_hunk)


def plan_review(
    answer: ReviewAnswer,
    files: Mapping[str, Lines],
    *,
    max_comments: int,
    earlier: Sequence[EarlierComment] = (),
    line_at: Callable[[str, int], str | None] = lambda path, line: None,
) -> ReviewPlan:
    """Place each comment: inline when the diff has its lines, in the summary otherwise; skip repeats."""
    plan = ReviewPlan(summary=answer.summary.strip())
    kept = [e for e in earlier if still_there(e, line_at)]
    said = {(e.path, e.line, e.side) for e in kept}
    plan.addressed = [e.id for e in earlier if not e.answered and e not in kept]
    for comment in answer.comments:
        if not anchored(files, comment.path, comment.side, comment.line, comment.start_line):
            plan.outside.append(comment)
        elif (comment.path, comment.line, comment.side) in said:
            plan.repeated += 1
        elif len(plan.inline) < max_comments:
            plan.inline.append(comment)
        else:
            plan.over_limit.append(comment)
    return plan


def summary_markdown(plan: ReviewPlan, *, head: str, status_url: str = "") -> str:
    """The review's body: the model's summary, then every comment that could not go inline."""
    parts = [plan.summary or (NOTHING_FOUND if plan.found_nothing else "")]
    if plan.outside:
        parts.append("**On lines outside this pull request's diff**\n\n" + _listed(plan.outside))
    if plan.over_limit:
        parts.append(f"**{len(plan.over_limit)} more** (past the limit of inline comments)\n\n"
                     + _listed(plan.over_limit))
    footer = f"<sub>Reviewed at {head[:12]}" + (f" · [task]({status_url})" if status_url else "") + "</sub>"
    # GitHub refuses a review body over 65,536 characters (the whole review would be lost): the words
    # are cut, the footer and the mark stay.
    words = fit("\n\n".join(part for part in parts if part), MAX_COMMENT - len(footer) - len(REVIEW_MARK) - 4)
    return "\n\n".join(part for part in (words, footer, REVIEW_MARK) if part)


def _listed(comments: Sequence[InlineComment]) -> str:
    return "\n".join(f"- {c.where()}: {c.body.strip()}".replace("\n", "\n  ") for c in comments)
