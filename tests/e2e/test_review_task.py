"""End to end: a `/pilot` request in a submitted review's summary works on the pull request's branch."""

from __future__ import annotations

import pytest

from prpilot.testing import openai_replies as say
from prpilot.testing.scenario import READER, Bed
from prpilot.thread.markdown import MARKER

pytestmark = pytest.mark.e2e


def _pull_with_a_typo(bed: Bed) -> int:
    bed.github.commit(bed.repo, "feature", {"src/hello.py": 'print("helo")\n'}, "Add a greeting")
    return bed.github.add_pull(bed.repo, head="feature", title="Greeting")


def test_review_summary_request_is_pushed_to_the_pull_requests_branch(bed: Bed) -> None:
    pull = _pull_with_a_typo(bed)
    bed.model.script(
        say.tool("edit_file", {"path": "src/hello.py", "old": "helo", "new": "hello"}),
        say.text("Renamed helo to hello."),
        say.text("Rename helo to hello"),
    )
    event = bed.pull_review("One thing before I approve:\n/pilot rename helo to hello", pull,
                            state="changes_requested")
    mark = bed.github.mark()

    result = bed.run("pull_request_review", event)

    assert result.ok, result.logs
    assert result.outputs["status"] == "completed"
    assert "Traceback" not in result.logs
    assert result.outputs["branch"] == "feature"
    assert bed.github.read_file(bed.repo, "src/hello.py", ref="feature") == 'print("hello")\n'
    assert len(bed.github.pulls(bed.repo)) == 1  # no new pull request
    [status] = bed.status_comments(pull)  # on the pull request's conversation
    assert "✅" in status
    assert "rename helo to hello" in status
    rest = [r for r in bed.github.since(mark) if r.kind == "rest"]
    # GitHub has no reactions on reviews: the acknowledgement is the permission check and the comment.
    assert not [r for r in rest if r.path.endswith("/reactions")]
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in rest[:2]] == [("GET", "permission"), ("POST", "comments")]
    assert not [r for r in rest if "/pulls/comments" in r.path]  # nor is there a review thread to answer in


def test_review_without_a_summary_is_skipped_with_no_request(bed: Bed) -> None:
    event = bed.pull_review(None, _pull_with_a_typo(bed), state="approved")
    mark = bed.github.mark()

    result = bed.run("pull_request_review", event)

    assert result.ok, result.logs
    assert result.outputs["status"] == "skipped"
    assert [r for r in bed.github.since(mark) if r.kind != "git"] == []
    assert bed.model.calls == []


def test_review_by_a_reader_is_refused_on_the_pull_request(bed: Bed) -> None:
    pull = _pull_with_a_typo(bed)

    result = bed.run("pull_request_review", bed.pull_review("/pilot rename helo to hello", pull, user=READER))

    assert result.outputs["status"] == "rejected", result.logs
    [status] = [c.body for c in bed.github.comments(bed.repo, pull) if MARKER in (c.body or "")]
    assert "write access" in status
    assert not [r for r in bed.github.rest() if r.path.endswith("/reactions")]
    assert bed.model.calls == []
