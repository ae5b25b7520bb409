"""End to end: the model endpoint a workflow gets with no secret at all (GitHub Models), and a fallback."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from prpilot.testing import openai_replies as say
from prpilot.testing.openai_server import OpenAIServer
from prpilot.testing.scenario import Bed

pytestmark = pytest.mark.e2e

FALLBACK_KEY = "sk-fallback-canary-0123456789"


def _github_models(bed: Bed) -> dict[str, str]:
    """No key and no base URL: prpilot calls GitHub Models, here the scripted server, with the github-token."""
    bed.model.api_key = bed.github.token  # the server refuses any other bearer
    bed.runner.env["PRPILOT_GITHUB_MODELS_URL"] = bed.model.base_url
    return {"openai_api_key": "", "openai_base_url": ""}


def test_github_models_needs_no_secret_and_gets_the_github_token_only(bed: Bed) -> None:
    bed.model.script(
        say.tool("read_file", {"path": "README.md"}),
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed the typo: projet -> project."),
        say.text("Fix the typo in README.md"),
    )
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.run("issue_comment", event, **_github_models(bed))

    assert result.outputs["status"] == "completed", result.logs
    assert "This project says hello." in (bed.github.read_file(bed.repo, "README.md", ref=result.outputs["branch"])
                                          or "")
    [pull] = bed.github.pulls(bed.repo)
    assert pull.title == "Fix the typo in README.md"
    token = bed.github.token
    assert len(bed.model.calls) == 4
    assert {call.headers.get("authorization") for call in bed.model.calls} == {f"Bearer {token}"}
    assert bed.model.rejected == []
    assert {call.body["model"] for call in bed.model.calls} == {"openai/gpt-4.1-mini"}
    # The one other host of the run never saw the token.
    for request in bed.billing.requests:
        assert token not in json.dumps(request.headers)
        assert token not in request.body.decode("utf-8", "replace")
    # Priced as OpenAI's gpt-4.1-mini: the router prefix is not part of the price's name.
    [bill] = bed.billing.bills
    assert bill["model"] == "openai/gpt-4.1-mini"
    assert bill["price_known"] is True
    assert float(bill["cost_usd"]) > 0


def test_github_models_refusing_the_token_is_one_sentence_naming_the_permission(bed: Bed) -> None:
    bed.model.set_policy(lambda _request, _index: say.error(403, "The `models` permission is required."))
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.run("issue_comment", event, **_github_models(bed))

    assert result.outputs["status"] == "failed"
    assert len(bed.model.calls) == 1  # a refusal is not retried
    [comment] = bed.status_comments(event["issue"]["number"])
    assert "`permissions: models: read`" in comment
    assert "Traceback" not in result.logs


def test_a_primary_failing_every_call_hands_the_task_to_the_fallback(bed: Bed) -> None:
    bed.model.script(say.tool("read_file", {"path": "README.md"}, prompt_tokens=1_000, completion_tokens=20))
    bed.model.set_policy(say.always_error(500))  # from its second call on, the primary endpoint is down
    with OpenAIServer(api_key=FALLBACK_KEY) as fallback:
        fallback.script(
            say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}, prompt_tokens=1_500,
                     completion_tokens=30),
            say.text("Fixed the typo: projet -> project.", prompt_tokens=1_700, completion_tokens=12),
            say.text("Fix the typo in README.md", prompt_tokens=90, completion_tokens=6),
        )
        event = bed.issue_comment("/pilot fix the typo in README.md")

        result = bed.run("issue_comment", event, model="gpt-4.1", fallback_model="gpt-4.1-mini",
                         fallback_base_url=fallback.base_url, fallback_api_key=FALLBACK_KEY)

    assert result.outputs["status"] == "completed", result.logs
    assert "This project says hello." in (bed.github.read_file(bed.repo, "README.md", ref=result.outputs["branch"])
                                          or "")
    # The fallback went on from where the primary was: the read_file result is in its first request.
    first = json.dumps(fallback.calls[0].messages)
    assert "This projet says hello." in first
    assert {call.body["model"] for call in fallback.calls} == {"gpt-4.1-mini"}
    [comment] = bed.status_comments(event["issue"]["number"])
    assert "`gpt-4.1` failed" in comment
    assert "500" in comment
    assert "`gpt-4.1-mini` took over" in comment
    # The bill splits the usage by model; the totals are the sum of every call either endpoint answered.
    primary_used, fallback_used = bed.model.total_usage(), fallback.total_usage()
    assert (primary_used.calls, fallback_used.calls) == (1, 3)
    [bill] = bed.billing.bills
    shares = {share["model"]: share for share in bill["models"]}
    assert set(shares) == {"gpt-4.1", "gpt-4.1-mini"}
    assert (shares["gpt-4.1"]["prompt_tokens"], shares["gpt-4.1"]["completion_tokens"]) == (1_000, 20)
    assert (shares["gpt-4.1-mini"]["prompt_tokens"], shares["gpt-4.1-mini"]["completion_tokens"]) == (3_290, 48)
    total = primary_used + fallback_used
    assert (bill["prompt_tokens"], bill["completion_tokens"]) == (total.prompt_tokens, total.completion_tokens)
    assert result.outputs["prompt-tokens"] == str(total.prompt_tokens)
    # gpt-4.1: 1,000 x $2/M + 20 x $8/M; gpt-4.1-mini: 3,290 x $0.40/M + 48 x $1.60/M.
    assert Decimal(shares["gpt-4.1"]["cost_usd"]) == Decimal("0.00216")
    assert Decimal(shares["gpt-4.1-mini"]["cost_usd"]) == Decimal("0.0013928")
    assert Decimal(bill["cost_usd"]) == Decimal(result.outputs["cost"]) == Decimal("0.0035528")
    outputs_models = {share["model"]: share for share in json.loads(result.outputs["models"])}
    assert outputs_models["gpt-4.1-mini"]["calls"] == 3
    assert Decimal(outputs_models["gpt-4.1"]["cost_usd"]) == Decimal("0.00216")
