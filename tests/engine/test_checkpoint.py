"""The engine's checkpoint: what the finish step reads back after the engine was killed."""

from __future__ import annotations

from prpilot.agent.scripted_model import ScriptedChatModel, scripted_reply
from prpilot.engine.checkpoint import Checkpoint
from prpilot.engine.working_branch import RESUME_KEY, WorkingBranch, resumed
from prpilot.task import Task, TaskStatus, Usage


def _running() -> Task:
    task = Task(github_user="alice", github_project="o/r", user_request="fix it", issue_number=1)
    task.transition(TaskStatus.SCHEDULED)
    task.transition(TaskStatus.RUNNING)
    return task


def test_every_answered_call_is_kept_before_its_tools_run() -> None:
    kept: list[Task] = []
    checkpoint = Checkpoint(kept.append, touched=lambda: ["README.md"])
    task = _running()
    first = scripted_reply("ok", usage=Usage(prompt_tokens=10, completion_tokens=1, calls=1))
    second = scripted_reply("ok", usage=Usage(prompt_tokens=20, completion_tokens=2, calls=1))
    model = checkpoint.counted(ScriptedChatModel(first, second), task)

    model.complete([], [])
    model.complete([], [])

    assert [(t.usage.prompt_tokens, t.usage.completion_tokens, t.usage.calls) for t in kept] == [(10, 1, 1),
                                                                                               (30, 3, 2)]
    assert task.usage == Usage()  # the task itself is the engine's; the checkpoint writes copies
    assert RESUME_KEY not in kept[-1].context  # no working branch yet: nothing to push


def test_once_the_branch_exists_the_checkpoint_says_how_to_push_the_work() -> None:
    kept: list[Task] = []
    checkpoint = Checkpoint(kept.append, touched=lambda: ["src/app.py"])
    checkpoint.working = (WorkingBranch("pilot/fix-it", "main", open_pull=True), "Fix it")
    task = _running()

    checkpoint.keep(task, Usage(prompt_tokens=5, calls=1))
    task.transition(TaskStatus.COMPLETED, "Done.")
    checkpoint.keep(task, Usage(prompt_tokens=5, calls=1))

    assert resumed(kept[0].context[RESUME_KEY]) == (WorkingBranch("pilot/fix-it", "main", True), "Fix it",
                                                    ["src/app.py"])
    assert kept[1].is_final
    assert RESUME_KEY not in kept[1].context  # a final task has nothing left to push
