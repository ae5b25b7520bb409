from __future__ import annotations

import pytest

from prpilot.task import Task
from prpilot.task_record import MAX_EMBEDDED_FIELD, clip, clipped, dumps


@pytest.mark.parametrize(("value", "expected"), [
    ("x" * MAX_EMBEDDED_FIELD, "x" * MAX_EMBEDDED_FIELD),
    ("x" * (MAX_EMBEDDED_FIELD + 1), "x" * MAX_EMBEDDED_FIELD + "…"),
    (7, 7),
    (None, None),
])
def test_only_texts_over_the_limit_are_clipped(value: object, expected: object) -> None:
    assert clip(value) == expected


def test_a_clipped_task_record_is_still_a_task() -> None:
    long = "y" * (MAX_EMBEDDED_FIELD * 2)
    task = Task(id="a1b2c3d4e5f6", github_user="octocat", github_project="octo/repo", user_request=long,
                result=long, context={"title": long, "number": 3})
    back = Task.model_validate_json(dumps(clipped(task.model_dump(mode="json"))))
    assert back.user_request == back.result == back.context["title"] == "y" * MAX_EMBEDDED_FIELD + "…"
    assert back.context["number"] == 3
    assert back.model_copy(update={"user_request": long, "result": long, "context": task.context}) == task
