"""The runner's log: text prpilot prints that quotes someone else's words runs no workflow command."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from prpilot.actions.runner_commands import ActionsRunner, inert, use_logging
from prpilot.engine.working_branch import GitWork

_COMMAND = re.compile(r"^::([^:\s]+)")


def commands_run(log: str) -> list[str]:
    """The workflow commands the runner would carry out in ``log``: as it reads it, ``::stop-commands::TOKEN``
    and ``::TOKEN::`` included (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions)."""
    run: list[str] = []
    stopped = ""
    for line in log.splitlines():
        line = line.lstrip()
        if stopped:
            stopped = "" if line == f"::{stopped}::" else stopped
            continue
        if line.startswith("::stop-commands::"):
            stopped = line.removeprefix("::stop-commands::")
            continue
        if (found := _COMMAND.match(line)) is not None or "##[" in line:
            run.append(found.group(1) if found else line)
    return run


def test_inert_leaves_plain_text_alone_and_fences_what_reads_as_a_command() -> None:
    assert inert("left out of the commit: notes.md") == "left out of the commit: notes.md"
    for text in ("::add-mask::x", "a\n  ::set-output name=ended::true", "see ##[error]here"):
        fenced = inert(text)
        assert text in fenced
        assert commands_run(fenced) == []
        assert commands_run(text) != []


def test_a_path_the_agent_chose_writes_no_workflow_command_into_the_runner_log(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A path holds any byte but NUL (a command writes anything): one with a newline in it, logged as it is, starts
    a line of its own that the runner takes for a workflow command (it reads stdout and stderr alike)."""
    path = ".github/workflows/x\n::set-output name=ended::true\n.yml"  # left out without allow-workflow-edits
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    root.handlers = []
    try:
        use_logging({"GITHUB_ACTIONS": "true"})  # the step's logging, as the engine sets it up on a runner
        work = GitWork(checkout=SimpleNamespace(root=tmp_path), github=None, run_url="")  # type: ignore[arg-type]
        assert work.allowed([path]) == []
        ActionsRunner({"GITHUB_ACTIONS": "true"}).info(f"prpilot: {path}")
    finally:
        for handler in root.handlers:
            handler.flush()
        root.handlers = saved[0]
        root.setLevel(saved[1])
    said = capsys.readouterr()
    log = said.out + said.err
    assert "left out of the commit" in log
    assert "::set-output name=ended::true" in log  # said, not run
    assert commands_run(log) == []
