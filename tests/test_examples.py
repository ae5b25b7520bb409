"""examples/ holds complete workflows a user copies: each valid, linted, and serving the events it claims."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.markdown import ROOT

from prpilot.settings import INPUTS
from prpilot.testing.runner.workflow import pilot_steps

EXAMPLES = ROOT / "examples"
WORKFLOWS = sorted(path for path in EXAMPLES.glob("*.yml") if path.name != "zizmor.yml")  # zizmor's config


def _tool(name: str) -> str | None:
    """A linter from this interpreter's environment (the test extra installs both), else from PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


CHECK_JSONSCHEMA, ZIZMOR = _tool("check-jsonschema"), _tool("zizmor")


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((EXAMPLES / name).read_text(encoding="utf-8"))
    return loaded


def test_the_examples_cover_every_way_in() -> None:
    assert {path.name for path in WORKFLOWS} == {
        "pilot.yml", "pilot-dispatch.yml", "pilot-label.yml", "pilot-python.yml", "pilot-node.yml",
        "pilot-redis.yml", "pilot-worker.yml", "triage.yml",
    }


@pytest.mark.skipif(CHECK_JSONSCHEMA is None, reason="check-jsonschema is not installed")
def test_every_example_validates_against_the_workflow_schema() -> None:
    done = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(ZIZMOR is None, reason="zizmor is not installed")
def test_every_example_passes_zizmor() -> None:
    # The config allows only `prpilot/action@v1` to follow a tag; everything else must be pinned by SHA.
    done = subprocess.run([str(ZIZMOR), "--offline", "--no-progress", "--config", str(EXAMPLES / "zizmor.yml"),
                           *map(str, WORKFLOWS)], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_an_example_runs_prpilot_with_only_inputs_the_action_declares(path: Path) -> None:
    workflow = _load(path.name)
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]
             if str(step.get("uses", "")).startswith("prpilot/action@")]
    assert len(steps) == 1
    assert set(steps[0].get("with") or {}) <= set(INPUTS)
    assert steps[0]["uses"] == "prpilot/action@v1"


@pytest.mark.parametrize(
    ("name", "event_name", "payload", "runs"),
    [
        ("pilot.yml", "issue_comment", {"action": "created", "comment": {"body": "Thanks\n/pilot fix it"}}, True),
        ("pilot.yml", "issue_comment", {"action": "created", "comment": {"body": "Thanks!"}}, False),
        ("pilot.yml", "pull_request_review", {"action": "submitted", "review": {"body": "/pilot address these"}}, True),
        ("pilot-dispatch.yml", "workflow_dispatch", {"inputs": {"request": "add tests"}}, True),
        ("pilot-label.yml", "issues", {"action": "labeled", "label": {"name": "pilot"}, "issue": {"labels": []}}, True),
        ("pilot-label.yml", "issues", {"action": "labeled", "label": {"name": "bug"}, "issue": {"labels": []}}, False),
        ("pilot-label.yml", "issues", {"action": "opened", "issue": {"labels": [{"name": "pilot"}]}}, True),
        ("pilot-label.yml", "issues", {"action": "opened", "issue": {"labels": [{"name": "bug"}]}}, False),
        ("pilot-python.yml", "issue_comment", {"action": "created", "comment": {"body": "/pilot fix"}}, True),
        ("pilot-node.yml", "issue_comment", {"action": "edited", "comment": {"body": "/pilot fix"}}, False),
        ("pilot-redis.yml", "issue_comment", {"action": "created", "comment": {"body": "/pilot fix"}}, True),
        ("pilot-worker.yml", "workflow_dispatch", {"inputs": {"task": "{}"}}, True),
    ],
)
def test_an_example_serves_the_events_it_is_for(name: str, event_name: str, payload: dict[str, Any],
                                                runs: bool) -> None:
    assert bool(pilot_steps(_load(name), event_name, payload)) is runs


def test_the_worker_workflow_takes_the_task_the_dispatch_strategy_hands_over() -> None:
    [step] = pilot_steps(_load("pilot-worker.yml"), "workflow_dispatch", {"inputs": {"task": '{"id": "t1"}'}})
    assert step.inputs == {"task": '{"id": "t1"}'}
