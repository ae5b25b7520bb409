"""The one way a task ends: its final state, its bill, its answer on the thread, its outputs.

Every ending comes through :func:`end_task`: the engine's success and failure, the finish step
after a killed engine, a refusal or a failure in the scheduler, a workflow whose inputs turn out
invalid after the acknowledgement, and the queue worker's tasks (which end in the engine). The
bill comes first and nothing here raises for GitHub or the billing endpoint, so an answer that
GitHub refuses loses no record. The answer is retried in exactly one place,
:meth:`prpilot.thread.status_comment.StatusComment.publish`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from prpilot.billing.meter import Meter
from prpilot.errors import PrpilotError
from prpilot.notices import Notices
from prpilot.task import Task, TaskStatus
from prpilot.thread import job_summary, markdown
from prpilot.thread.status_comment import StatusComment

log = logging.getLogger(__name__)


def _as_is(text: str) -> str:
    return text


@dataclass
class Ending:
    """Where a task's end goes. A part left None is one this ending has none of."""

    thread: StatusComment | None = None  # None: nobody to answer (a bot's request, or no thread)
    meter: Meter | None = None  # None: nothing was reserved or used, so nothing to settle
    notices: Notices | None = None  # the runner: outputs, job summary, warnings
    redact: Callable[[str], str] = _as_is
    checks: str = ""  # the "Checks" section (markdown.checks_section), when the project's commands ran


def end_task(
    task: Task,
    status: TaskStatus,
    result: str,
    ending: Ending,
    *,
    patch: str = "",
    answer: bool = True,
) -> None:
    """End ``task`` in ``status`` with ``result``: settle its bill, answer on the thread, write outputs and summary.

    A task that is final already keeps its state (the finish step settles one the engine answered);
    ``answer=False`` settles and writes the outputs only: whoever answered wrote the thread and the summary.
    """
    if not task.is_final:
        if status is TaskStatus.COMPLETED and task.status is TaskStatus.SCHEDULED:
            task.transition(TaskStatus.RUNNING)
        task.transition(status, result)
    if ending.meter is not None:
        ending.meter.settle(task)  # never raises: a bill the ledger cannot take is kept for the next run
    if answer and ending.thread is not None:
        cost = ending.meter.cost_line() if ending.meter is not None and task.usage.calls else ""
        ending.thread.stamp(task)
        body = markdown.status_comment(task, run_url=ending.thread.run_url, detail=ending.redact(task.result),
                                       cost=cost, patch=patch, checks=ending.redact(ending.checks))
        try:
            ending.thread.publish(task, body)
        except PrpilotError as exc:
            log.error("could not answer on the thread: %s", exc.message)
            if ending.notices is not None:
                ending.notices.error(f"could not answer on the thread: {exc.message}")
    if ending.notices is not None:
        ending.notices.set_outputs(task_outputs(task, ending.redact))
    if answer and ending.notices is not None:
        model = ending.meter.model if ending.meter is not None else task.gpt_model
        cost_usd = ending.meter.cost() if ending.meter is not None else task.cost_usd
        ending.notices.add_summary(job_summary.job_summary(task, cost=cost_usd, model=model,
                                                        answer=ending.redact(task.result), patch=patch,
                                                        checks=ending.redact(ending.checks)))


def task_outputs(task: Task, redact: Callable[[str], str] = _as_is) -> dict[str, object]:
    """The action's outputs for a task: its outcome, its pull request and its usage; ``result`` redacted and bounded."""
    return {
        "status": task.status.value if task.status else TaskStatus.FAILED.value,
        "task-id": task.id,
        "branch": task.branch or "",
        "pr-number": task.pr_number if task.pr_number is not None and task.pr_url else "",
        "pr-url": task.pr_url or "",
        "cost": format(task.cost_usd.normalize(), "f"),
        "prompt-tokens": task.usage.prompt_tokens,
        "cached-tokens": task.usage.cached_tokens,
        "completion-tokens": task.usage.completion_tokens,
        "models": json.dumps([
            {"model": share.model, "prompt_tokens": share.usage.prompt_tokens,
             "cached_tokens": share.usage.cached_tokens, "completion_tokens": share.usage.completion_tokens,
             "calls": share.usage.calls, "cost_usd": format(share.cost_usd.normalize(), "f")}
            for share in task.model_usage
        ]),
        "result": job_summary.bounded_output(redact(task.result)),
        "verify": task.verify,
        "review-id": task.review_id if task.review_id is not None else "",
        "review-comments": task.review_comments if task.kind == "review" else "",
        "structured-output": task.structured_output,
    }
