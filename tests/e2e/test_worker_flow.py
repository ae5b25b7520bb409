"""End to end: the redis strategy queues the task; a worker clones through its mirror and runs the engine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from prpilot.actions.runner_commands import ActionsRunner
from prpilot.commands.run_task import run_task_in
from prpilot.task import Task
from prpilot.testing import openai_replies as say
from prpilot.testing.scenario import API_KEY, Bed
from prpilot.worker.queue import RedisTaskQueue
from prpilot.worker.task_worker import TaskWorker

pytestmark = pytest.mark.e2e


def _worker_settings(bed: Bed, tmp_path: Path) -> dict[str, str]:
    """A worker's own environment: the action's INPUT_ form, the server URLs, a mirror cache."""
    return {
        "GITHUB_API_URL": bed.github.api_url,
        "GITHUB_SERVER_URL": bed.github.server_url,
        "INPUT_GITHUB-TOKEN": bed.github.token,
        "INPUT_OPENAI-API-KEY": API_KEY,
        "INPUT_OPENAI-BASE-URL": bed.model.base_url,
        "INPUT_MODEL": bed.inputs["model"],  # the model the workflow admitted: the ledger's reservation names it
        "PRPILOT_MIRROR_CACHE": str(tmp_path / "mirrors"),
    }


def test_queued_task_runs_on_a_worker_and_answers_on_the_thread(bed: Bed, redis_url: str, tmp_path: Path) -> None:
    event = bed.issue_comment("/pilot fix the typo in README.md")
    scheduled = bed.run("issue_comment", event, strategy="redis", redis_url=redis_url)
    assert scheduled.ok, scheduled.logs
    assert scheduled.outputs["status"] == "scheduled"
    assert "engine-started" not in scheduled.step("run").outputs  # queued: no engine here
    assert bed.model.calls == []

    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed the typo."),
        say.text("Fix the typo in README.md"),
    )
    worker_env = _worker_settings(bed, tmp_path)
    finished: list[Task] = []

    def run(task: Task, workdir: Path) -> None:
        finished.append(run_task_in(task, workdir, worker_env, notices=ActionsRunner(worker_env)))

    worker = TaskWorker(RedisTaskQueue(redis_url), run, tmp_path / "work", poll_timeout=0.2)
    assert worker.work(burst=True) == 1

    [task] = finished
    assert task.status is not None
    assert task.status.value == "completed"
    assert task.id == scheduled.outputs["task-id"]
    [pull] = bed.github.pulls(bed.repo)
    assert f"Closes #{event['issue']['number']}" in (pull.body or "")
    status = bed.status_comments(event["issue"]["number"])
    assert len(status) == 1
    assert f"/pull/{pull.number}" in status[0]
    assert (tmp_path / "mirrors").exists()


def test_prpilot_worker_command_runs_the_queued_task(bed: Bed, redis_url: str, tmp_path: Path) -> None:
    event = bed.issue_comment("/pilot fix the typo in README.md")
    scheduled = bed.run("issue_comment", event, strategy="redis", redis_url=redis_url)
    assert scheduled.outputs["status"] == "scheduled", scheduled.logs
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed the typo."),
        say.text("Fix the typo in README.md"),
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))},
        **_worker_settings(bed, tmp_path),
    }
    command = [sys.executable, "-m", "prpilot.cli", "worker", "--redis-url", redis_url, "--burst",
               "--workdir", str(tmp_path / "work")]  # fmt: skip

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 0, done.stdout + done.stderr
    [pull] = bed.github.pulls(bed.repo)
    status = bed.status_comments(event["issue"]["number"])
    assert f"/pull/{pull.number}" in status[0]
    assert bed.github.token not in done.stdout + done.stderr
