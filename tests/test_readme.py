"""The README's workflows are what a user copies: each must be a valid workflow that uses real inputs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from prpilot.billing.pricing import DEFAULT_PRICES, PRICES_AS_OF
from prpilot.settings import INPUTS

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)
WORKFLOWS = [block for block in BLOCKS if block.startswith("name:")]


def _prpilot_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])
            if str(step.get("uses", "")).startswith("prpilot/action@")]


def test_the_readme_shows_the_comment_dispatch_and_worker_workflows() -> None:
    names = [yaml.safe_load(block)["name"] for block in WORKFLOWS]
    assert {"pilot", "pilot-dispatch", "pilot-worker"} <= set(names)


@pytest.mark.parametrize("block", WORKFLOWS, ids=lambda block: block.splitlines()[0])
def test_a_readme_workflow_passes_only_inputs_the_action_declares(block: str) -> None:
    steps = _prpilot_steps(yaml.safe_load(block))
    assert steps, "every full workflow in the README runs prpilot"
    for step in steps:
        assert set(step.get("with", {})) <= set(INPUTS), step


@pytest.mark.skipif(shutil.which("check-jsonschema") is None, reason="check-jsonschema is not installed")
def test_the_readme_workflows_validate_against_the_workflow_schema(tmp_path: Path) -> None:
    files = []
    for number, block in enumerate(WORKFLOWS):
        files.append(tmp_path / f"workflow-{number}.yml")
        files[-1].write_text(block, encoding="utf-8")
    done = subprocess.run(["check-jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, files)],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


PYTHON_EXAMPLES = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.DOTALL)


def test_the_readme_has_its_library_examples() -> None:
    assert len(PYTHON_EXAMPLES) >= 2


@pytest.mark.e2e
@pytest.mark.parametrize("example", PYTHON_EXAMPLES, ids=lambda code: code.splitlines()[0])
def test_a_readme_python_example_runs_as_written(example: str, tmp_path: Path) -> None:
    # A fresh interpreter in an empty folder: the example may rely on nothing but the package.
    done = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True,
                          check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_readme_price_table_is_the_built_in_one() -> None:
    rows = re.findall(r"^\| `([^`]+)` \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$",
                      (ROOT / "README.md").read_text(encoding="utf-8"), re.MULTILINE)
    shown = {model: (Decimal(i), Decimal(c), Decimal(o)) for model, i, c, o in rows}
    built_in = {model: (p.input, p.cached_rate, p.output) for model, p in DEFAULT_PRICES.items()}
    assert shown == built_in
    assert f"as published on {PRICES_AS_OF}" in (ROOT / "README.md").read_text(encoding="utf-8")


def _table(header: str) -> dict[str, list[str]]:
    """The README table under ``header`` (its first line): first column's name -> the other cells."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = lines.index(header) + 2  # past the header and its |---| line
    rows: dict[str, list[str]] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        name, *cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows[name.strip("`")] = cells
    return rows


def test_the_readme_inputs_table_is_the_actions_inputs() -> None:
    from prpilot.settings import DEFAULTS

    # The meanings are the README's own prose (links, code spans); the names and the defaults are the action's.
    table = _table("| input | default | meaning |")
    assert list(table) == list(INPUTS)
    assert {name: cells[0].strip("`") for name, cells in table.items()} == {name: DEFAULTS[name] for name in INPUTS}


def test_the_readme_outputs_table_is_the_actions_outputs() -> None:
    from prpilot.settings import OUTPUTS

    table = _table("| output | meaning |")
    assert {name: cells[0] for name, cells in table.items()} == OUTPUTS


def test_the_limits_the_readme_states_are_the_codes() -> None:
    from prpilot.agent.commands import CommandPolicy
    from prpilot.agent.loop import MAX_TOOL_CALLS_PER_REPLY
    from prpilot.agent.prompt import MAX_HINTS
    from prpilot.agent.workspace import MAX_WRITE_BYTES

    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())  # line breaks as spaces
    assert f"a reply may run at most {MAX_TOOL_CALLS_PER_REPLY} tool calls" in text
    assert MAX_WRITE_BYTES % 1_000_000 == 0
    assert f"one write holds at most {MAX_WRITE_BYTES // 1_000_000} MB" in text
    assert f"at most {MAX_HINTS:,} characters of their text in all" in text
    assert f"at its timeout ({CommandPolicy(prefixes=()).timeout:.0f} s," in text
