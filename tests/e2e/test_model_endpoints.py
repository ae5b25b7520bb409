"""End to end: the model endpoint a workflow gets with no secret at all (GitHub Models), and a fallback."""

from __future__ import annotations

import json

import pytest

from prpilot.testing import openai_replies as say
from prpilot.testing.scenario import Bed

pytestmark = pytest.mark.e2e


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
