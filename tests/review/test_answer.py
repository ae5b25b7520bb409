from __future__ import annotations

import pytest

from prpilot.review.answer import MAX_SUGGESTION_LINES, InlineComment, read_review


@pytest.mark.parametrize("text", [
    '{"summary": "s", "comments": [{"path": "a.py", "line": 3, "body": "b"}]}',
    'Here it is:\n```json\n{"summary": "s", "comments": [{"path": "a.py", "line": 3, "body": "b"}]}\n```',
    'Sure. {"summary": "s", "comments": [{"path": "a.py", "line": 3, "side": "right", "body": "b"}]} Done.',
])
def test_the_review_is_read_from_json_in_any_wrapping(text: str) -> None:
    review, problem = read_review(text)
    assert problem == ""
    assert review.summary == "s"
    assert [(c.path, c.line, c.side) for c in review.comments] == [("a.py", 3, "RIGHT")]


def test_prose_is_kept_as_the_summary_with_the_reason() -> None:
    review, problem = read_review("Looks fine to me, but line 3 is odd.")
    assert review.summary == "Looks fine to me, but line 3 is odd."
    assert review.comments == []
    assert problem == "the answer holds no JSON object"


def test_an_invalid_comment_is_named() -> None:
    _, problem = read_review('{"summary": "s", "comments": [{"path": "a.py", "line": 0, "body": "b"}]}')
    assert "comments.0.line" in problem


def test_a_suggestion_is_a_fenced_block_of_a_few_lines_on_the_new_side_only() -> None:
    long = "\n".join(f"x{n}" for n in range(20))
    comment = InlineComment(path="a.py", line=3, body="Use x.", suggestion=long)
    lines = comment.markdown().split("\n")
    assert lines[:3] == ["Use x.", "", "```suggestion"]
    assert len(lines) == 3 + MAX_SUGGESTION_LINES + 1
    assert InlineComment(path="a.py", line=3, side="LEFT", body="old", suggestion="y").markdown() == "old"
    assert "````suggestion" in InlineComment(path="a.md", line=1, body="b", suggestion="```py").markdown()


def test_an_answer_nested_past_the_parser_is_a_summary_not_a_crash() -> None:
    text = "{" + '"a":[' * 100_000 + "]" * 100_000 + "}"

    answer, problem = read_review(text)

    assert answer.comments == []
    assert problem == "the answer holds no JSON object"
