"""The ``prpilot`` console script as a person meets it: its help, its verbs, its exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from prpilot.cli import VERBS

PRPILOT = Path(sys.executable).with_name("prpilot")


def _prpilot(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # A bare environment: nothing of the Actions run a step would need, so a step that ran would fail or write.
    return subprocess.run([str(PRPILOT), *args], cwd=cwd, env={"PATH": "/usr/bin:/bin", **(env or {})},
                          capture_output=True, text=True, timeout=60, check=False)


def test_help_lists_the_user_verbs_first_and_no_step(tmp_path: Path) -> None:
    done = _prpilot("--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    listed = [line.split()[0] for line in done.stdout.split("commands:\n")[1].split("\n\n")[0].splitlines()]
    assert listed[:4] == ["demo", "eval", "spend", "worker"]
    assert not {"acknowledge", "schedule", "engine", "finish", "fetch-uv", "run"} & set(listed)
    assert "2  bad usage" in done.stdout


@pytest.mark.parametrize("verb", [verb.name for verb in VERBS])
def test_every_verb_answers_help_without_doing_anything(verb: str, tmp_path: Path) -> None:
    outputs, summary = tmp_path / "output", tmp_path / "summary"
    work = tmp_path / "cwd"
    work.mkdir()
    done = _prpilot(verb, "--help", cwd=work, env={
        "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_EVENT_PATH": str(tmp_path / "e"),
        "INPUT_GITHUB-TOKEN": "ghs_not_used", "PRPILOT_TASK_FILE": str(tmp_path / "task.json"),
    })
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"usage: prpilot {verb} ")
    assert "``" not in done.stdout
    assert "exit codes:" in done.stdout
    assert done.stderr == ""
    assert not outputs.exists()
    assert not summary.exists()
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("verb", [verb.name for verb in VERBS if verb.hidden])
def test_a_step_verb_is_still_callable_and_refuses_arguments(verb: str, tmp_path: Path) -> None:
    done = _prpilot(verb, "--frobnicate", cwd=tmp_path)
    assert done.returncode == 2
    assert "unrecognized arguments: --frobnicate" in done.stderr or "the following arguments are required" \
        in done.stderr


def test_an_unknown_verb_says_so_and_exits_2(tmp_path: Path) -> None:
    done = _prpilot("nosuch", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("prpilot: unknown command 'nosuch'")
    assert done.stdout == ""


def test_no_verb_is_bad_usage(tmp_path: Path) -> None:
    done = _prpilot(cwd=tmp_path)
    assert done.returncode == 2
    assert "no command given" in done.stderr


def test_version_prints_the_packages_version(tmp_path: Path) -> None:
    from prpilot import __version__

    assert _prpilot("version", cwd=tmp_path).stdout.strip() == __version__
    assert _prpilot("--version", cwd=tmp_path).stdout.strip() == __version__


def test_the_worker_answers_help_without_its_redis_extra(tmp_path: Path) -> None:
    # sys.modules["redis"] = None makes `import redis` fail, as without `pip install 'prpilot[redis]'`.
    code = "import sys; sys.modules['redis'] = None; from prpilot.cli import main; sys.exit(main(sys.argv[1:]))"
    helped = subprocess.run([sys.executable, "-c", code, "worker", "--help"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60, check=False)
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: prpilot worker ")
    ran = subprocess.run([sys.executable, "-c", code, "worker", "--burst"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60, check=False)
    assert ran.returncode == 1
    assert "the Redis queue needs its client: pip install 'prpilot[redis]'" in ran.stderr
