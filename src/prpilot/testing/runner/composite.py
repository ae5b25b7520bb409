"""Execute a composite ``action.yml`` step by step, as the Actions runner does.

Each step sees only its own ``env:`` plus the runner's variables (no ``INPUT_*`` leaks, unlike
nektos/act); outputs come from ``GITHUB_OUTPUT``; a failure skips later steps unless their ``if:``
says otherwise. https://docs.github.com/en/actions/sharing-automations/creating-actions/creating-a-composite-action
"""

from __future__ import annotations

import dataclasses
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from prpilot.testing.runner.env import JobContext, StepFiles, job_env, parse_command_file, strip_runner_vars
from prpilot.testing.runner.expressions import JobStatus, evaluate_if, interpolate, to_string
from prpilot.testing.runner.step_process import Finished, Stop, run_script

__all__ = ["RunResult", "StepResult", "UnsupportedAction", "run_composite"]

Outcome = Literal["success", "failure", "skipped"]


class _Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 booleans, as the runner's parser reads them: ``yes``/``on`` stay strings."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class UnsupportedAction(ValueError):
    """The ``action.yml`` uses something the simulator does not run (``uses:`` steps, non-composite)."""


@dataclass(frozen=True)
class StepResult:
    """One step of the composite action, as the runner saw it."""

    id: str
    name: str
    outcome: Outcome
    conclusion: Outcome  # differs from outcome under continue-on-error
    exit_code: int | None
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""
    env: dict[str, str] = field(default_factory=dict)
    cancelled: bool = False
    timed_out: bool = False
    started: float = 0.0  # time.monotonic() when the step's process started (0: skipped)
    ended: float = 0.0


@dataclass(frozen=True)
class RunResult:
    """The action's outcome: exit code 0 on success, its steps, outputs and job summary."""

    exit_code: int
    steps: list[StepResult]
    outputs: dict[str, str]
    summary: str
    workspace: Path
    event_path: Path
    runner_temp: Path
    sha: str
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        """Whether the action succeeded."""
        return self.exit_code == 0

    def step(self, step_id: str) -> StepResult:
        """The step with ``id: step_id``."""
        return next(s for s in self.steps if s.id == step_id)

    @property
    def logs(self) -> str:
        """All steps' stdout and stderr, in order (for assertion messages)."""
        return "\n".join(f"--- {s.id} ({s.outcome})\n{s.stdout}{s.stderr}" for s in self.steps)


def run_composite(
    action_yml: Path,
    job: JobContext,
    given: Mapping[str, Any],
    extras: Mapping[str, str],
    base_env: Mapping[str, str],
    stop: Stop,
) -> RunResult:
    action = yaml.load(action_yml.read_text(), Loader=_Yaml12Loader)  # noqa: S506 - a SafeLoader
    runs = action.get("runs", {})
    if runs.get("using") != "composite":
        raise UnsupportedAction(f"{action_yml}: only composite actions are simulated")
    github = job.github()
    inputs = {
        name: interpolate(to_string(spec.get("default", "")), {"github": github})
        for name, spec in (action.get("inputs") or {}).items()
    }
    inputs.update({k: to_string(v) for k, v in given.items()})
    steps_ctx: dict[str, Any] = {}
    contexts = {"github": github, "inputs": inputs, "steps": steps_ctx, "runner": _runner_ctx(job)}
    status = JobStatus()
    results: list[StepResult] = []
    added_env: dict[str, str] = {}
    added_path: list[str] = []
    temp = Path(job.runner_temp)
    for index, step in enumerate(runs.get("steps") or []):
        step_id = str(step.get("id") or f"__run_{index + 1}")
        if "uses" in step or "run" not in step or "shell" not in step:
            raise UnsupportedAction(f"step {step_id}: only 'run:' steps with a 'shell:' are simulated")
        now = time.monotonic()
        if now >= stop.deadline or stop.cancelling(now):
            status = JobStatus(status.failed, cancelled=True)
        if not evaluate_if(step.get("if"), contexts, status):
            result = StepResult(step_id, str(step.get("name", step_id)), "skipped", "skipped", None)
        else:
            files = _fresh_files(temp, step_id)
            env = {**strip_runner_vars(base_env), **extras, **added_env}
            env.update({k: interpolate(to_string(v), contexts, status) for k, v in (step.get("env") or {}).items()})
            env.update(job_env(job, files, step_id))
            env["PATH"] = os.pathsep.join([*reversed(added_path), env.get("PATH", os.defpath)])
            cwd = Path(job.workspace) / interpolate(str(step.get("working-directory", ".")), contexts, status)
            if status.cancelled:
                stop = Stop(deadline=stop.deadline)  # already cancelled: don't signal always() steps again
            began = time.monotonic()
            finished = run_script(
                interpolate(str(step["run"]), contexts, status), str(step["shell"]), cwd, env, temp, stop
            )
            result = dataclasses.replace(_collect(step, step_id, finished, files, env, contexts, status),
                                         started=began, ended=time.monotonic())
            if result.outcome == "success":
                added_env.update(parse_command_file(Path(files.env).read_text()))
                added_path.extend(p for p in Path(files.path).read_text().splitlines() if p.strip())
            status = JobStatus(
                failed=status.failed or result.conclusion == "failure",
                cancelled=status.cancelled or finished.cancelled or finished.timed_out,
            )
        results.append(result)
        if "id" in step:
            steps_ctx[step_id] = {
                "outputs": result.outputs,
                "outcome": result.outcome,
                "conclusion": result.conclusion,
            }
    outputs = {
        name: interpolate(to_string(spec.get("value", "")), contexts, status)
        for name, spec in (action.get("outputs") or {}).items()
    }
    return RunResult(
        exit_code=1 if status.failed or status.cancelled else 0,
        steps=results,
        outputs=outputs,
        summary="".join(r.summary for r in results),
        workspace=Path(job.workspace),
        event_path=Path(job.event_path),
        runner_temp=temp,
        sha=job.sha,
        cancelled=status.cancelled,
    )


def _runner_ctx(job: JobContext) -> dict[str, str]:
    return {"os": "Linux", "arch": "X64", "temp": job.runner_temp, "name": "prpilot-simulator"}


def _fresh_files(temp: Path, step_id: str) -> StepFiles:
    commands = temp / "_runner_file_commands"
    commands.mkdir(parents=True, exist_ok=True)
    paths = [
        commands / f"{kind}_{step_id}_{time.monotonic_ns()}"
        for kind in ("set_output", "step_summary", "set_env", "add_path")
    ]
    for path in paths:
        path.write_text("")
    return StepFiles(*(str(p) for p in paths))


def _collect(
    step: Mapping[str, Any],
    step_id: str,
    finished: Finished,
    files: StepFiles,
    env: dict[str, str],
    contexts: Mapping[str, Any],
    status: JobStatus,
) -> StepResult:
    outcome: Outcome = "success" if finished.exit_code == 0 else "failure"
    stderr = finished.stderr
    try:
        outputs = parse_command_file(Path(files.output).read_text())
    except ValueError as exc:  # the runner fails the step on a malformed file command
        outputs, outcome = {}, "failure"
        stderr += f"\nError: Unable to process file command 'output' successfully: {exc}\n"
    continue_on_error = step.get("continue-on-error", False)
    if isinstance(continue_on_error, str):
        continue_on_error = interpolate(continue_on_error, contexts, status) == "true"
    conclusion: Outcome = "success" if outcome == "failure" and continue_on_error else outcome
    return StepResult(
        id=step_id,
        name=str(step.get("name", step_id)),
        outcome=outcome,
        conclusion=conclusion,
        exit_code=finished.exit_code,
        stdout=finished.stdout,
        stderr=stderr,
        outputs=outputs,
        summary=Path(files.summary).read_text(),
        env=env,
        cancelled=finished.cancelled,
        timed_out=finished.timed_out,
    )
