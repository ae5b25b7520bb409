"""End to end: output-schema holds the final answer to a JSON Schema and sets structured-output."""

from __future__ import annotations

import json

import pytest

from prpilot.testing import openai_replies as say
from prpilot.testing.scenario import Bed

pytestmark = pytest.mark.e2e

SCHEMA = {"type": "object", "required": ["labels"],
          "properties": {"labels": {"type": "array", "items": {"enum": ["bug", "docs", "feature"]}}}}


def test_a_valid_final_answer_sets_structured_output(bed: Bed) -> None:
    bed.inputs["output-schema"] = json.dumps(SCHEMA)
    bed.model.script(
        # the reply that calls a tool says something that is not JSON: only the final answer is checked
        say.tools([("read_file", {"path": "README.md"})], content="Let me look first."),
        say.text('Here:\n```json\n{"labels": ["docs"]}\n```'),
    )

    result = bed.run("issue_comment", bed.issue_comment("/pilot triage this issue"))

    assert result.outputs["status"] == "completed", result.logs
    assert result.outputs["structured-output"] == '{"labels":["docs"]}'
    assert len(bed.model.calls) == 2


def test_an_invalid_answer_gets_one_repair_turn_then_fails_naming_the_error(bed: Bed) -> None:
    bed.inputs["output-schema"] = json.dumps(SCHEMA)
    bed.model.script(say.text('{"labels": ["urgent"]}'), say.text('{"labels": ["still-urgent"]}'))

    event = bed.issue_comment("/pilot triage this issue")

    result = bed.run("issue_comment", event)

    assert result.outputs["status"] == "failed", result.logs
    assert result.outputs["structured-output"] == ""
    assert len(bed.model.calls) == 2
    repair = bed.model.requests[1]["messages"][-1]["content"]
    assert "'urgent' is not one of ['bug', 'docs', 'feature']" in repair
    [status] = bed.status_comments(event["issue"]["number"])
    assert "does not match output-schema" in status
    assert "'still-urgent' is not one of" in status
    assert "Traceback" not in result.logs
