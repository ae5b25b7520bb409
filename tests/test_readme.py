"""The README is a front page: short, its quickstart the example file, its links and inputs real."""

from __future__ import annotations

import re

from tests.markdown import ROOT, fenced_blocks, table

from prpilot.settings import INPUTS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_is_a_front_page_of_at_most_200_lines() -> None:
    assert len(README.splitlines()) <= 200


def test_the_readme_quickstart_is_examples_pilot_yml_verbatim() -> None:
    # The first full workflow on the page is the one a newcomer copies.
    [quickstart, *_] = [block for block in fenced_blocks(README, "yaml") if "\non:\n" in block]
    assert quickstart == (ROOT / "examples" / "pilot.yml").read_text(encoding="utf-8")


def test_the_ten_inputs_people_change_are_inputs_of_the_action_with_their_defaults() -> None:
    from prpilot.settings import DEFAULTS

    rows = table(README, "| input | what it changes |")
    assert len(rows) == 10
    assert set(rows) <= set(INPUTS)
    stated = {name: re.findall(r"\(default (\S+)\)", cells[0]) for name, cells in rows.items()}
    assert {name: found[0] for name, found in stated.items() if found} == {
        name: DEFAULTS[name] for name, found in stated.items() if found}
    assert sum(map(bool, stated.values())) >= 2


def test_the_budget_variables_feed_inputs_of_the_action_as_the_quickstart_does() -> None:
    rows = table(README, "| variable | input | meaning |")
    assert {"PRPILOT_MONTHLY_BUDGET", "PRPILOT_USER_MONTHLY_BUDGET", "PRPILOT_RATE_LIMIT"} <= set(rows)
    quickstart = (ROOT / "examples" / "pilot.yml").read_text(encoding="utf-8")
    for variable, (name, _) in rows.items():
        assert name.strip("`") in INPUTS
        assert re.search(rf"{name.strip('`')}: \$\{{\{{ vars\.{variable}\b", quickstart), variable


def test_the_readme_shows_the_try_it_locally_commands() -> None:
    shell = "\n".join(fenced_blocks(README, "sh"))
    for command in ("pip install 'prpilot[testing]' && prpilot demo", "scripts/dev.sh demo", "scripts/dev.sh test"):
        assert command in shell
    assert (ROOT / "scripts" / "dev.sh").exists()


def test_the_readme_names_the_repository_setting_every_first_user_needs() -> None:
    text = " ".join(README.split())
    assert "Settings → Actions → General → Workflow permissions" in text
    assert "Allow GitHub Actions to create and approve pull requests" in text


def test_the_readme_links_every_page_of_docs() -> None:
    linked = set(re.findall(r"\]\((docs/[^)#]+)", README))
    # pending-*.md hold notes for the merge of parallel branches, not pages for users.
    pages = {str(page.relative_to(ROOT)) for page in (ROOT / "docs").glob("*.md")
             if not page.name.startswith("pending-")}
    assert pages <= linked
