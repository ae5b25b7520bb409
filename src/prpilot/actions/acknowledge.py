"""The action's first step: hear the request before anything is installed. The standard library only.

It runs on the runner's own python3 from the action's source (``entrypoint.py acknowledge``) and
makes today's first three requests: the requester's permission, 👀 on the comment, the status
comment. An event that is not a request ends here, and so does a refusal for want of access:
nothing is installed at all. What it learned goes to the schedule step in a small JSON file (the
``acknowledged`` output), which then does not ask again. Whatever it cannot decide with confidence
(``/pilot stop``, a workflow_dispatch request, a re-run, a malformed option, inputs it cannot read)
it leaves to the installed schedule step, which answers as it always has.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from prpilot.actions.runner_commands import ActionsRunner
from prpilot.errors import GitHubError
from prpilot.intake.rules import Intake, Request, Skipped, parse_usd, read_request, write_access_refusal
from prpilot.intake.thread_commands import effective_cap, is_review
from prpilot.task_record import dumps, new_task_record
from prpilot.thread.acknowledgement import (
    MARKER,
    cap_part,
    hidden_task,
    post_once,
    queued_line,
    rejected_line,
    shorten,
    spending_sentence,
)
from prpilot.tuning import current as current_tuning

if TYPE_CHECKING:  # urllib.request and datetime load only once there is a request to answer
    from datetime import datetime

    from prpilot.github.plain import PlainGitHub

# The inputs this step reads (action.yml maps exactly these into it; tests/actions/test_action_yml.py checks).
INPUTS = ("github-token", "model", "max-cost", "trigger", "trigger-label", "allow-edited", "allowed-bots", "task",
          "mode")
# Its outputs that only the action reads (besides status, task-id and result when the run ends here).
STEP_OUTPUTS = ("proceed", "acknowledged")


class _Inputs(NamedTuple):
    token: str
    model: str
    max_cost: Decimal | None
    intake: Intake


def _inputs(env: Mapping[str, str]) -> _Inputs | None:
    """The inputs as the settings read them; None when one would be refused (the schedule step says why)."""
    def get(name: str, default: str = "") -> str:
        return env.get("INPUT_" + name.upper(), default).strip()

    trigger = get("trigger", "/pilot") or "/pilot"
    edited = get("allow-edited").lower()
    if any(ch.isspace() for ch in trigger) or edited not in ("", "false", "no", "0", "off", "true", "yes", "1", "on"):
        return None
    try:
        max_cost = parse_usd(get("max-cost"))
    except ValueError:
        return None
    bots = tuple(part.strip() for part in get("allowed-bots").replace("\n", ",").split(",") if part.strip())
    return _Inputs(get("github-token"), get("model", "gpt-5-mini"), max_cost,
                   Intake(trigger=trigger, trigger_label=get("trigger-label"),
                          allow_edited=edited in ("true", "yes", "1", "on"), allowed_bots=bots, mode=get("mode")))


def _event(env: Mapping[str, str]) -> dict[str, Any] | None:
    try:
        with open(env.get("GITHUB_EVENT_PATH", ""), encoding="utf-8") as handle:
            payload = json.load(handle)
    except (OSError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def task_json(request: Request, *, task_id: str, created_at: datetime, model: str, run_id: str, event_name: str,
              max_cost: Decimal | None, status: str | None = None, result: str = "") -> str:
    """The task as :class:`prpilot.task.Task` would dump it (a test validates one against the other)."""
    fields = request.fields
    kind = "review" if fields.get("pr_number") is not None and is_review(fields["user_request"]) else "change"
    return dumps(new_task_record(
        fields, task_id=task_id, kind=kind, stamp=created_at.isoformat().replace("+00:00", "Z"), model=model,
        run_id=run_id, event_name=event_name, max_cost=None if max_cost is None else str(max_cost), status=status,
        result=result,
    ))


def acknowledge_step(env: Mapping[str, str]) -> int:
    """Run the first step; return the exit code."""
    runner = ActionsRunner(env)
    inputs, event = _inputs(env), _event(env)
    repository, event_name = env.get("GITHUB_REPOSITORY", ""), env.get("GITHUB_EVENT_NAME", "")
    if inputs is None or event is None or repository.count("/") != 1 or inputs.token == "" \
            or env.get("INPUT_TASK", "").strip():
        return _leave_to_schedule(runner, "the schedule step reads this run's inputs and event")
    outcome = read_request(event_name, event, inputs.intake)
    if isinstance(outcome, Skipped):
        # Not addressed to us: no request to GitHub at all, and nothing to install.
        runner.info(f"prpilot: skipped ({outcome.reason})")
        runner.set_outputs({"status": "skipped", "result": outcome.reason, "proceed": "false"})
        runner.add_summary(f"prpilot: skipped ({outcome.reason}); nothing was installed.")
        return 0
    if outcome is None or outcome.is_stop or env.get("GITHUB_RUN_ATTEMPT", "1") not in ("", "1"):
        return _leave_to_schedule(runner, "the schedule step answers this request")
    from prpilot.actions.runner_commands import use_logging
    from prpilot.github.plain import PlainGitHub

    use_logging(env)
    tuning = current_tuning()
    github = PlainGitHub(inputs.token, (env.get("GITHUB_API_URL") or "https://api.github.com"), repository,
                         timeout=tuning.timeout, backoff=tuning.backoff)
    return _acknowledge(env, runner, github, inputs, outcome)


def _leave_to_schedule(runner: ActionsRunner, why: str) -> int:
    runner.info(f"prpilot: {why}")
    runner.set_outputs({"proceed": "true", "acknowledged": ""})
    return 0


def _acknowledge(env: Mapping[str, str], runner: ActionsRunner, github: PlainGitHub, inputs: _Inputs,
                 request: Request) -> int:
    run_id, server = env.get("GITHUB_RUN_ID", ""), (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
    repository = env["GITHUB_REPOSITORY"]
    run_url = f"{server}/{repository}/actions/runs/{run_id}" if run_id else f"{server}/{repository}/actions"
    from datetime import UTC, datetime

    task_id, created_at = os.urandom(6).hex(), datetime.now(UTC)
    requested = request.fields.get("max_cost_usd")
    cap = effective_cap(requested if isinstance(requested, Decimal) else None, inputs.max_cost)

    def task(status: str | None = None, result: str = "") -> str:
        return task_json(request, task_id=task_id, created_at=created_at, model=inputs.model, run_id=run_id,
                         event_name=env.get("GITHUB_EVENT_NAME", ""), max_cost=cap, status=status, result=result)

    try:
        permission = None if request.requester_is_bot else github.permission(request.requester)
    except GitHubError as exc:
        return _failed(runner, exc.message)
    refusal = write_access_refusal(permission, request.requester, request.requester_is_bot,
                                   inputs.intake.allowed_bots)
    thread = request.thread_number
    if refusal is not None:
        code, why = refusal
        if thread is not None and code != "bot_not_allowed":  # bots get no answer: it could start a loop
            body = "\n".join([MARKER, rejected_line(request.fields["user_request"]), "", shorten(why)])
            try:
                post_once(github, thread, body + "\n\n" + hidden_task(task("rejected", why)), task_id,
                          wait=lambda attempt: None, settle=current_tuning().timeout)
            except GitHubError as exc:
                runner.error(f"could not answer on the thread: {exc.message}")
        runner.set_outputs({"status": "rejected", "task-id": task_id, "result": why, "proceed": "false"})
        runner.add_summary(f"## prpilot: rejected\n\n{why}\n")
        runner.info(f"prpilot: task {task_id} rejected: {why}")
        return 0
    handoff: dict[str, Any] = {"task_id": task_id, "created_at": created_at.isoformat(), "permission": permission,
                               "status_comment_id": None, "acknowledged": not request.request_error}
    path = os.path.join(env.get("RUNNER_TEMP") or ".", f"prpilot-acknowledged-{task_id}.json")
    # Written before anything is posted: a status comment whose hand-over could not be written would
    # otherwise say "queued" for ever. When even this write fails, the schedule step does it all.
    try:
        _write_handoff(path, handoff)
    except OSError as exc:
        return _leave_to_schedule(runner, f"could not write {path} ({exc.strerror}); the schedule step answers")
    if handoff["acknowledged"]:  # not for a malformed option: the schedule step answers that, as it always has
        comment_id, kind = request.fields.get("comment_id"), request.fields.get("comment_kind")
        if comment_id is not None and kind in ("issue", "review"):  # a review's summary has no reactions
            try:
                github.react(comment_id, kind, "eyes")
            except GitHubError as exc:  # a missing reaction must not stop the task
                runner.warning(f"could not add the reaction: {exc.message}")
        if thread is not None:
            lines = [MARKER, queued_line(request.fields["user_request"], run_url)]
            if spending := spending_sentence([cap_part(cap)] if cap is not None else []):
                lines += ["", spending]
            body = "\n".join(lines) + "\n\n" + hidden_task(task())
            try:
                # A slow POST may land after the client gave up: wait one more timeout before looking for it
                # (prpilot.thread.late_writes, issue #29), or the thread gets a second, orphaned comment.
                handoff["status_comment_id"] = post_once(github, thread, body, task_id,
                                                         settle=current_tuning().timeout)
            except GitHubError as exc:
                return _failed(runner, exc.message)
            try:
                _write_handoff(path, handoff)
            except OSError as exc:  # the schedule step finds the comment by its task id instead
                runner.warning(f"could not write the status comment's id to {path} ({exc.strerror})")
    runner.set_outputs({"proceed": "true", "acknowledged": str(path)})
    runner.info(f"prpilot: request of @{request.requester} acknowledged ({github.requests} GitHub requests)")
    return 0


def _write_handoff(path: str, handoff: Mapping[str, Any]) -> None:
    """Replace the hand-over file whole (a half-written one never stands)."""
    partial = f"{path}.partial"
    with open(partial, "w", encoding="utf-8") as handle:
        json.dump(handoff, handle)
    os.replace(partial, path)


def _failed(runner: ActionsRunner, why: str) -> int:
    runner.error(f"prpilot: {why}")
    runner.set_outputs({"status": "failed", "result": why, "proceed": "false"})
    runner.add_summary(f"## prpilot: failed\n\n{why}\n")
    return 1
