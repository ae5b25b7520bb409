"""Setup and verify command lines: run by a shell in the real sandbox, their output bounded for the agent."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from prpilot.agent.checks import failure_message, run_line, run_lines, tail
from prpilot.agent.programs import CommandPolicy
from prpilot.agent.sandbox import sandbox_for
from prpilot.agent.tools import Toolbox
from prpilot.agent.workspace import Workspace
from prpilot.task import CheckRun

SECRET = "ghs_secret0123456789"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "work" / "repo"
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def _env(tmp_path: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home")}


def _redact(text: str) -> str:
    return text.replace(SECRET, "***")


def test_a_line_runs_in_a_shell_from_the_repository_root(workspace: Path, tmp_path: Path) -> None:
    sandbox = sandbox_for(workspace, _env(tmp_path))
    run = run_line("echo one | tr a-z A-Z && pwd && exit 4", sandbox, seconds_left=lambda: 30, redact=_redact)
    assert run.exit_code == 4
    assert run.output.splitlines() == ["ONE", str(workspace.resolve())]
    assert run.seconds > 0
    assert not run.passed


def test_a_line_writes_only_in_the_workspace_and_its_output_is_redacted(workspace: Path, tmp_path: Path) -> None:
    sandbox = sandbox_for(workspace, _env(tmp_path))
    outside = tmp_path / "outside.txt"
    line = f"echo {SECRET}; echo built > built.txt; echo x > {outside}; echo x > ../up.txt; echo x > .git/config"
    run = run_line(line, sandbox, seconds_left=lambda: 30, redact=_redact)
    assert (workspace / "built.txt").read_text() == "built\n"
    assert not outside.exists()
    assert not (workspace.parent / "up.txt").exists()
    assert SECRET not in run.output
    assert "***" in run.output


def test_setup_stops_at_the_first_failure(workspace: Path, tmp_path: Path) -> None:
    sandbox = sandbox_for(workspace, _env(tmp_path))
    runs = run_lines(["true", "false", "touch never"], sandbox, seconds_left=lambda: 30, redact=_redact,
                     stop_at_failure=True)
    assert [run.exit_code for run in runs] == [0, 1]
    assert not (workspace / "never").exists()


def test_no_time_left_runs_nothing(workspace: Path, tmp_path: Path) -> None:
    sandbox = sandbox_for(workspace, _env(tmp_path))
    run = run_line("touch ran", sandbox, seconds_left=lambda: 0.2, redact=_redact)
    assert run.exit_code is None
    assert run.timed_out
    assert not (workspace / "ran").exists()


def test_tail_keeps_the_end_and_says_what_it_left_out() -> None:
    output = "\n".join(f"line {n}" for n in range(1, 501))
    kept = tail(output, lines=10)
    assert kept.splitlines()[1:] == [f"line {n}" for n in range(491, 501)]
    dropped = len(output) - len(kept.partition("\n")[2])
    assert kept.splitlines()[0] == f"[... {dropped} earlier characters left out ...]"
    assert len(tail("x" * 50_000, chars=1000)) < 1100
    assert tail("short\noutput\n") == "short\noutput"


def test_the_failure_message_names_the_command_its_exit_code_and_its_output() -> None:
    runs = [CheckRun(command="ruff check", exit_code=0, seconds=1.0),
            CheckRun(command="pytest -q", exit_code=1, seconds=2.0, output="E   assert 2 == 3\n```\n1 failed")]
    message = failure_message(runs, 1, 2)
    assert "fix round 1 of 2" in message
    assert "`pytest -q` exited with code 1" in message
    assert "assert 2 == 3" in message
    assert "ruff check" not in message  # only what failed
    assert "````\nE   assert" in message  # a fence the output cannot close


def test_the_agent_may_run_a_verify_line_exactly_as_written(workspace: Path, tmp_path: Path) -> None:
    policy = CommandPolicy(prefixes=(), env=_env(tmp_path), checks=("echo checked | tr a-z A-Z",))
    tools = Toolbox(Workspace(workspace), commands=policy)
    assert "run_command" in tools.tools
    ran = tools.call("run_command", '{"command": "echo checked | tr a-z A-Z"}')
    assert not ran.is_error
    assert ran.output == "exit code 0\nCHECKED"
    refused = tools.call("run_command", '{"command": "echo other"}')
    assert refused.is_error
    assert "exactly 'echo checked | tr a-z A-Z'" in refused.output
