"""What the finish step tells the thread about a task its engine step left unfinished."""

from __future__ import annotations

import pytest

from prpilot.actions.finish_step import stopped_text
from prpilot.task import Task, Usage


def _task(**fields: object) -> Task:
    return Task(github_user="alice", github_project="o/r", user_request="fix it", **fields)


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        ("failure", "the engine's process was killed (out of memory, or the job's time limit)"),
        ("", "the engine's process was killed"),  # no outcome given: the likeliest cause
        ("cancelled", "the job was cancelled and its engine did not stop in time"),
    ],
)
def test_a_stopped_task_says_why_how_far_it_got_and_where_the_work_is(outcome: str, words: str) -> None:
    text = stopped_text(_task(usage=Usage(prompt_tokens=10, calls=3), branch="pilot/fix-it"), outcome)
    assert words in text
    assert "after 3 model calls" in text
    assert "The work done so far is on the branch `pilot/fix-it`." in text
    assert "billed" in text


def test_a_task_whose_engine_never_ran_says_so_and_bills_nothing() -> None:
    text = stopped_text(_task(), "skipped")
    assert text == "The task never started: the job stopped before its engine began. Nothing was billed."


def test_one_call_is_one_call() -> None:
    assert "after 1 model call:" in stopped_text(_task(usage=Usage(calls=1)))
    assert "model call" not in stopped_text(_task()).split(":")[0]  # no calls: no count
