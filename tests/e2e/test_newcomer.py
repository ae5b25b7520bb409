"""A newcomer's first run: the README's quickstart, copied as it stands, on the test bed.

The workflow and the first comment come out of README.md (the workflow must be examples/pilot.yml
verbatim); the runner simulator reads the workflow for that comment (its triggers, the job's `if:`,
the prpilot step's `with:` over the repository's variables) and runs the action with exactly those
inputs. No key and no base URL: the no-secret default endpoint, here the scripted model.
"""

from __future__ import annotations

import yaml
from tests.markdown import ROOT, fenced_blocks

from prpilot.testing import openai_replies as say
from prpilot.testing.runner.workflow import pilot_steps
from prpilot.testing.scenario import Bed

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _point_the_no_secret_default_at_the_scripted_model(bed: Bed) -> None:
    """The default endpoint takes the workflow's own token as its key; the scripted server refuses any other."""
    # The one place to re-point when the default endpoint's variable changes (Copilot requests in 1.0).
    bed.model.api_key = bed.github.token
    bed.runner.env["PRPILOT_GITHUB_MODELS_URL"] = bed.model.base_url


def test_the_readme_quickstart_runs_as_copied(bed: Bed) -> None:
    [workflow_text, *_] = [block for block in fenced_blocks(README, "yaml") if "\non:\n" in block]
    assert workflow_text == (ROOT / "examples" / "pilot.yml").read_text(encoding="utf-8")
    [first_comment, *_] = fenced_blocks(README, "")
    assert first_comment.startswith("/pilot ")
    _point_the_no_secret_default_at_the_scripted_model(bed)
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed the typo: projet -> project."),
        say.text("Fix the typo in README.md"),
    )
    event = bed.issue_comment(first_comment.strip())
    # The repository set one of the README's variables and left the others unset.
    [step] = pilot_steps(yaml.safe_load(workflow_text), "issue_comment", event,
                         variables={"PRPILOT_MONTHLY_BUDGET": "5"}, repository=bed.repo)
    assert step.inputs == {"model": "gpt-5-mini", "monthly-budget": "5", "user-monthly-budget": "", "rate-limit": ""}

    result = bed.runner.run("issue_comment", event, step.inputs)

    assert result.outputs["status"] == "completed", result.logs
    [pull] = bed.github.pulls(bed.repo)
    assert pull.title == "Fix the typo in README.md"
    changed = bed.github.read_file(bed.repo, "README.md", ref=result.outputs["branch"])
    assert "This project says hello." in (changed or "")
    [answer] = bed.status_comments(event["issue"]["number"])
    assert answer.startswith("<!-- prpilot:status -->\n✅ Done")
    assert f"/pull/{pull.number}" in answer
    # No secret: every model call carried the workflow's token, for the quickstart's model.
    assert len(bed.model.calls) == 3
    assert {call.headers.get("authorization") for call in bed.model.calls} == {f"Bearer {bed.github.token}"}
    assert {call.body["model"].split("/")[-1] for call in bed.model.calls} == {"gpt-5-mini"}
    # A budget needs a price: the quickstart's model has one, so the task was admitted and billed.
    assert 0 < float(result.outputs["cost"]) < 5


def test_the_thread_the_readme_shows_is_the_one_the_test_bed_writes(bed: Bed) -> None:
    # The README's picture: `prpilot demo`'s request and scripted model, with the quickstart's model.
    bed.inputs["model"] = "gpt-5-mini"
    bed.model.script(
        say.tool("search_code", {"pattern": "projet"}),
        say.tool("read_file", {"path": "README.md"}),
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed the typo in README.md: *projet* is now *project*."),
        say.text("Fix the typo in README.md"),
    )
    event = bed.issue_comment("/pilot fix the typo in README.md")

    assert bed.run("issue_comment", event).outputs["status"] == "completed"

    [written] = bed.status_comments(event["issue"]["number"])
    # What a reader sees: the comment without its hidden markers, on github.com instead of the test bed.
    visible = "\n".join(line for line in written.splitlines() if not line.startswith("<!-- prpilot:"))
    visible = visible.replace(bed.github.server_url, "https://github.com").strip()
    quoted = README.split("> **github-actions[bot]** commented:\n>\n", 1)[1].split("\n\n", 1)[0]
    shown = "\n".join(line.removeprefix(">").removeprefix(" ") for line in quoted.splitlines())
    assert shown == visible
