"""GitHub expression semantics the runner simulator relies on, and command-file parsing."""

from __future__ import annotations

from typing import Any

import pytest

from prpilot.testing.runner.env import parse_command_file
from prpilot.testing.runner.expressions import JobStatus, UnsupportedExpression, evaluate, evaluate_if, interpolate

CONTEXTS: dict[str, Any] = {
    "inputs": {"github-token": "T", "empty": "", "flag": "true"},
    "steps": {"schedule": {"outputs": {"admitted": "true", "task-id": "t1"}, "outcome": "success"}},
    "github": {"token": "T", "action_path": "/a", "event": {"comment": {"body": "Thanks!\n/PILOT fix it"},
                                                            "labels": ["bug", "Pilot"],
                                                            "issue": {"labels": [{"name": "bug"}, {"name": "pilot"}]}}},
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("inputs.github-token", "T"),
        ("inputs.GITHUB-TOKEN", "T"),
        ("inputs['github-token']", "T"),
        ("steps.schedule.outputs.task-id", "t1"),
        ("steps.engine.outputs.status", None),
        ("steps.engine.outputs.status || steps.schedule.outputs.task-id", "t1"),
        ("inputs.empty || 'fallback'", "fallback"),
        ("inputs.flag && 'yes'", "yes"),
        ("inputs.empty && 'yes'", ""),
        ("steps.schedule.outputs.admitted == 'TRUE'", True),
        ("steps.schedule.outputs.admitted != 'true'", False),
        ("!inputs.empty", True),
        ("!(inputs.flag == 'true') || false", False),
        ("'it''s'", "it's"),
        ("1 == '1'", True),
        ("null == ''", True),
        ("true && 3", 3),
        ("github.action_path", "/a"),
        ("success()", True),
        # contains(): a substring of a string, or an element of an array, ignoring case (the docs' expressions page).
        ("contains(github.event.comment.body || github.event.review.body, '/pilot')", True),
        ("contains(github.event.review.body, '/pilot')", False),
        ("contains(github.event.labels, 'pilot')", True),
        ("contains(github.event.labels, 'pil')", False),
        ("contains('', '')", True),
        ("github.event.issue.labels.*.name", ["bug", "pilot"]),
        ("contains(github.event.issue.labels.*.name, 'PILOT')", True),
        ("contains(github.event.issue.nothing.*.name, 'pilot')", False),
    ],
)
def test_evaluate(source: str, expected: object) -> None:
    assert evaluate(source, CONTEXTS) == expected


@pytest.mark.parametrize(
    "source",
    ["secrets.TOKEN", "format('{0}', 1)", "contains('a')", "success(1)", "inputs.a ==", "inputs.a + 1", "env.X"],
)
def test_unsupported_fails_loudly(source: str) -> None:
    with pytest.raises(UnsupportedExpression):
        evaluate(source, CONTEXTS)


@pytest.mark.parametrize(
    ("condition", "status", "expected"),
    [
        (None, JobStatus(), True),
        (None, JobStatus(failed=True), False),
        ("steps.schedule.outputs.admitted == 'true'", JobStatus(), True),
        ("steps.schedule.outputs.admitted == 'true'", JobStatus(failed=True), False),
        ("${{ steps.schedule.outputs.admitted == 'true' }}", JobStatus(), True),
        ("always()", JobStatus(failed=True, cancelled=True), True),
        ("failure()", JobStatus(failed=True), True),
        ("failure()", JobStatus(), False),
        ("cancelled()", JobStatus(cancelled=True), True),
        ("success() || failure()", JobStatus(failed=True), True),
        ("inputs.empty", JobStatus(), False),
    ],
)
def test_evaluate_if(condition: str | None, status: JobStatus, expected: bool) -> None:
    assert evaluate_if(condition, CONTEXTS, status) is expected


def test_interpolate() -> None:
    assert interpolate("a ${{ inputs.github-token }} ${{ steps.x.outputs.y }}b ${{ true }}", CONTEXTS) == "a T b true"


def test_parse_command_file() -> None:
    text = "a=1\nb=x=y\n\nmulti<<EOF\nline 1\n\nline=3\nEOF\nc=\n"
    assert parse_command_file(text) == {"a": "1", "b": "x=y", "multi": "line 1\n\nline=3", "c": ""}


@pytest.mark.parametrize("text", ["no-separator\n", "x<<EOF\nnever closed\n"])
def test_parse_command_file_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_command_file(text)
