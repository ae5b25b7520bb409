"""The steps in one process (``entrypoint.py run``, the Docker image): a failed scheduling still reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prpilot.actions.run_step import run_step
from prpilot.errors import GitHubError
from prpilot.testing.runner.env import parse_command_file
from prpilot.testing.scenario import start_bed


def test_a_scheduling_failure_in_the_single_process_form_still_sets_status_and_summary(tmp_path: Path) -> None:
    """Issue 13, class 5: a 403 on the acknowledgement (no `issues: write`) leaves a status and a summary."""
    with start_bed(tmp_path / "bed") as bed:
        event = bed.issue_comment("/pilot fix the typo")
        bed.github.fail("POST", r"/issues/\d+/comments$", 403, times=10,
                        body={"message": "Resource not accessible by integration"})
        event_path, outputs, summary = tmp_path / "event.json", tmp_path / "outputs", tmp_path / "summary"
        event_path.write_text(json.dumps(event))
        outputs.touch()
        summary.touch()
        env = {
            "GITHUB_EVENT_NAME": "issue_comment", "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": bed.repo, "GITHUB_API_URL": bed.github.api_url,
            "GITHUB_SERVER_URL": bed.github.server_url, "GITHUB_RUN_ID": "7", "RUNNER_TEMP": str(tmp_path),
            "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary),
            "INPUT_GITHUB-TOKEN": bed.github.token, "INPUT_OPENAI-API-KEY": "sk-test",
        }

        with pytest.raises(GitHubError, match="may not"):
            run_step(env)

    said = parse_command_file(outputs.read_text())
    assert said["status"] == "failed"
    assert "may not" in said["result"]
    assert summary.read_text().startswith("## prpilot: failed")
