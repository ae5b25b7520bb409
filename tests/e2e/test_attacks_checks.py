"""End to end: the ``setup`` and ``verify`` commands play the attacker (issue 15, on issue 14's sandbox).

The repository itself carries the attack: a pull request can change the tests that ``verify``
runs, and ``setup`` installs whatever the project's manifest says. The same canaries, attack
scripts and checks as the ``allowed-commands`` attacker tests (tests/e2e/test_attacks_commands.py):
the commands read no secret, write nothing outside the workspace, and poison no later step.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from prpilot.testing import openai_replies as say
from prpilot.testing.runner.composite import RunResult
from prpilot.testing.runner.env import parse_command_file
from prpilot.testing.scenario import API_KEY, BILLING_TOKEN, Bed

# The attack walks /proc/*/environ: the steps' processes hold the secrets as on a runner, real interpreters.
pytestmark = [pytest.mark.e2e, pytest.mark.real_interpreter]


def _sibling(name: str) -> ModuleType:
    """The attacker tests of run_command, for their canaries, scripts and checks (tests/ is no package)."""
    spec = importlib.util.spec_from_file_location(f"_attacks_{name}", Path(__file__).with_name(f"{name}.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


attacks = _sibling("test_attacks_commands")
ATTACK = "python -m unittest -v test_steal test_poison; echo attack over; exit 1"


PLANTED = (Path("/tmp/PWNED-fsmonitor"), Path("/tmp/PWNED-hook"))  # what a planted git config or hook would touch


def _stamps() -> dict[Path, int | None]:
    """When the planted programs' marks were last touched (other jobs on this machine share /tmp)."""
    return {path: path.stat().st_mtime_ns if path.exists() else None for path in PLANTED}


def _arm(bed: Bed, tmp_path: Path) -> None:
    attacks._plant_canaries(bed, tmp_path)
    bed.github.commit(bed.repo, "main", {"test_steal.py": attacks.STEAL, "test_poison.py": attacks.POISON},
                      "Add tests")


def _assert_contained(
    bed: Bed, result: RunResult, number: int, tmp_path: Path, before: dict[Path, int | None]
) -> str:
    """No secret anywhere prpilot or GitHub recorded; nothing outside the workspace written or poisoned."""
    recorded = attacks._recorded(bed, result, number)
    for where, text in recorded.items():
        for secret in (bed.github.token, API_KEY, BILLING_TOKEN, attacks.CANARY):
            for form in attacks._forms(secret):
                assert form not in text, f"a secret ({secret[:6]}...) leaked into {where}"
    for pwned in tmp_path.rglob("pwned.txt"):
        assert result.workspace in pwned.parents, pwned
    assert _stamps() == before  # no planted git config or hook ran
    assert "fsmonitor" not in (result.workspace / ".git" / "config").read_text()
    for path in (result.runner_temp / "_runner_file_commands").iterdir():
        text = path.read_text()
        assert "LD_PRELOAD" not in text, path.name
        if path.name.startswith("set_output_"):
            assert "hijacked" not in str(parse_command_file(text)), path.name
    return recorded["comments"]


def test_a_setup_command_reads_no_secret_and_writes_nothing_outside(bed: Bed, tmp_path: Path) -> None:
    _arm(bed, tmp_path)
    event = bed.issue_comment("/pilot add a test that checks the configuration")
    before = _stamps()

    result = bed.run("issue_comment", event, setup=ATTACK)

    assert result.outputs["status"] == "failed", result.logs
    assert bed.model.calls == []
    comments = _assert_contained(bed, result, event["issue"]["number"], tmp_path, before)
    assert "attack over" in comments  # the attack ran to its end, and its output is on the thread
    assert "visited" in comments


def test_a_verify_command_reads_no_secret_and_writes_nothing_outside(bed: Bed, tmp_path: Path) -> None:
    _arm(bed, tmp_path)
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed the typo."),
        say.text("The failing checks are not about my change."),
        say.text("Fix the typo"),  # the title, asked after the fix round
    )
    event = bed.issue_comment("/pilot fix the typo in README.md")
    before = _stamps()

    result = bed.run("issue_comment", event, verify=ATTACK, verify_rounds="1")

    assert result.outputs["status"] == "completed", result.logs
    assert result.outputs["verify"] == "failed"
    comments = _assert_contained(bed, result, event["issue"]["number"], tmp_path, before)
    assert "attack over" in comments
    assert "visited" in comments
    fix_request = str(bed.model.requests[-2]["messages"][-1]["content"])  # the last request is the title's
    assert "attack over" in fix_request  # the agent was shown the output: it holds no secret either
    pushed = bed.github.git(bed.repo, "log", "--all", "--name-only", "--format=")
    assert "exfil.txt" not in pushed  # what the checks wrote in the workspace is not the agent's work
