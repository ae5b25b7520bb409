"""End to end: the dispatch strategy hands the admitted task to a worker workflow, which runs it."""

from __future__ import annotations

import json

import pytest

from prpilot.testing import openai_replies as say
from prpilot.testing.scenario import WRITER, Bed
from prpilot.testing.webhooks import load_webhook, retarget

pytestmark = pytest.mark.e2e


def test_dispatched_task_runs_in_the_worker_workflow(bed: Bed) -> None:
    event = bed.issue_comment("/pilot fix the typo in README.md")
    scheduled = bed.run("issue_comment", event, strategy="dispatch", worker_workflow="pilot-worker.yml")
    assert scheduled.ok, scheduled.logs
    assert scheduled.outputs["status"] == "scheduled"
    assert "engine-started" not in scheduled.step("run").outputs  # handed over: no engine here
    [dispatch] = bed.github.dispatches
    assert dispatch.workflow_id == "pilot-worker.yml"
    assert dispatch.ref == "main"
    handed_over = dispatch.inputs["task"]

    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed the typo."),
        say.text("Fix the typo in README.md"),
    )
    worker_event = retarget(
        load_webhook("workflow_dispatch__payload"),
        repository=bed.repo,
        server_url=bed.github.server_url,
        api_url=bed.github.api_url,
    )
    worker_event["inputs"] = {"task": handed_over}
    worker_event["ref"] = "refs/heads/main"
    worked = bed.run("workflow_dispatch", worker_event, task=handed_over)

    assert worked.ok, worked.logs
    assert worked.outputs["status"] == "completed"
    assert worked.outputs["task-id"] == scheduled.outputs["task-id"]
    [pull] = bed.github.pulls(bed.repo)
    status = bed.status_comments(event["issue"]["number"])
    assert len(status) == 1  # the same status comment, edited by the worker run
    assert f"/pull/{pull.number}" in status[0]


@pytest.mark.parametrize(("project", "status"), [("other/repo", "scheduled"), (None, "completed"), (None, "running")],
                         ids=["another repository", "a finished task", "a running task"])
def test_handed_over_task_not_scheduled_here_is_refused(bed: Bed, project: str | None, status: str) -> None:
    event = retarget(
        load_webhook("workflow_dispatch__payload"),
        repository=bed.repo,
        server_url=bed.github.server_url,
        api_url=bed.github.api_url,
    )
    event["ref"] = "refs/heads/main"
    forged = json.dumps({"github_user": "mallory", "github_project": project or bed.repo, "user_request": "x",
                         "status": status})

    result = bed.run("workflow_dispatch", event, task=forged)

    assert result.exit_code != 0
    assert "scheduled task of this repository" in result.logs
    assert bed.model.calls == []


def test_actions_tab_request_on_a_chosen_branch_opens_a_pull_request_into_it(bed: Bed) -> None:
    bed.github.commit(bed.repo, "release-1.2", {"CHANGELOG.md": "## 1.2\n"}, "Start the 1.2 changelog")
    event = retarget(
        load_webhook("workflow_dispatch__payload"),
        repository=bed.repo,
        user=WRITER,
        default_branch="main",
        server_url=bed.github.server_url,
        api_url=bed.github.api_url,
    )
    event["inputs"] = {"request": "note the typo fix in CHANGELOG.md"}
    event["ref"] = "refs/heads/release-1.2"  # "Use workflow from: release-1.2"
    bed.model.script(
        say.tool("edit_file", {"path": "CHANGELOG.md", "old": "## 1.2\n", "new": "## 1.2\n\n- Fix a typo\n"}),
        say.text("Noted."),
        say.text("Note the typo fix in the changelog"),
    )

    result = bed.run("workflow_dispatch", event)

    assert result.outputs["status"] == "completed", result.logs
    [pull] = bed.github.pulls(bed.repo)
    assert pull.pull is not None
    assert pull.pull.base_ref == "release-1.2"
    assert bed.github.read_file(bed.repo, "CHANGELOG.md", ref=result.outputs["branch"]) == "## 1.2\n\n- Fix a typo\n"
