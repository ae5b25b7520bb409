"""The checks around the agent: setup's failure in words, the fix rounds' bookkeeping, CI started by dispatch."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from prpilot.engine.verification import Verification, start_workflows
from prpilot.errors import GitHubError, SetupFailed
from prpilot.github.memory import MemoryGitHub
from prpilot.testing.listener import Listener

REPO_URL = "https://github.test/octo/repo"


def _verification(tmp_path: Path, *, setup: tuple[str, ...] = (), verify: tuple[str, ...] = (),
                  rounds: int = 2, network: bool = False) -> Verification:
    root = tmp_path / "work" / "repo"
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return Verification(root, setup, verify, rounds, env={"PATH": "/usr/bin:/bin"},
                        deadline=time.monotonic() + 60, network=network)


def test_setup_has_the_network_and_verify_has_none_unless_command_network(
    tmp_path: Path, listener: Listener
) -> None:
    heard = listener.heard
    closed = _verification(tmp_path, setup=(listener.reach("setup"),), verify=(listener.reach("verify"),))
    closed.setup()  # raises SetupFailed if it could not connect
    assert [run.passed for run in closed.setup_runs] == [True]
    assert not closed.check()  # command-network false: no network, not even the host's 127.0.0.1
    assert "reached" not in closed.runs[0].output  # its own loopback has no server: refused
    opened = _verification(tmp_path, verify=(listener.reach("verify"),), network=True)
    assert opened.check(), opened.runs[0].output  # command-network true
    assert "reached" in opened.runs[0].output
    deadline = time.monotonic() + 20  # a loaded machine may be slow to hand over a connection
    while len(heard) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert heard == ["setup", "verify"]


def test_a_failing_setup_says_which_command_and_how_it_ended(tmp_path: Path) -> None:
    checks = _verification(tmp_path, setup=("echo ok", "echo 'npm ERR! 404' && exit 7", "echo never"))
    with pytest.raises(SetupFailed) as failed:
        checks.setup()
    assert "`echo 'npm ERR! 404' && exit 7` exited with code 7" in failed.value.message
    assert "no model was called" in failed.value.message
    assert [run.passed for run in checks.setup_runs] == [True, False]
    section = checks.section()
    assert "✅ `echo ok`" in section
    assert "npm ERR! 404" in section


def test_fix_rounds_are_counted_until_none_is_left(tmp_path: Path) -> None:
    checks = _verification(tmp_path, verify=("test -f fixed",), rounds=2)
    assert not checks.check()
    assert checks.can_fix
    assert "fix round 1 of 2" in checks.next_round()
    assert not checks.check()
    assert "fix round 2 of 2" in checks.next_round()
    assert not checks.check()
    assert not checks.can_fix
    assert (checks.times, checks.fix_rounds) == (3, 2)
    notice = checks.failing_notice(draft=True, new_pull=True)
    assert "after 2 fix rounds" in notice
    assert "draft" in notice
    (checks.root / "fixed").write_text("")
    assert checks.check()
    assert "The checks ran 4 times (2 fix rounds" in checks.section()


def test_no_fix_round_for_checks_that_could_not_run(tmp_path: Path) -> None:
    checks = _verification(tmp_path, verify=("true",))
    checks.deadline = time.monotonic()  # max-minutes ran out
    assert not checks.check()
    assert not checks.can_fix
    assert "no fix round was left" in checks.failing_notice(draft=False, new_pull=True)
    assert "no draft pull requests" in checks.failing_notice(draft=False, new_pull=True)


def test_ci_workflows_are_started_on_the_branch_and_refusals_explained() -> None:
    github = MemoryGitHub(fail={
        "run_workflow:lint.yml": GitHubError(
            "GitHub refused to start the workflow lint.yml: 422 Workflow does not have 'workflow_dispatch' trigger"),
        "run_workflow:deploy.yml": GitHubError("the workflow's token may not start the workflow deploy.yml"),
    })
    said = start_workflows(github, ("ci.yml", "lint.yml", "deploy.yml"), "pilot/fix", REPO_URL)
    assert github.dispatches == [("ci.yml", "pilot/fix", {})]
    assert f"[`ci.yml`]({REPO_URL}/actions/workflows/ci.yml?query=branch%3Apilot%2Ffix) started" in said
    assert "`lint.yml` was not started: it has no `workflow_dispatch` trigger" in said
    assert "`actions: write`" in said
    assert start_workflows(github, (), "pilot/fix", REPO_URL) == ""
