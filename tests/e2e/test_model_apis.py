"""End to end through the action: the Responses API, the output bound, a gone endpoint, the default model.

And the quickstart workflow (examples/pilot.yml, which the README shows), run as written against the fake Copilot API.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from prpilot.settings import DEFAULTS
from prpilot.testing import openai_replies as say
from prpilot.testing.runner.expressions import interpolate
from prpilot.testing.scenario import Bed

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
# The quickstart a user copies (the README shows it verbatim: tests/e2e/test_newcomer.py checks that).
# first_workflow also reads a Markdown page's first ```yaml block, should the quickstart move back into one.
QUICKSTART = ROOT / "examples" / "pilot.yml"


def first_workflow(path: Path) -> dict[str, Any]:
    """The workflow in ``path``: a YAML file as a whole, or a Markdown file's first ```yaml block."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        text = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)[0]
    workflow = yaml.safe_load(text)
    assert isinstance(workflow, dict)
    return workflow


def _typo_script(bed: Bed, **usage: int) -> None:
    bed.model.script(
        say.tool("read_file", {"path": "README.md"}, **usage),
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}, **usage),
        say.text("Fixed the typo: projet -> project.", **usage),
        say.text("Fix the typo in README.md", **usage),
    )


def _fixed(bed: Bed, branch: str) -> bool:
    return "This project says hello." in (bed.github.read_file(bed.repo, "README.md", ref=branch) or "")


@pytest.mark.parametrize(
    ("inputs", "model"),
    [({"model_api": "responses", "model": "gpt-5-mini"}, "gpt-5-mini"), ({"model": "gpt-5.3-codex"}, "gpt-5.3-codex")],
    ids=["model-api responses", "auto with gpt-5.3-codex"],
)
def test_the_responses_api_does_the_task_and_bills_exactly_what_it_served(
    bed: Bed, inputs: dict[str, str], model: str
) -> None:
    _typo_script(bed, prompt_tokens=2_000, cached_tokens=1_280, completion_tokens=40)
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.run("issue_comment", event, max_output_tokens="4000", **inputs)

    assert result.outputs["status"] == "completed", result.logs
    assert _fixed(bed, result.outputs["branch"])
    assert {call.api for call in bed.model.calls} == {"responses"}  # never /chat/completions
    assert {call.body["model"] for call in bed.model.calls} == {model}
    assert all(call.body["store"] is False and call.body["max_output_tokens"] == 4000 for call in bed.model.calls)
    served = bed.model.total_usage()
    assert (served.prompt_tokens, served.cached_tokens, served.completion_tokens) == (8_000, 5_120, 160)
    outputs = (result.outputs["prompt-tokens"], result.outputs["cached-tokens"], result.outputs["completion-tokens"])
    assert outputs == ("8000", "5120", "160")
    [bill] = bed.billing.bills
    assert (bill["prompt_tokens"], bill["cached_tokens"], bill["completion_tokens"]) == (8_000, 5_120, 160)
    assert bill["model"] == model
    assert bill["billed_to"] is None  # a key of its own: its account pays
    assert Decimal(bill["cost_usd"]) == Decimal(result.outputs["cost"]) > 0


def test_every_agent_request_carries_the_default_output_bound_and_no_model_input_means_the_default(bed: Bed) -> None:
    del bed.inputs["model"]
    _typo_script(bed)
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.run("issue_comment", event)

    assert result.outputs["status"] == "completed", result.logs
    assert len(bed.model.calls) == 4
    assert {call.body["max_completion_tokens"] for call in bed.model.calls} == {int(DEFAULTS["max-output-tokens"])}
    assert {call.body["model"] for call in bed.model.calls} == {"gpt-5-mini"}
    [bill] = bed.billing.bills
    assert bill["model"] == "gpt-5-mini"
    assert bill["price_known"] is True
    assert Decimal(result.outputs["cost"]) > 0


def test_a_reply_cut_at_the_bound_ends_the_task_and_the_thread_says_so(bed: Bed) -> None:
    bed.model.script(replace(say.text("The README has a typo in the first"), finish_reason="length"))
    event = bed.issue_comment("/pilot what is wrong in README.md?")

    result = bed.run("issue_comment", event, max_output_tokens="12")

    assert result.outputs["status"] == "completed", result.logs
    assert bed.model.requests[0]["max_completion_tokens"] == 12
    [comment] = bed.status_comments(event["issue"]["number"])
    assert "The README has a typo in the first" in comment
    assert "cut at the max-output-tokens bound" in comment


def test_an_endpoint_that_is_gone_fails_in_one_sentence_without_retries(bed: Bed) -> None:
    bed.model.set_policy(lambda _request, _index: say.error(410, "The GitHub Models API has been retired."))
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.run("issue_comment", event)

    assert result.outputs["status"] == "failed"
    assert len(bed.model.calls) == 1
    [comment] = bed.status_comments(event["issue"]["number"])
    assert "this endpoint is retired and gone; use another one" in comment
    assert "overloaded or down" not in comment
    assert "Traceback" not in result.logs


def test_the_quickstart_workflow_runs_as_written_on_copilot_requests(bed: Bed) -> None:
    workflow = first_workflow(QUICKSTART)
    assert workflow["permissions"]["copilot-requests"] == "write"
    assert "models" not in workflow["permissions"]
    assert "secrets." not in json.dumps(workflow)  # no secret to set up
    [step] = [s for job in workflow["jobs"].values() for s in job["steps"] if "prpilot/action@" in s.get("uses", "")]
    # No repository variables set: every `${{ vars.X || default }}` falls back to what the README shows.
    inputs = {name: interpolate(str(value), {"vars": {}}) for name, value in step.get("with", {}).items()}
    assert inputs["model"] == "gpt-5-mini"
    bed.use_copilot()
    _typo_script(bed)
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.runner.run("issue_comment", event, inputs)

    assert result.outputs["status"] == "completed", result.logs
    assert _fixed(bed, result.outputs["branch"])
    assert {call.headers.get("authorization") for call in bed.model.calls} == {f"Bearer {bed.github.token}"}
    assert bed.model.rejected == []
    assert Decimal(result.outputs["cost"]) > 0


def test_the_demo_runs_the_no_secret_copilot_path(capsys: pytest.CaptureFixture[str]) -> None:
    from prpilot.commands.demo import demo_main

    assert demo_main([], {}) == 0  # no OPENAI_API_KEY in its environment
    shown = capsys.readouterr().out
    assert "as the Copilot API with the workflow's token" in shown
    assert "'model': 'gpt-5-mini'" in shown
    assert "'billed_to': 'copilot'" in shown
    assert "billed to the organization's Copilot plan" in shown  # the thread's cost line


def test_eval_speaks_the_responses_api_to_any_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, steps_python: str
) -> None:
    from prpilot.commands.eval import eval_main
    from prpilot.testing.openai_server import OpenAIServer

    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    with OpenAIServer(api_key="sk-eval-0123456789") as server:
        server.set_policy(lambda _request, _index: say.text("I looked; nothing to change."))
        code = eval_main(["--base-url", server.base_url, "--api-key-env", "EVAL_KEY", "--model", "gpt-5.4",
                          "--model-api", "responses", "--task", "question", "--json", str(tmp_path / "r.json")],
                         {**os.environ, "EVAL_KEY": "sk-eval-0123456789"}, steps_python=steps_python)
        apis = {call.api for call in server.calls}
    assert code == 0
    assert apis == {"responses"}
    [row] = json.loads((tmp_path / "r.json").read_text())["scaffolds"][0]["results"]
    assert row["model_calls"] >= 1
