"""A step forked by Prefork sees what a fresh interpreter running the same script would see.

The e2e tests run the action's steps through :class:`Prefork` (tests/e2e/conftest.py), so a
difference here would be a difference between the tests and a runner. The same probe script runs
under ``sys.executable`` and under the Prefork's client, from the same bash, working directory,
environment and stdin; what it reports must be equal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from prpilot.testing.runner.prefork import Prefork

PROBE = r'''
import json, os, sys
import probe_helper  # beside the script: found through sys.path[0], as `python SCRIPT` puts it there

def stream(s):
    return {"encoding": s.encoding, "errors": s.errors, "line_buffering": s.line_buffering,
            "write_through": s.write_through, "raw": type(s.buffer).__name__}

print(json.dumps({
    "env": dict(os.environ), "cwd": os.getcwd(), "argv": sys.argv, "name": __name__, "file": __file__,
    "path0": sys.path[0], "cwd_on_path": "" in sys.path or os.getcwd() in sys.path,
    "stdin": sys.stdin.read(), "stdout": stream(sys.stdout), "stderr": stream(sys.stderr),
    "helper": probe_helper.WHERE,
}))
print("to stderr", file=sys.stderr)
sys.exit(int(sys.argv[1]) if sys.argv[1].isdigit() else sys.argv[1])
'''


@pytest.fixture(scope="module")
def prefork(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prefork]:
    with Prefork(tmp_path_factory.mktemp("prefork")) as started:
        yield started


def _run(python: str, script: Path, cwd: Path, env: dict[str, str], argument: str) -> tuple[int, dict[str, Any], str]:
    """Run ``script`` the way a step does: bash ``exec``s the interpreter with stdin from a file."""
    stdin = cwd / "stdin.txt"
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", f'exec "$0" "$1" "$2" < {stdin}',
         python, str(script), argument],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    first, _, _ = done.stdout.partition("\n")
    return done.returncode, json.loads(first), done.stderr


@pytest.fixture
def step(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    action = tmp_path / "action"
    action.mkdir()
    (action / "probe.py").write_text(PROBE)
    (action / "probe_helper.py").write_text("WHERE = 'beside the script'\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / "probe_helper.py").write_text("WHERE = 'the working directory'\n")  # must never be imported
    (work / "stdin.txt").write_text("from stdin\n")
    env = {**os.environ, "INPUT_SOMETHING": "a value", "GITHUB_OUTPUT": str(tmp_path / "out"), "EMPTY": ""}
    env.pop("PWD", None)
    return action / "probe.py", work, env


@pytest.mark.parametrize("argument", ["0", "3"])
def test_a_forked_step_sees_the_environment_cwd_and_streams_of_a_fresh_interpreter(
    prefork: Prefork, step: tuple[Path, Path, dict[str, str]], argument: str
) -> None:
    script, work, env = step

    real = _run(sys.executable, script, work, env, argument)
    forked = _run(str(prefork.python), script, work, env, argument)

    assert real[1]["helper"] == "beside the script"
    assert real[1]["env"]["INPUT_SOMETHING"] == "a value"
    _assert_same(forked, real)


def test_an_exit_with_a_message_says_it_on_stderr_and_exits_1(
    prefork: Prefork, step: tuple[Path, Path, dict[str, str]]
) -> None:
    script, work, env = step

    real = _run(sys.executable, script, work, env, "the step failed")
    forked = _run(str(prefork.python), script, work, env, "the step failed")

    assert real[0] == 1
    assert real[2] == "to stderr\nthe step failed\n"
    _assert_same(forked, real)


def _assert_same(forked: tuple[int, dict[str, Any], str], real: tuple[int, dict[str, Any], str]) -> None:
    code, report, stderr = forked
    assert (code, stderr) == (real[0], real[2])
    assert sorted(report) == sorted(real[1])
    for key, value in real[1].items():
        if key == "env":
            assert {k: v for k, v in report["env"].items() if v != value.get(k)} == {}
            assert set(report["env"]) == set(value)
        else:
            assert report[key] == value, key
