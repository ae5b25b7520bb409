"""End to end: a /pilot comment on an issue becomes a pushed branch, one pull request and a bill."""

from __future__ import annotations

import pytest

from prpilot.testing import openai_replies as say
from prpilot.testing.scenario import Bed
from prpilot.testing.webhooks import load_webhook, retarget

pytestmark = pytest.mark.e2e


def test_typo_fix_on_an_issue_opens_one_pull_request(bed: Bed) -> None:
    bed.model.script(
        say.tool("read_file", {"path": "README.md"}),
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed the typo: projet -> project."),
        say.text("Fix the typo in README.md"),
    )
    event = bed.issue_comment("/pilot fix the typo in README.md")
    number = event["issue"]["number"]

    result = bed.run("issue_comment", event)

    assert result.ok, result.logs
    outputs = result.outputs
    assert outputs["status"] == "completed"
    branch = outputs["branch"]
    assert branch.startswith("pilot/fix-the-typo")
    assert "This project says hello." in (bed.github.read_file(bed.repo, "README.md", ref=branch) or "")
    pulls = bed.github.pulls(bed.repo)
    assert len(pulls) == 1
    pull = pulls[0]
    assert f"Closes #{number}" in (pull.body or "")
    assert outputs["pr-number"] == str(pull.number)
    assert outputs["pr-url"].endswith(f"/pull/{pull.number}")
    status = bed.github.comments(bed.repo, number)[-1].body
    assert outputs["pr-url"] in status
    assert "✅" in status
    # The default branch is untouched.
    assert "projet" in (bed.github.read_file(bed.repo, "README.md", ref="main") or "")


def test_comment_without_trigger_is_skipped_with_no_write(bed: Bed) -> None:
    event = bed.issue_comment("thanks, looks good")
    mark = bed.github.mark()

    result = bed.run("issue_comment", event)

    assert result.ok, result.logs
    assert result.outputs["status"] == "skipped"
    # Only the checkout's git fetch reached the server: not one REST request, let alone a write.
    assert [r for r in bed.github.since(mark) if r.kind != "git"] == []
    assert bed.model.calls == []


def test_acknowledgement_takes_at_most_three_github_requests(bed: Bed) -> None:
    bed.model.set_policy(lambda request, index: say.text("Nothing to change."))
    event = bed.issue_comment("/pilot look around")
    mark = bed.github.mark()

    result = bed.run("issue_comment", event)

    assert result.outputs["status"] == "completed", result.logs
    rest = [r for r in bed.github.since(mark) if r.kind == "rest"]
    first_comment = next(i for i, r in enumerate(rest) if r.method == "POST" and r.path.endswith("/comments"))
    acknowledgement = rest[: first_comment + 1]
    assert len(acknowledgement) <= 3
    assert [r.method for r in acknowledgement] == ["GET", "POST", "POST"]
    assert acknowledgement[0].path.endswith("/collaborators/alice/permission")
    assert acknowledgement[1].path.endswith("/reactions")
    assert bed.github.reactions(comment_id=event["comment"]["id"])


def test_labeling_an_issue_starts_a_task_when_the_label_is_the_trigger(bed: Bed) -> None:
    number = bed.github.add_issue(bed.repo, "Spelling error in the README file", "It says projet.", user="alice")
    event = retarget(
        load_webhook("issues__labeled"),
        repository=bed.repo,
        user="alice",
        number=number,
        default_branch="main",
        server_url=bed.github.server_url,
        api_url=bed.github.api_url,
    )
    event["label"]["name"] = "pilot"
    event["issue"]["labels"] = [event["label"]]
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed the spelling."),
        say.text("Fix the spelling in README.md"),
    )

    ignored = bed.run("issues", event)  # no trigger-label configured: not for us
    assert ignored.outputs["status"] == "skipped"
    result = bed.run("issues", event, trigger_label="pilot")

    assert result.outputs["status"] == "completed", result.logs
    [pull] = bed.github.pulls(bed.repo)
    assert f"Closes #{number}" in (pull.body or "")
