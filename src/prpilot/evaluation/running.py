"""Run a task through the real action on the test bed: a `/pilot` comment on an issue of a repository of its own.

Everything is the action's own path: the runner simulator checks the repository out of the fake
GitHub over real git and runs action.yml's steps (schedule, engine, finish) with the task's inputs;
the engine talks to the target endpoint (or the bed's scripted server), pushes with real git and
runs setup and verify in the real sandbox. Then the hidden check runs on the result.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from prpilot.errors import PrpilotError
from prpilot.evaluation.checking import CheckOutcome, run_check
from prpilot.evaluation.endpoint import Target
from prpilot.evaluation.report import TaskResult
from prpilot.evaluation.scripted import load_script
from prpilot.evaluation.task_folder import EvalTask
from prpilot.settings import TOOL_PROFILE_VARIABLE, TOOL_PROFILES  # the variable: what the engine step reads
from prpilot.testing.github.git_backend import GitError
from prpilot.testing.runner.job import RunResult
from prpilot.testing.scenario import WRITER, Bed

_GRACE_SECONDS = 120.0  # on top of max-minutes: checkout, the steps' start, the push


def task_inputs(task: EvalTask, target: Target, *, max_steps: int | None = None) -> dict[str, str]:
    """The action's inputs for ``task``: the target's model inputs, the task's limits and commands."""
    limits = task.spec.limits
    return {
        **target.inputs,
        "max-steps": str(max_steps or limits.max_steps),
        "max-minutes": f"{limits.max_minutes:g}",
        "max-cost": "" if limits.max_cost is None else format(limits.max_cost, "f"),
        "setup": task.spec.setup,
        "verify": task.spec.verify,
        "allowed-commands": task.spec.allowed_commands,
    }


def run_task(
    bed: Bed,
    task: EvalTask,
    target: Target,
    *,
    profile: str = "standard",
    run: int = 1,
    max_steps: int | None = None,
    env: Mapping[str, str],
) -> TaskResult:
    """Run ``task`` once with the tools of ``profile``; whatever goes wrong is the row's ``error``, never a raise.

    ``env`` is the environment the hidden check's sandbox is built from (its PATH and locale).
    """
    if profile not in TOOL_PROFILES:
        raise ValueError(f"unknown tool profile {profile!r}")
    row = TaskResult(task=task.name, kind=task.spec.kind, run=run, solved=False, status="error")
    repo = f"eval/{task.name}-{profile}-{run}"
    started = time.monotonic()
    try:
        bed.github.add_repo(repo, files=task.files())
        bed.github.set_permission(repo, WRITER, "write")
        number = bed.github.add_issue(repo, task.issue_title, "", user=WRITER)
        event = dataclasses.replace(bed, repo=repo).issue_comment(f"/pilot {task.spec.request.strip()}", number=number)
        if target.scripted is not None:
            bed.model.reset()
            bed.model.script(*load_script(task.script(target.scripted)))
        result = bed.runner.run(
            "issue_comment", event, task_inputs(task, target, max_steps=max_steps),
            env={TOOL_PROFILE_VARIABLE: profile}, timeout=task.spec.limits.max_minutes * 60 + _GRACE_SECONDS,
        )
    except (PrpilotError, OSError, ValueError, RuntimeError) as exc:
        message = exc.message if isinstance(exc, PrpilotError) else f"{type(exc).__name__}: {exc}"
        return row.model_copy(update={"error": f"the task could not run: {message}",
                                      "seconds": round(time.monotonic() - started, 1)})
    row = _measured(row, result, seconds=time.monotonic() - started)
    outcome = _check(bed, task, repo, result, Path(bed.runner.root) / "checks" / repo.replace("/", "-"), env)
    return row.model_copy(update={"solved": outcome.passed, "check_output": outcome.output,
                                  "error": row.error or outcome.problem})


def _measured(row: TaskResult, result: RunResult, *, seconds: float) -> TaskResult:
    """The row's figures from the action's outputs (its status, bill and usage)."""
    outputs = result.outputs
    try:
        models = json.loads(outputs.get("models") or "[]")
        calls = sum(int(share.get("calls", 0)) for share in models)
    except (ValueError, TypeError, AttributeError):
        calls = 0
    try:
        cost = Decimal(outputs.get("cost") or "0")
    except InvalidOperation:
        cost = Decimal(0)
    status = outputs.get("status", "")
    error = ""
    if not status:  # the action ended without saying how the task went: a broken run, not an unsolved task
        error = "the action set no status output; the end of its log: " + " ".join(result.logs.split()[-40:])
    elif status == "failed" and calls == 0:  # no model call answered: the model was never tried, not wrong
        said = " ".join(outputs.get("result", "").split())[:300] or "the action gave no reason"
        error = f"the task failed before any model call answered: {said}"
    return row.model_copy(update={
        "status": status or "error",
        "cost_usd": cost,
        "model_calls": calls,
        "seconds": round(seconds, 1),
        "prompt_tokens": _int(outputs.get("prompt-tokens")),
        "cached_tokens": _int(outputs.get("cached-tokens")),
        "completion_tokens": _int(outputs.get("completion-tokens")),
        "verify": outputs.get("verify", ""),
        "pr_url": outputs.get("pr-url", ""),
        "error": error,
    })


def _int(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


def _check(bed: Bed, task: EvalTask, repo: str, result: RunResult, scratch: Path,
           env: Mapping[str, str]) -> CheckOutcome:
    """Run the hidden check on the branch the task pushed, or on the unchanged default branch."""
    git = bed.github.repo(repo).git
    branch = result.outputs.get("branch", "")
    head = bed.github.ref(repo, branch) if branch else None
    base = bed.github.ref(repo, "main")
    if base is None:
        return CheckOutcome(passed=False, problem="the repository's default branch is gone")
    try:
        return run_check(
            task.check, scratch,
            result=git.git("archive", "--format=tar", head or base),
            base=git.git("archive", "--format=tar", base),
            answer=result.outputs.get("result", ""),
            status=result.outputs.get("status", ""),
            env=env,
        )
    except (OSError, RuntimeError, GitError) as exc:
        return CheckOutcome(passed=False, problem=f"the check could not run: {type(exc).__name__}: {exc}")


def run_suite(
    bed: Bed,
    tasks: Sequence[EvalTask],
    target: Target,
    *,
    profiles: Sequence[str] = ("standard",),
    runs: int = 1,
    max_steps: int | None = None,
    env: Mapping[str, str],
    progress: Callable[[str, TaskResult], None] | None = None,
) -> dict[str, list[TaskResult]]:
    """Every task, ``runs`` times, with each tool profile; results by profile."""
    results: dict[str, list[TaskResult]] = {profile: [] for profile in profiles}
    for run in range(1, runs + 1):
        for task in tasks:
            for profile in profiles:
                row = run_task(bed, task, target, profile=profile, run=run, max_steps=max_steps, env=env)
                results[profile].append(row)
                if progress is not None:
                    progress(profile, row)
    return results
