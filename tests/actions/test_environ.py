"""The step processes forget their secrets: not in os.environ, not in /proc/<pid>/environ either."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from prpilot.actions.environ import forget_secrets, is_secret_name

CANARY = "ghs_canary0123456789abcdef"

# Runs the engine step's entry point in a process of its own, then shows what /proc says of it.
_ENGINE_THEN_SHOW = """
import json, os, sys
from prpilot.cli import main
code = main(["engine"])  # fails at once (no task file): the secrets must be gone all the same
print(json.dumps({"code": code, "proc": open("/proc/self/environ", "rb").read().decode(errors="replace"),
                  "environ": dict(os.environ)}))
"""


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("INPUT_GITHUB-TOKEN", True),
        ("INPUT_OPENAI-API-KEY", True),
        ("INPUT_BILLING-TOKEN", True),
        ("INPUT_MODEL", True),
        ("GITHUB_TOKEN", True),
        ("ACTIONS_RUNTIME_TOKEN", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("PATH", False),
        ("GITHUB_WORKSPACE", False),
        ("RUNNER_TEMP", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_forget_secrets_of_a_mapping() -> None:
    env = {"INPUT_GITHUB-TOKEN": CANARY, "PATH": "/usr/bin"}
    assert forget_secrets(env) == ["INPUT_GITHUB-TOKEN"]
    assert env == {"PATH": "/usr/bin"}


@pytest.mark.skipif(not os.path.exists("/proc/self/environ"), reason="Linux only")
def test_the_engine_step_keeps_no_secret_in_its_process_environment(tmp_path: os.PathLike[str]) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "INPUT_GITHUB-TOKEN": CANARY,
        "INPUT_OPENAI-API-KEY": CANARY + "-openai",
        "INPUT_BILLING-TOKEN": CANARY + "-billing",
        "ACTIONS_RUNTIME_TOKEN": CANARY + "-runtime",
        "GITHUB_OUTPUT": str(os.path.join(tmp_path, "out")),
        "GITHUB_STEP_SUMMARY": str(os.path.join(tmp_path, "summary")),
    }
    done = subprocess.run([sys.executable, "-c", _ENGINE_THEN_SHOW], env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    shown = json.loads(done.stdout.splitlines()[-1])
    assert shown["code"] != 0  # no task file: the step refused, as it should
    assert CANARY not in shown["proc"]
    assert CANARY not in json.dumps(shown["environ"])
    assert "PATH=" in shown["proc"]  # the rest of the environment is untouched
