"""The docs state facts the code decides: each is checked where it now lives."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.markdown import PAGES, ROOT, anchors, fenced_blocks, links, table

from prpilot.billing.pricing import DEFAULT_PRICES, PRICES_AS_OF
from prpilot.settings import INPUTS

DOCS = ROOT / "docs"


def _flat(path: Path) -> str:
    """The page's text with line breaks as spaces, so a fact may wrap."""
    return " ".join(path.read_text(encoding="utf-8").split())


def test_the_configuration_page_is_the_rendering_of_the_registry() -> None:
    spec = importlib.util.spec_from_file_location("render_docs", ROOT / "scripts" / "render_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (DOCS / "configuration.md").read_text(encoding="utf-8") == module.render(), (
        "run: python scripts/render_docs.py")


def test_the_configuration_page_lists_every_input_and_output() -> None:
    from prpilot.settings import OUTPUTS

    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert list(table(text, "| input | default | meaning |")) == list(INPUTS)
    assert list(table(text, "| output | meaning |")) == list(OUTPUTS)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_link_of_a_page_reaches_a_file_and_heading_that_exist(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for target in links(text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, fragment = target.partition("#")
        reached = (page.parent / path).resolve() if path else page
        assert reached.exists(), f"{page.name} links {target}, which does not exist"
        assert reached.is_relative_to(ROOT), f"{page.name} links {target}, outside the repository"
        if fragment and reached.suffix == ".md":
            assert fragment in anchors(reached.read_text(encoding="utf-8")), f"{page.name}: no heading for {target}"


def _prpilot_steps(document: Any) -> list[dict[str, Any]]:
    """Every ``uses: prpilot/action@...`` step in a parsed YAML snippet, however deep."""
    if isinstance(document, dict):
        own = [document] if str(document.get("uses", "")).startswith("prpilot/action@") else []
        return own + [step for value in document.values() for step in _prpilot_steps(value)]
    if isinstance(document, list):
        return [step for value in document for step in _prpilot_steps(value)]
    return []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_a_snippet_passes_only_inputs_the_action_declares(page: Path) -> None:
    for block in fenced_blocks(page.read_text(encoding="utf-8"), "yaml"):
        for step in _prpilot_steps(yaml.safe_load(block)):
            assert set(step.get("with") or {}) <= set(INPUTS), (page.name, step)


def test_the_price_table_is_the_built_in_one() -> None:
    text = (DOCS / "billing.md").read_text(encoding="utf-8")
    rows = table(text, "| model | input | cached input | output |")
    shown = {model: tuple(Decimal(cell) for cell in cells) for model, cells in rows.items()}
    built_in = {model: (p.input, p.cached_rate, p.output) for model, p in DEFAULT_PRICES.items()}
    assert shown == built_in
    assert f"as published on {PRICES_AS_OF}" in _flat(DOCS / "billing.md")


def test_the_limits_the_docs_state_are_the_codes() -> None:
    from prpilot.agent.loop import MAX_TOOL_CALLS_PER_REPLY
    from prpilot.agent.programs import CommandPolicy
    from prpilot.agent.prompt import MAX_HINTS
    from prpilot.agent.workspace import MAX_WRITE_BYTES

    security, usage = _flat(DOCS / "security.md"), _flat(DOCS / "usage.md")
    assert f"a reply may run at most {MAX_TOOL_CALLS_PER_REPLY} tool calls" in security
    assert MAX_WRITE_BYTES % 1_000_000 == 0
    assert f"one write holds at most {MAX_WRITE_BYTES // 1_000_000} MB" in security
    assert f"at its timeout ({CommandPolicy(prefixes=()).timeout:.0f} s," in security
    assert f"at most {MAX_HINTS:,} characters of their text in all" in usage


def test_the_change_set_review_and_hold_figures_the_docs_state_are_the_codes() -> None:
    from prpilot.agent.prompt import MAX_DIFF
    from prpilot.agent.workspace import MAX_READ_BYTES
    from prpilot.billing.hold import default_hold
    from prpilot.engine.change_rules import MAX_FILE_BYTES, MAX_FILES
    from prpilot.review.answer import MAX_SUGGESTION_LINES
    from prpilot.review.diff_tool import PAGE_LINES
    from prpilot.settings import Settings

    security, usage, billing = (_flat(DOCS / name) for name in ("security.md", "usage.md", "billing.md"))
    assert f"a file over {MAX_FILE_BYTES // 1_000_000} MB" in security
    assert f"any file past the first {MAX_FILES:,}" in security
    assert f"read at most {MAX_READ_BYTES // 1_000_000} MB of a file" in security
    assert f"{PAGE_LINES} lines at a time" in usage
    assert f"cut at {MAX_DIFF:,} characters" in usage
    assert f"up to {MAX_SUGGESTION_LINES} lines" in usage
    defaults = Settings()
    hold = default_hold(defaults.max_steps, defaults.max_output_tokens, [DEFAULT_PRICES[defaults.model]])
    assert f"({defaults.max_steps} steps, {defaults.max_output_tokens:,} tokens) on `{defaults.model}`" in billing
    assert f"a task holds ${hold.normalize()}." in billing


PYTHON_EXAMPLES = fenced_blocks((DOCS / "library.md").read_text(encoding="utf-8"), "python")


def test_the_library_page_has_its_examples() -> None:
    assert len(PYTHON_EXAMPLES) >= 2


@pytest.mark.e2e
@pytest.mark.parametrize("example", PYTHON_EXAMPLES, ids=lambda code: code.splitlines()[0])
def test_a_library_example_runs_as_written(example: str, tmp_path: Path) -> None:
    # A fresh interpreter in an empty folder: the example may rely on nothing but the package.
    done = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True, text=True,
                          check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
