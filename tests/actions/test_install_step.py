"""The action's first two steps, run as the runner runs them: bash, their scripts from action.yml, real pip and uv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
STEPS = {step["id"]: step for step in yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]}
INSTALL = STEPS["install"]


def _run_install(tmp_path: Path, path: str, action_path: Path, *, step: str = "install",
                 **env: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run the step's script with bash as the runner does (``bash --noprofile --norc -eo pipefail``)."""
    script, output, temp = tmp_path / "install.sh", tmp_path / "output", tmp_path / "runner-temp"
    script.write_text(STEPS[step]["run"])
    output.touch()
    temp.mkdir(exist_ok=True)
    done = subprocess.run(
        [shutil.which("bash") or "/bin/bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env={"PATH": path, "HOME": str(tmp_path), "RUNNER_TEMP": str(temp), "GITHUB_OUTPUT": str(output),
             "GITHUB_ACTION_PATH": str(action_path), **env},
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    return done, output.read_text()


def test_an_old_python_is_one_error_that_says_what_to_add() -> None:
    # ubuntu-22.04's interpreter, as far as entrypoint.py can tell: it says so before importing anything.
    pretend = ("import runpy, sys; sys.version_info = (3, 10, 12, 'final', 0); "
               f"sys.argv = ['entrypoint.py', 'acknowledge']; runpy.run_path({str(ROOT / 'entrypoint.py')!r}, "
               "run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", pretend], capture_output=True, text=True, check=False, timeout=60)

    assert done.returncode == 1
    assert done.stdout.strip() == (
        "::error title=prpilot::prpilot needs Python 3.11 or newer on the runner, and this one has Python 3.10.12. "
        "Add actions/setup-python with python-version: '3.12' before the prpilot step."
    )


def test_no_python3_at_all_is_one_error_that_says_what_to_add(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()  # bash finds no python3 here

    done, output = _run_install(tmp_path, str(bin_dir), ROOT, step="acknowledge")

    assert done.returncode == 1
    assert done.stdout.startswith("::error title=prpilot::prpilot needs Python 3.11 or newer on the runner, and "
                                  "this one has no python3. Add actions/setup-python")
    assert output == ""


def test_an_interpreter_brought_by_the_runner_is_used_as_it_is(tmp_path: Path) -> None:
    done, output = _run_install(tmp_path, "/usr/bin:/bin", ROOT, PRPILOT_PYTHON="/opt/prpilot/bin/python")

    assert done.returncode == 0, done.stderr
    assert output == "python=/opt/prpilot/bin/python\n"


def _python_dir() -> str:
    return str(Path(shutil.which("python3") or sys.executable).parent)


@pytest.mark.slow
def test_a_failed_pip_install_says_so_in_one_error(tmp_path: Path) -> None:
    not_a_project = tmp_path / "empty-action"
    not_a_project.mkdir()

    done, output = _run_install(tmp_path, f"{_python_dir()}:/usr/bin:/bin", not_a_project)

    assert done.returncode == 1
    assert "::error title=prpilot::could not install prpilot's locked dependencies into" in done.stdout
    assert output == ""


@pytest.mark.slow
def test_the_step_installs_prpilot_from_the_action_checkout(tmp_path: Path) -> None:
    # The action as `uses:` fetches it: the repository's files, without this checkout's build leftovers.
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.split()
    action = tmp_path / "action"
    for name in listed:
        if (ROOT / name).is_file():
            (action / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, action / name)
    pip_cache = os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip"))
    # A machine behind a TLS-inspecting proxy names its CA here; without it uv cannot reach the index at all.
    tls = {"SSL_CERT_FILE": os.environ["SSL_CERT_FILE"]} if "SSL_CERT_FILE" in os.environ else {}

    done, output = _run_install(tmp_path, f"{_python_dir()}:/usr/bin:/bin", action, PIP_CACHE_DIR=pip_cache, **tls)

    assert done.returncode == 0, done.stdout + done.stderr
    assert output.startswith("python=")
    assert "fresh=true\n" in output
    python = output.splitlines()[0].removeprefix("python=").strip()
    # The steps' code paths import from the action's source with exactly the locked set, fixtures and all.
    source = str(action / "src")
    check = subprocess.run(
        [python, "-c", f"import sys; sys.path.insert(0, {source!r}); import prpilot.actions.schedule_step, "
                       "prpilot.agent.openai_model, prpilot.github.rest, prpilot.testing.webhooks as w; "
                       "print(w.fixtures_dir().is_dir())"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "True"

    # A warm cache (a self-hosted runner's, or actions/cache's) installs the same set without the network.
    shutil.rmtree(tmp_path / "runner-temp")
    nowhere = {name: "http://127.0.0.1:9" for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")}
    done, output = _run_install(tmp_path, f"{_python_dir()}:/usr/bin:/bin", action, PIP_CACHE_DIR=pip_cache,
                                **tls, **nowhere)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "installing with pip instead" not in done.stdout, done.stdout + done.stderr
    assert output.startswith("python=")


@pytest.mark.parametrize(("fresh", "written"), [("true", "1"), ("", "")])
def test_a_fresh_venv_writes_no_bytecode_and_a_brought_interpreter_keeps_the_users_setting(
        tmp_path: Path, fresh: str, written: str) -> None:
    # The run step's script, with a stand-in interpreter that says what it was given.
    python = tmp_path / "python"
    python.write_text('#!/bin/sh\necho "PYTHONDONTWRITEBYTECODE=${PYTHONDONTWRITEBYTECODE:-}"\n')
    python.chmod(0o755)

    done, _ = _run_install(tmp_path, "/usr/bin:/bin", ROOT, step="run", PRPILOT_PYTHON=str(python),
                           PRPILOT_FRESH_VENV=fresh)

    assert done.returncode == 0, done.stderr
    assert done.stdout == f"PYTHONDONTWRITEBYTECODE={written}\n"


[SANDBOX] = [step for step in yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
             if step["id"] == "sandbox"]


def _run_sandbox_step(tmp_path: Path, path: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "sandbox.sh"
    script.write_text(SANDBOX["run"])
    bash = shutil.which("bash") or "/bin/bash"
    return subprocess.run([bash, "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                          env={"PATH": path, "HOME": str(tmp_path)}, capture_output=True, text=True, timeout=120,
                          check=False)


def test_the_sandbox_step_runs_only_with_commands_to_run() -> None:
    assert SANDBOX["if"] == ("steps.acknowledge.outputs.proceed == 'true' && (inputs.allowed-commands != '' "
                             "|| inputs.setup != '' || inputs.verify != '')")


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap (scripts/dev.sh installs it)")
def test_a_working_sandbox_needs_nothing_more(tmp_path: Path) -> None:
    done = _run_sandbox_step(tmp_path, "/usr/bin:/bin")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


def test_no_sandbox_to_be_had_is_one_warning_not_a_failure(tmp_path: Path) -> None:
    # A runner without bwrap, apt-get or sudo: the job goes on, and the agent's commands will be refused.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("cat", "id", "readlink", "true"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    done = _run_sandbox_step(tmp_path, str(bin_dir))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("::warning title=prpilot::commands are configured, but no bubblewrap sandbox")
    assert done.stdout.count("::warning") == 1
