from __future__ import annotations

from pathlib import Path

import pytest

from prpilot.github.memory import MemoryGitHub
from prpilot.scheduler.strategies import stopper_for, strategies_for, task_file
from prpilot.settings import Settings
from prpilot.task import Task


def make_task() -> Task:
    return Task(id="a1b2c3d4e5f6", github_user="octocat", github_project="octo/repo", user_request="Fix the bug",
                installation_id="42")


@pytest.mark.parametrize(("strategy", "offered"), [
    ("actions", {"actions", "log"}),
    ("log", {"actions", "log"}),
    ("dispatch", {"actions", "log", "dispatch"}),
    ("thread", {"actions", "log"}),  # library use: the caller brings its own strategy
])
def test_a_schedule_step_offers_the_default_two_and_the_configured_one(
    strategy: str, offered: set[str], tmp_path: Path
) -> None:
    settings = Settings(strategy=strategy, worker_workflow="worker.yml")
    assert set(strategies_for(settings, tmp_path, MemoryGitHub())) == offered


def test_the_actions_strategy_writes_the_task_file_in_runner_temp(tmp_path: Path) -> None:
    task = make_task()
    strategies_for(Settings(), tmp_path, MemoryGitHub())["actions"](task)
    assert Task.model_validate_json(task_file(tmp_path, task).read_text()).id == task.id


@pytest.mark.parametrize("strategy", ["actions", "log", "dispatch", "thread"])
def test_a_task_in_a_workflow_run_is_stopped_by_cancelling_that_run(strategy: str) -> None:
    port = MemoryGitHub(runs={42: "in_progress"})
    assert stopper_for(Settings(strategy=strategy), port)(make_task()) is True
    assert port.cancelled == [42]

