"""The review the model answers with: a summary and inline comments, read from its final message."""

from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

MAX_SUGGESTION_LINES = 8  # a suggestion replaces a few lines; a longer one is a rewrite, said in words
_FENCE = re.compile(r"```(?:json)?\s*\n(.*?)\n\s*```", re.DOTALL)


class InlineComment(BaseModel):
    """One comment on a line (or lines ``start_line``..``line``) of the diff's new (RIGHT) or old (LEFT) side."""

    model_config = ConfigDict(extra="ignore")

    path: str
    line: int = Field(ge=1)
    side: Literal["RIGHT", "LEFT"] = "RIGHT"
    start_line: int | None = Field(None, ge=1)
    body: str = Field(min_length=1)
    suggestion: str | None = None  # the replacement text of lines start_line..line (RIGHT side only)

    @field_validator("side", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    def markdown(self) -> str:
        """The comment as GitHub shows it: the words, then a ```suggestion block when it has one."""
        if self.suggestion is None or self.side != "RIGHT":
            return self.body
        lines = self.suggestion.rstrip("\n").split("\n")[:MAX_SUGGESTION_LINES]
        fence = "````" if "```" in self.suggestion else "```"
        return f"{self.body}\n\n{fence}suggestion\n" + "\n".join(lines) + f"\n{fence}"

    def where(self) -> str:
        """``path:line`` (``path:start-line``), as the summary names a comment it holds."""
        lines = f"{self.start_line}-{self.line}" if self.start_line else str(self.line)
        path = self.path.replace("`", "'").replace("\n", " ")  # the model's text: it must not leave the code span
        return f"`{path}:{lines}`" + (" (old side)" if self.side == "LEFT" else "")


class ReviewAnswer(BaseModel):
    """The model's review: what it found overall, and the comments anchored to lines."""

    model_config = ConfigDict(extra="ignore")

    summary: str = ""
    comments: list[InlineComment] = Field(default_factory=list)
    verdict: str = "comment"  # "request_changes" asks for changes where review-request-changes allows; never approval


FORMAT = """\
Answer with one JSON object and nothing else (a ```json block is fine):
{"summary": "what you found overall, in a few sentences (empty when nothing needs saying)",
 "comments": [{"path": "src/app.py", "line": 12, "side": "RIGHT", "start_line": null,
               "body": "what is wrong and why", "suggestion": "the corrected line(s), or null"}],
 "verdict": "comment"}
- path and line point at a line of the pull request's diff: side RIGHT is the new code (lines added or
  kept), LEFT the old code (lines removed); start_line makes a comment span start_line..line of one hunk.
- suggestion, only on the RIGHT side, replaces lines start_line..line (or line) with its text, at most
  8 lines; leave it null when words are better.
- Comment only on what matters (bugs, security, clear mistakes); no praise, no restating the code.
- verdict is "comment", or "request_changes" when a problem must block merging.
- When you find nothing to comment on, answer {"summary": "", "comments": []}."""


def read_review(text: str) -> tuple[ReviewAnswer, str]:
    """Read the model's review from ``text``: the review and "", or (text that is not one) the text as summary and why.

    A reply that is not the JSON asked for is never lost: its words become the summary.
    """
    candidates = [match.group(1) for match in _FENCE.finditer(text)] + [text.strip()]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    problem = "the answer holds no JSON object"
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except (ValueError, RecursionError):  # a model reply nested past the parser is no answer
            continue
        try:
            return ReviewAnswer.model_validate(data), ""
        except ValidationError as exc:
            problem = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'answer'}: {e['msg']}" for e in exc.errors()[:5])
    return ReviewAnswer(summary=text.strip()), problem
