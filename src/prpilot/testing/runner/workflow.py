"""Read a workflow file as the runner would for one event: its triggers, the job's ``if:``, the action's ``with:``.

What comes out is the inputs the prpilot step would get, ready for ``Runner.run``; the steps before
it (actions/checkout, setup-python...) are the simulator's own checkout or the runner's tools. See
https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prpilot.testing.runner.expressions import JobStatus, evaluate_if, interpolate

__all__ = ["PilotStep", "pilot_steps"]

ACTION = "prpilot/action@"


@dataclass(frozen=True)
class PilotStep:
    """The prpilot step of one job that runs for the event, with its ``with:`` evaluated."""

    job: str
    inputs: dict[str, str]


def pilot_steps(
    workflow: Mapping[str, Any],
    event_name: str,
    payload: Mapping[str, Any],
    *,
    variables: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
    repository: str = "",
    actor: str = "",
) -> list[PilotStep]:
    """Every prpilot step the workflow runs for this event (none when it does not trigger or its jobs skip)."""
    if not _triggers(workflow, event_name, payload):
        return []
    contexts: dict[str, Any] = {
        "github": {"event_name": event_name, "event": payload, "repository": repository, "actor": actor},
        "vars": dict(variables or {}),  # an unset variable is '' (null), as on GitHub
        "secrets": dict(secrets or {}),
        "inputs": payload.get("inputs") or {},
    }
    found = []
    for name, job in (workflow.get("jobs") or {}).items():
        if not evaluate_if(job.get("if"), contexts, JobStatus()):
            continue
        for step in job.get("steps") or []:
            if str(step.get("uses", "")).startswith(ACTION):
                inputs = {key: interpolate(str(value), contexts) for key, value in (step.get("with") or {}).items()}
                found.append(PilotStep(job=name, inputs=inputs))
    return found


def _triggers(workflow: Mapping[str, Any], event_name: str, payload: Mapping[str, Any]) -> bool:
    """Whether ``on:`` names the event and, where it lists activity types, this payload's ``action``."""
    # PyYAML reads the bare key `on` as True (YAML 1.1); GitHub reads it as the string.
    on = workflow["on"] if "on" in workflow else workflow.get(True)  # type: ignore[call-overload]
    if isinstance(on, str):
        return on == event_name
    if isinstance(on, list):
        return event_name in on
    if not isinstance(on, Mapping) or event_name not in on:
        return False
    types = (on[event_name] or {}).get("types")
    return types is None or payload.get("action") in types
