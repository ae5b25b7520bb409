"""End to end: an engine step killed outright (SIGKILL, as the out-of-memory killer does) still ends its task.

The engine cannot answer from a SIGKILL, so the composite action's last step, ``if: always()``,
reads the checkpoint the engine kept and ends the task: the agent's changes pushed, failed in words
on the thread, the usage of every call made so far billed into the ledger and the billing endpoint,
the outputs set.
"""

from __future__ import annotations

import pytest
from github import Auth, Github

from prpilot.git_work import RESUME_KEY
from prpilot.ledger import Ledger, Settlement
from prpilot.ledger_github import GitRefLedgerBackend
from prpilot.report import extract_task
from prpilot.task import TaskStatus
from prpilot.testing import openai_replies as say
from prpilot.testing.scenario import Bed

pytestmark = pytest.mark.e2e

# The agent's own test command eats the machine; the kernel kills the engine that started it.
KILL_THE_ENGINE = 'python3 -c "import os, signal; os.kill(os.getppid(), signal.SIGKILL)"'


def _settlements(bed: Bed) -> list[Settlement]:
    client = Github(auth=Auth.Token(bed.github.token), base_url=bed.github.api_url, lazy=True)
    return [r for r in Ledger(GitRefLedgerBackend(client.get_repo(bed.repo))).records() if isinstance(r, Settlement)]


def test_a_killed_engine_step_is_failed_billed_and_answered_by_the_finish_step(bed: Bed) -> None:
    bed.model.script(
        say.text("Run the tests").with_usage(prompt_tokens=100, completion_tokens=5),
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}).with_usage(
            prompt_tokens=1_000, completion_tokens=20),
        say.tool("run_command", {"command": KILL_THE_ENGINE}).with_usage(prompt_tokens=1_500, completion_tokens=30),
        say.text("never reached"),
    )
    event = bed.issue_comment("/pilot run the tests and fix what fails")

    result = bed.run("issue_comment", event, allowed_commands="python3 -c")

    assert result.step("engine").outcome == "failure"
    assert result.step("finish").outcome == "failure"  # it ended a task that failed
    assert result.outputs["status"] == "failed"
    assert len(bed.model.calls) == 3
    # Every call the API answered is billed, the one whose tool was running when the kill came too.
    assert (result.outputs["prompt-tokens"], result.outputs["completion-tokens"]) == ("2600", "55")
    [settled] = _settlements(bed)
    assert (settled.bill.prompt_tokens, settled.bill.completion_tokens) == (2_600, 55)
    assert settled.bill.status == "failed"
    [bill] = bed.billing.bills
    assert bill["task_id"] == result.outputs["task-id"]
    [comment] = bed.status_comments(event["issue"]["number"])
    assert "❌" in comment
    assert "the engine's process was killed" in comment
    assert "after 3 model calls" in comment
    assert "💰" in comment
    assert "stopped before it finished" in result.summary
    # The edit made before the kill is not lost: it is pushed, as after any other failure.
    branch = result.outputs["branch"]
    assert branch.startswith("pilot/")
    assert f"`{branch}`" in comment
    assert "This project says hello." in (bed.github.read_file(bed.repo, "README.md", ref=branch) or "")
    recorded = extract_task(comment)
    assert recorded is not None
    assert recorded.status is TaskStatus.FAILED
    assert RESUME_KEY not in recorded.context  # the checkpoint's working notes stay out of the record
    assert "Traceback" not in result.logs


def test_a_finished_task_leaves_the_finish_step_nothing_to_do(bed: Bed) -> None:
    bed.model.set_policy(lambda request, index: say.text("Nothing to change."))
    event = bed.issue_comment("/pilot look around")

    result = bed.run("issue_comment", event)

    assert result.outputs["status"] == "completed", result.logs
    finish = result.step("finish")
    assert finish.outcome == "success"
    assert finish.stdout == finish.stderr == ""
    assert len(bed.billing.bills) == 1  # billed once, by the engine
    assert len(bed.status_comments(event["issue"]["number"])) == 1
