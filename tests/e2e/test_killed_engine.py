"""End to end: an engine step killed outright (SIGKILL, as the out-of-memory killer does) still ends its task.

The engine cannot answer from a SIGKILL, so the composite action's last step, ``if: always()``,
reads the checkpoint the engine kept and ends the task: the agent's changes pushed, failed in words
on the thread, the usage of every call made so far billed into the ledger and the billing endpoint,
the outputs set.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from github import Auth, Github
from prpilot.billing.ledger import Ledger, Record, Reservation, Settlement
from prpilot.billing.ref_ledger import RefLedgerBackend
from prpilot.engine.working_branch import RESUME_KEY
from prpilot.github.ref_store import GitRefStore
from prpilot.task import Task, TaskStatus
from prpilot.testing import openai_replies as say
from prpilot.testing.scenario import Bed
from prpilot.thread.records import extract_task

# The engine is found by its command line in /proc and killed: its own process, a real interpreter.
pytestmark = [pytest.mark.e2e, pytest.mark.real_interpreter]
ENTRYPOINT = Path(__file__).resolve().parents[2] / "entrypoint.py"

# The agent's own test command eats the machine; the kernel kills the engine that started it (the
# command itself cannot: its sandbox sees no process but its own, so the kernel's part is played here).
EATS_THE_MACHINE = 'python3 -c "import time; time.sleep(120.25)"'


def _pids_running(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _parent(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))


def _watch(tick: Callable[[], bool], timeout: float, every: float) -> threading.Thread:
    """Call ``tick`` every ``every`` seconds on a thread of its own until it says it is done, or ``timeout``."""

    def watch() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not tick():
            time.sleep(every)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def _ours(bed: Bed, pid: int) -> bool:
    """Whether ``pid`` is a step of ``bed`` (the tests of another worker run the same commands)."""
    return f"GITHUB_API_URL={bed.github.api_url}\0".encode() in Path(f"/proc/{pid}/environ").read_bytes()


def _kill_the_engine_when_the_command_runs(bed: Bed, timeout: float = 60) -> threading.Thread:
    """SIGKILL the run step's process (the out-of-memory killer's way) once the agent's command runs."""

    def kill() -> bool:
        for pid in _pids_running("120.25"):
            with contextlib.suppress(OSError, StopIteration):
                while pid > 1:
                    pid = _parent(pid)
                    if b"entrypoint.py\0run" in Path(f"/proc/{pid}/cmdline").read_bytes() and _ours(bed, pid):
                        os.kill(pid, signal.SIGKILL)
                        return True
        return False

    return _watch(kill, timeout, 0.05)


def _records(bed: Bed) -> list[Record]:
    client = Github(auth=Auth.Token(bed.github.token), base_url=bed.github.api_url, lazy=True)
    return Ledger(RefLedgerBackend(GitRefStore(client.get_repo(bed.repo)))).records()


def _settlements(bed: Bed) -> list[Settlement]:
    return [r for r in _records(bed) if isinstance(r, Settlement)]


def test_a_killed_engine_step_is_failed_billed_and_answered_by_the_finish_step(bed: Bed) -> None:
    bed.model.script(
        say.tool("read_file", {"path": "README.md"}).with_usage(prompt_tokens=100, completion_tokens=5),
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}).with_usage(
            prompt_tokens=1_000, completion_tokens=20),
        say.tool("run_command", {"command": EATS_THE_MACHINE}).with_usage(prompt_tokens=1_500, completion_tokens=30),
        say.text("never reached"),
    )
    event = bed.issue_comment("/pilot run the tests and fix what fails")

    killer = _kill_the_engine_when_the_command_runs(bed)
    result = bed.run("issue_comment", event, allowed_commands="python3 -c")
    killer.join()

    # The command's sandbox died with the engine that started it.
    assert _pids_running("120.25") == []
    assert result.step("run").outcome == "failure"
    assert "ended" not in result.step("run").outputs
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
    assert result.step("run").outputs["ended"] == "true"
    assert result.step("finish").outcome == "skipped"  # not even an interpreter started
    assert len(bed.billing.bills) == 1  # billed once, by the engine
    assert len(bed.status_comments(event["issue"]["number"])) == 1


def test_an_engine_killed_just_after_answering_is_not_answered_twice(bed: Bed, tmp_path: Path) -> None:
    # The engine answered on the thread and was killed before its last checkpoint: the task file
    # still says "running". The finish step must read the answer back, not overwrite it.
    bed.model.set_policy(lambda request, index: say.text("Nothing to change."))
    event = bed.issue_comment("/pilot look around")
    done = bed.run("issue_comment", event)
    assert done.outputs["status"] == "completed", done.logs
    [task_file] = done.runner_temp.glob("prpilot-task-*.json")
    finished = Task.model_validate_json(task_file.read_text())
    stale = finished.model_copy(update={"status": TaskStatus.RUNNING, "result": ""})
    task_file.write_text(stale.model_dump_json())
    [answer] = bed.status_comments(event["issue"]["number"])
    output, summary = tmp_path / "output", tmp_path / "summary"
    output.touch()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))},
        "GITHUB_REPOSITORY": bed.repo, "GITHUB_API_URL": bed.github.api_url,
        "GITHUB_SERVER_URL": bed.github.server_url, "GITHUB_RUN_ID": "4242", "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary), "PRPILOT_TASK_FILE": str(task_file),
        "PRPILOT_ENGINE_OUTCOME": "failure", "INPUT_GITHUB-TOKEN": bed.github.token,
    }  # fmt: skip

    finish = subprocess.run([sys.executable, str(ENTRYPOINT), "finish"], env=env, capture_output=True, text=True,
                            check=False, timeout=120)

    assert finish.returncode == 0, finish.stdout + finish.stderr  # the task completed, as its answer says
    assert bed.status_comments(event["issue"]["number"]) == [answer]  # untouched
    assert "status<<" in output.read_text()
    assert "completed" in output.read_text()
    assert len(_settlements(bed)) == 1  # settled once, by the engine; settling again changed nothing
    assert "Traceback" not in finish.stdout + finish.stderr


# --- single faults around the finish step (an audit of 2026-12-08) -----------------------------------


def _block_checkpoints_once_the_model_is_asked(bed: Bed, root: Path) -> threading.Thread:
    """Once the model got its first request, make every later write of the task file fail (as a full disk does).

    The task file is written through ``<file>.partial``; a directory of that name makes the write an OSError.
    """

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if bed.model.requests:
                for task_file in root.rglob("prpilot-task-*.json"):
                    task_file.with_name(task_file.name + ".partial").mkdir(exist_ok=True)
                return
            time.sleep(0.01)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_a_checkpoint_that_cannot_be_written_loses_no_billed_call_and_no_traceback(bed: Bed, tmp_path: Path) -> None:
    bed.model.script(
        say.tool("read_file", {"path": "README.md"}).with_usage(prompt_tokens=100, completion_tokens=5).after(1),
        say.text("Nothing to change.").with_usage(prompt_tokens=200, completion_tokens=7),
    )
    event = bed.issue_comment("/pilot look around")
    blocker = _block_checkpoints_once_the_model_is_asked(bed, tmp_path)

    result = bed.run("issue_comment", event)
    blocker.join()

    assert len(bed.model.calls) >= 1
    [settled] = _settlements(bed)
    # The API answered the first call (100 + 5 tokens): it is billed, whatever became of the checkpoint.
    assert settled.bill.prompt_tokens >= 100, settled.bill
    [bill] = bed.billing.bills
    assert bill["prompt_tokens"] >= 100, bill
    comment = bed.status_comments(event["issue"]["number"])[0]
    task = extract_task(comment)
    assert task is not None
    assert task.is_final
    assert "Traceback" not in result.logs


def test_a_killed_engine_whose_work_the_finish_step_cannot_push_hands_the_work_back(bed: Bed) -> None:
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.tool("run_command", {"command": EATS_THE_MACHINE}),
        say.text("never reached"),
    )
    event = bed.issue_comment("/pilot fix the typo and run the tests")
    bed.github.fail("POST", r"/git-receive-pack$", 500, times=99)  # the network to GitHub's git is down

    killer = _kill_the_engine_when_the_command_runs(bed)
    result = bed.run("issue_comment", event, allowed_commands="python3 -c")
    killer.join()

    assert result.step("finish").outcome == "failure"
    assert [r for r in bed.github.requests if r.path.endswith("/git-receive-pack")]  # the finish step tried
    [comment] = bed.status_comments(event["issue"]["number"])
    assert "❌" in comment
    # The runner's checkout is gone after the job: the edit comes back on the thread as a patch, as the
    # engine hands back a push it could not make (test_a_pull_request_task_whose_push_keeps_failing...).
    assert "+This project says hello." in comment, comment


def test_the_finish_step_bills_a_killed_engines_calls_to_the_account_that_paid_them(bed: Bed) -> None:
    bed.model.script(
        say.tool("read_file", {"path": "README.md"}).with_usage(prompt_tokens=100, completion_tokens=5),
        say.tool("run_command", {"command": EATS_THE_MACHINE}).with_usage(prompt_tokens=1_500, completion_tokens=30),
        say.text("never reached"),
    )
    event = bed.issue_comment("/pilot run the tests")

    killer = _kill_the_engine_when_the_command_runs(bed)
    result = bed.run("issue_comment", event, allowed_commands="python3 -c")  # the bed's openai-api-key pays
    killer.join()

    assert result.step("finish").outcome == "failure", result.logs
    [bill] = bed.billing.bills
    assert bill["prompt_tokens"] == 1_600
    # The calls went to openai-base-url with openai-api-key: that account paid, not a Copilot plan.
    assert bill["billed_to"] is None, bill
    [comment] = bed.status_comments(event["issue"]["number"])
    assert "Copilot" not in comment


def _kill_the_engine_once_it_pushed(bed: Bed, timeout: float = 60) -> threading.Thread:
    """SIGKILL the run step's process once its push landed (before it opens the pull request)."""

    def kill() -> bool:
        if not any(r.path.endswith("/git-receive-pack") and r.status == 200 for r in bed.github.requests):
            return False
        for pid in _pids_running("entrypoint.py\0run"):
            with contextlib.suppress(OSError):
                if _ours(bed, pid):  # never another test's step
                    os.kill(pid, signal.SIGKILL)
        return True

    return _watch(kill, timeout, 0.005)


def test_an_engine_killed_between_its_push_and_the_pull_request_says_where_the_work_is(bed: Bed) -> None:
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed the typo."),
        say.text("Fix the typo in README.md"),  # the title
    )
    event = bed.issue_comment("/pilot fix the typo in README.md")
    bed.github.latency = 1.0  # the requests after the push are slow: the kill comes before the pull request

    killer = _kill_the_engine_once_it_pushed(bed)
    result = bed.run("issue_comment", event)
    killer.join()

    assert result.step("run").outcome == "failure"
    assert bed.github.pulls(bed.repo) == []  # killed before it opened the pull request
    [branch] = bed.github.git(bed.repo, "branch", "--list", "pilot/*").split()
    assert "This project says hello." in (bed.github.read_file(bed.repo, "README.md", ref=branch) or "")
    [comment] = bed.status_comments(event["issue"]["number"])
    assert "❌" in comment
    # The work is on the pushed branch, and only the thread can tell the requester so.
    assert branch in comment, comment
    assert result.outputs["branch"] == branch


def _ledger_write_arrived(bed: Bed) -> bool:
    return any(a.method in ("POST", "PATCH") and "git/refs" in a.path for a in bed.github.arrivals)


def test_a_job_cancelled_during_the_ledger_admission_still_ends_and_answers_the_task(bed: Bed) -> None:
    """The cancel comes while the admission's ledger write is in flight: the scheduling finishes its outputs
    first, so the finish step ends the admitted task ("never started"), answered and its hold freed, instead
    of a reservation never settled and a status comment "queued" for ever."""
    bed.model.set_policy(lambda request, index: say.text("Nothing to change."))
    event = bed.issue_comment("/pilot look around")
    bed.github.latency = 0.5  # the admission's ref write is in flight when the cancel comes

    result = bed.runner.run("issue_comment", event, bed.inputs, cancel_when=lambda: _ledger_write_arrived(bed),
                            cancel_grace=20)

    assert result.cancelled
    records = _records(bed)
    [reservation] = [r for r in records if isinstance(r, Reservation)]  # the admission landed
    [comment] = bed.status_comments(event["issue"]["number"])
    task = extract_task(comment)
    assert task is not None
    assert task.is_final, comment
    assert "never started" in comment
    assert [r for r in records if isinstance(r, Settlement) and r.bill.task_id == reservation.task_id]
    assert not bed.model.calls  # the engine never began

