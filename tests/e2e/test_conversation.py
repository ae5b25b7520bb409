"""End to end: /pilot stop, follow-ups that remember what came before, and a budget in the request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from prpilot.testing import openai_replies as say
from prpilot.testing.runner.job import RunResult
from prpilot.testing.scenario import READER, Bed

pytestmark = pytest.mark.e2e

STOPPER = "bob"  # another person with write access


def _wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def _cancels(bed: Bed) -> list[str]:
    return [r.path for r in bed.github.rest() if r.method == "POST" and r.path.endswith("/cancel")]


def _reservations(bed: Bed) -> int:
    if not bed.github.git(bed.repo, "for-each-ref", "refs/prpilot/ledger").strip():
        return 0
    added = bed.github.git(bed.repo, "log", "-p", "refs/prpilot/ledger").splitlines()
    return sum(1 for line in added if line.startswith("+{") and '"kind":"reservation"' in line)


def test_stop_from_another_writer_cancels_the_run_and_the_task_ends_with_its_work_pushed(bed: Bed) -> None:
    bed.github.add_user(STOPPER)
    bed.github.set_permission(bed.repo, STOPPER, "write")
    bed.model.script(
        say.text("Add notes"),
        say.tool("write_file", {"path": "NOTES.md", "content": "work in progress\n"}),
        say.text("never seen").after(120),
    )
    event = bed.issue_comment("/pilot write some notes")
    number = event["issue"]["number"]
    running: list[RunResult] = []
    job = threading.Thread(target=lambda: running.append(bed.run("issue_comment", event)))
    job.start()
    _wait_for(lambda: len(bed.model.requests) >= 3)  # the slow model call is under way
    calls_before, reservations_before = len(bed.model.requests), _reservations(bed)

    stop = bed.issue_comment("/pilot stop", user=STOPPER, number=number)
    stopped = bed.run("issue_comment", stop)
    job.join(timeout=120)

    assert stopped.ok, stopped.logs
    assert stopped.outputs["status"] == "completed", stopped.logs
    assert len(_cancels(bed)) == 1  # the running task's run, and only it
    assert len(bed.model.requests) == calls_before  # the stop asked no model
    assert _reservations(bed) == reservations_before == 1  # and reserved nothing
    assert any(r.path.endswith(f"/comments/{stop['comment']['id']}/reactions") for r in bed.github.rest())
    [result] = running
    assert result.cancelled and result.outputs["status"] == "failed", result.logs
    assert bed.github.read_file(bed.repo, "NOTES.md", ref=result.outputs["branch"]) == "work in progress\n"
    ledger = bed.github.git(bed.repo, "log", "-p", "refs/prpilot/ledger")
    assert '"settlement"' in ledger and result.outputs["task-id"] in ledger
    bodies = bed.status_comments(number)
    answer = next(body for body in bodies if "Could not finish" in body)
    assert f"@{STOPPER} stopped the task with `/pilot stop`" in answer
    reply = next(body for body in bodies if "Stopping" in body)
    assert f"as @{STOPPER} asked" in reply


def test_stop_with_nothing_running_says_so_in_one_line(bed: Bed) -> None:
    stop = bed.issue_comment("/pilot stop")

    result = bed.run("issue_comment", stop)

    assert result.ok, result.logs
    assert result.outputs["status"] == "skipped"
    assert _cancels(bed) == []
    [reply] = bed.status_comments(stop["issue"]["number"])
    visible = [line for line in reply.splitlines() if line.strip() and not line.startswith("<!--")]
    assert visible == ["Nothing to stop: no prpilot task is running on this thread."]
    assert bed.model.requests == []
    assert _reservations(bed) == 0


def test_stop_from_a_reader_is_refused(bed: Bed) -> None:
    stop = bed.issue_comment("/pilot stop", user=READER)

    result = bed.run("issue_comment", stop)

    assert result.outputs["status"] == "rejected", result.logs
    assert _cancels(bed) == []
    [reply] = bed.status_comments(stop["issue"]["number"])
    assert "only people with write access" in reply
