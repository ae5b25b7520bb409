"""The steps in one process (``entrypoint.py run``, the Docker image): a failed scheduling still reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prpilot.actions.run_step import run_step
from prpilot.engine.cancellation import CancelSignal
from prpilot.errors import ConfigError, GitHubError
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


@pytest.mark.parametrize(("ends", "stale", "ended"), [
    (True, [], True),
    (False, [], False),  # killed, or cut off: the finish step ends it
    (True, [41], False),  # an old status comment the engine could not point at its answer (issue #29)
])
def test_the_run_step_tells_the_finish_step_whether_the_engine_began_and_whether_it_left_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ends: bool, stale: list[int], ended: bool,
) -> None:
    """``engine-started`` before the engine (a cancellation until then never started it); ``ended`` after it."""
    import prpilot.actions.run_step as run_module
    from prpilot.actions.schedule_step import Scheduled
    from prpilot.task import Task, TaskStatus

    task = Task(github_user="alice", github_project="o/r", user_request="x")
    task.transition(TaskStatus.SCHEDULED)
    task_file, outputs = tmp_path / "task.json", tmp_path / "outputs"
    task_file.write_text(task.model_dump_json())
    outputs.touch()
    seen_at_start: dict[str, str] = {}

    scheduling = object()  # the scheduling's run, handed to the engine of the same process

    def engine(env: dict[str, str], *, opened: object, cancel: CancelSignal) -> int:
        assert opened is scheduling
        assert not cancel.requested  # the scheduling's signal handler, handed on
        seen_at_start.update(parse_command_file(outputs.read_text()))
        if ends:
            task.transition(TaskStatus.RUNNING)
            task.transition(TaskStatus.COMPLETED, "done")
        task.stale_comment_ids = stale
        Path(env["PRPILOT_TASK_FILE"]).write_text(task.model_dump_json())
        return 0

    monkeypatch.setattr(run_module, "schedule_task", lambda env: Scheduled(0, task_file, scheduling))
    monkeypatch.setattr(run_module, "engine_step", engine)

    assert run_module.run_step({"GITHUB_OUTPUT": str(outputs)}) == 0

    assert seen_at_start == {"engine-started": "true"}
    said = parse_command_file(outputs.read_text())
    assert said.get("ended") == ("true" if ended else None)


def _acknowledged(tmp_path: Path, **changes: object) -> dict[str, str]:
    data: dict[str, object] = {"task_id": "0123456789ab", "created_at": "2026-11-02T10:00:00+00:00",
                               "permission": "write", "status_comment_id": None, "acknowledged": True}
    data.update(changes)
    path = tmp_path / "prpilot-acknowledged.json"
    path.write_text(json.dumps(data))
    return {"PRPILOT_ACKNOWLEDGED": str(path)}


@pytest.mark.parametrize("changes", [
    {"permission": 5},  # read as a string later: AttributeError: 'int' object has no attribute 'strip'
    {"permission": ["write"]},
    {"task_id": "../../elsewhere"},  # becomes the task file's name: prpilot-task-../../elsewhere.json
    {"status_comment_id": "abc"},  # goes into the Task unchecked (a pydantic serializer warning, a bogus id)
])
def test_a_damaged_first_step_file_is_said_damaged(tmp_path: Path, changes: dict[str, object]) -> None:
    """read_acknowledged checks that the keys are there but not what they hold: a damaged file reached the
    scheduler and ended as "prpilot: internal error (AttributeError: ...)" (exit 2), or, for a task id with
    a path in it, as an internal error with a traceback in the log and a task file written outside RUNNER_TEMP."""
    from prpilot.actions.schedule_step import read_acknowledged

    with pytest.raises(ConfigError, match="damaged"):
        read_acknowledged(_acknowledged(tmp_path, **changes))
