"""A request addressed to prpilot gets an answer on its thread even when the workflow's inputs are wrong.

The answer names the input but not its value (which may hold anything, a secret included); the
run log, the outputs and the job summary have the whole message (the step's failure report
writes them). Events not addressed to prpilot still cost no request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from prpilot.actions.acknowledged import read_acknowledged
from prpilot.errors import ConfigError, PrpilotError
from prpilot.notices import Notices
from prpilot.settings import Step
from prpilot.task import Task, TaskStatus
from prpilot.wiring.run import Run

# What it takes to recognise a request and answer it; every other input can be wrong meanwhile.
ESSENTIAL_INPUTS = ("github-token", "trigger", "trigger-label", "allow-edited", "allowed-bots")


def answer_despite_bad_inputs(env: Mapping[str, str], notices: Notices, error: ConfigError) -> None:
    """Fail the request on its thread, naming the input that is wrong, when there is a request to answer."""
    from prpilot.intake.events import parse_event
    from prpilot.thread.ending import Ending, end_task
    from prpilot.thread.status_comment import find_own_comment

    run = Run.essentials(env, Step.SCHEDULE, notices, ESSENTIAL_INPUTS)
    if run is None:
        return  # the essentials themselves are wrong: there is no telling whether anyone asked
    ctx = run.context
    try:
        task = parse_event(ctx.event_name, ctx.load_event(), run.settings, run_id=ctx.run_id, actor=ctx.actor)
    except PrpilotError:
        return
    if not isinstance(task, Task) or task.thread_number is None or not run.settings.github_token:
        return  # a stop is no task: the run log says why it failed
    acknowledged = read_acknowledged(env)
    if acknowledged is not None:  # the first step posted the status comment: the answer goes there
        acknowledged.apply(task)
    named = re.match(r"input ([a-z-]+) ", error.message)
    which = f"the workflow's `{named.group(1)}` input is invalid" if named else "the workflow's inputs are invalid"
    why = (f"prpilot could not start: {which} (the [run log]({ctx.run_url}) says why). "
           "A maintainer needs to fix the workflow file; then ask again.")
    if acknowledged is not None and acknowledged.acknowledged:
        find_own_comment(run.github, task)
    end_task(task, TaskStatus.FAILED, why, Ending(thread=run.status_comment()))
