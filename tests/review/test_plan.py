from __future__ import annotations

from prpilot.review.answer import InlineComment, ReviewAnswer
from prpilot.review.diff_lines import anchored, commentable, diff_map
from prpilot.review.plan import NOTHING_FOUND, EarlierComment, plan_review, summary_markdown

PATCH = "@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n@@ -10,2 +10,3 @@\n ten\n+ten and a half\n eleven"
FILES = diff_map([("a.py", PATCH)])


def c(line: int, side: str = "RIGHT", path: str = "a.py", start: int | None = None) -> InlineComment:
    return InlineComment(path=path, line=line, side=side, start_line=start, body=f"on {line}")  # type: ignore[arg-type]


def test_commentable_lines_are_those_of_the_hunks_on_their_side() -> None:
    lines = commentable(PATCH)
    assert ("LEFT", 2) in lines
    assert ("RIGHT", 2) in lines
    assert ("RIGHT", 11) in lines
    assert ("RIGHT", 5) not in lines
    assert anchored(FILES, "a.py", "RIGHT", 3, 1)
    assert not anchored(FILES, "a.py", "RIGHT", 11, 3)  # a range across two hunks
    assert not anchored(FILES, "b.py", "RIGHT", 1, None)


def test_comments_outside_the_diff_and_past_the_limit_go_to_the_summary() -> None:
    answer = ReviewAnswer(summary="S", comments=[c(2), c(5), c(10), c(11), c(2, "LEFT"), c(1, path="b.py")])
    plan = plan_review(answer, FILES, max_comments=2)
    assert [(x.line, x.side) for x in plan.inline] == [(2, "RIGHT"), (10, "RIGHT")]
    assert [(x.path, x.line) for x in plan.outside] == [("a.py", 5), ("b.py", 1)]
    assert [(x.line, x.side) for x in plan.over_limit] == [(11, "RIGHT"), (2, "LEFT")]
    body = summary_markdown(plan, head="abc")
    assert "`a.py:5`: on 5" in body
    assert "`b.py:1`: on 1" in body
    assert "`a.py:2` (old side): on 2" in body


def test_an_unchanged_line_is_not_commented_again_and_a_changed_one_is_addressed() -> None:
    files_now = {("a.py", 2): "TWO", ("a.py", 11): "ten and 0.5"}
    earlier = [
        EarlierComment(id=1, path="a.py", line=2, diff_hunk="@@ -1,3 +1,3 @@\n one\n-two\n+TWO"),
        EarlierComment(id=2, path="a.py", line=11, diff_hunk="@@ -10,2 +10,3 @@\n ten\n+ten and a half"),
        EarlierComment(id=3, path="a.py", line=None, diff_hunk="", answered=True),
    ]
    plan = plan_review(ReviewAnswer(comments=[c(2), c(11)]), FILES, max_comments=10, earlier=earlier,
                       line_at=lambda path, line: files_now.get((path, line)))
    assert [x.line for x in plan.inline] == [11]
    assert plan.repeated == 1
    assert plan.addressed == [2]


def test_nothing_found_is_one_line() -> None:
    plan = plan_review(ReviewAnswer(), FILES, max_comments=10)
    assert plan.found_nothing
    assert summary_markdown(plan, head="abc").split("\n")[0] == NOTHING_FOUND
