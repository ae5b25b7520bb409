"""A workflow file read for one event: which prpilot steps run, and with which inputs."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from prpilot.testing.runner.workflow import PilotStep, pilot_steps

WORKFLOW = yaml.safe_load("""\
name: pilot
on:
  issue_comment:
    types: [created]
  workflow_dispatch:
jobs:
  pilot:
    if: github.event_name == 'workflow_dispatch' || contains(github.event.comment.body, '/pilot')
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - uses: prpilot/action@v1
        with:
          model: ${{ vars.PRPILOT_MODEL || 'gpt-5-mini' }}
          monthly-budget: ${{ vars.PRPILOT_MONTHLY_BUDGET }}
          openai-api-key: ${{ secrets.OPENAI_API_KEY }}
          max-steps: 12
  other:
    runs-on: ubuntu-latest
    steps:
      - run: echo not prpilot
""")


def _comment(body: str, action: str = "created") -> dict[str, Any]:
    return {"action": action, "comment": {"body": body}}


def test_a_comment_runs_the_step_with_variables_and_secrets_spliced_in() -> None:
    steps = pilot_steps(WORKFLOW, "issue_comment", _comment("/pilot fix it"),
                        variables={"PRPILOT_MONTHLY_BUDGET": "25"}, secrets={"OPENAI_API_KEY": "sk-1"})

    assert steps == [PilotStep(job="pilot", inputs={"model": "gpt-5-mini", "monthly-budget": "25",
                                                    "openai-api-key": "sk-1", "max-steps": "12"})]


def test_a_set_variable_wins_over_the_workflows_fallback() -> None:
    [step] = pilot_steps(WORKFLOW, "issue_comment", _comment("/pilot x"), variables={"PRPILOT_MODEL": "o3"})
    assert step.inputs["model"] == "o3"


@pytest.mark.parametrize(
    ("event_name", "payload"),
    [
        ("issue_comment", _comment("thanks!")),  # the job's if: skips it
        ("issue_comment", _comment("/pilot x", action="edited")),  # not a listed activity type
        ("issues", {"action": "opened"}),  # not a trigger of this workflow
    ],
)
def test_an_event_the_workflow_does_not_serve_runs_no_step(event_name: str, payload: dict[str, Any]) -> None:
    assert pilot_steps(WORKFLOW, event_name, payload) == []


def test_a_trigger_without_types_takes_every_activity() -> None:
    [step] = pilot_steps(WORKFLOW, "workflow_dispatch", {"inputs": {"request": "x"}})
    assert step.job == "pilot"
