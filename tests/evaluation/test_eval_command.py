"""``prpilot eval``'s options: a wrong one is one line before any test bed starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from prpilot.cli import main
from prpilot.commands.eval import eval_main
from prpilot.errors import ConfigError


@pytest.mark.parametrize(("argv", "said"), [
    (["--runs", "0"], "--runs must be 1 or more"),
    (["--max-steps", "0"], "--max-steps must be 1 or more"),
    (["--task", "nope"], "no task named nope"),
    (["--tasks", "/nowhere"], "--tasks /nowhere: no such folder"),
])
def test_wrong_options_are_said_in_one_line(argv: list[str], said: str) -> None:
    with pytest.raises(ConfigError, match=said):
        eval_main(argv, {})


def test_a_key_variable_that_is_not_set_is_named_and_its_value_never_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["eval", "--task", "typo", "--api-key-env", "NOT_SET_HERE"])
    assert code == 1
    err = capsys.readouterr()
    assert "--api-key-env NOT_SET_HERE: that environment variable is not set or empty" in err.out + err.err
    assert "Traceback" not in err.out + err.err


def test_scripted_runs_of_a_users_tasks_need_their_scripts(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    (folder / "repo").mkdir(parents=True)
    (folder / "repo" / "a.txt").write_text("a\n")
    (folder / "task.yml").write_text("request: change a.txt\n")
    (folder / "check").write_text("#!/bin/sh\ntrue\n")
    with pytest.raises(ConfigError, match=r"--scripted right: no scripted/right.yml in mine"):
        eval_main(["--tasks", str(tmp_path), "--scripted"], {})
