"""``/pilot stop``: find the tasks running on a thread from prpilot's own state, and stop them.

A stop is not a task: it is not admitted, reserves nothing in the ledger, is not counted by the
rate limit and calls no model. The running tasks are those the ledger holds a reservation for on
this thread and no bill, and the run cancelled is the one the ledger recorded for the task: a
status comment's hidden task only names it (any workflow posting as the same account can forge
one, issue 28). The reply that answers the stop carries
who asked (hidden, in prpilot's own comment) before anything is cancelled, so the stopped engine
can name them when it ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from prpilot.billing.ledger import Ledger
from prpilot.errors import PrpilotError
from prpilot.github.port import GitHubPort
from prpilot.intake.events import StopRequest
from prpilot.scheduler import admission
from prpilot.scheduler.handover import Running, running_on_thread
from prpilot.settings import Settings
from prpilot.task import Task, TaskStatus
from prpilot.thread.acknowledgement import quote_request
from prpilot.thread.markdown import MARKER, first_line
from prpilot.thread.records import StopRecord, extract_task, stop_reply

log = logging.getLogger(__name__)

# Stops one task where it runs; False when it had ended already. Raises PrpilotError when it cannot.
Stopper = Callable[[Task], bool]

NOTHING_RUNNING = "Nothing to stop: no prpilot task is running on this thread."
_RUNNING = (None, TaskStatus.SCHEDULED, TaskStatus.RUNNING)


@dataclass(frozen=True)
class StopOutcome:
    """How a stop ended: ``completed`` (stopped), ``skipped`` (nothing ran), ``rejected`` or ``failed``."""

    status: str
    message: str


def running_tasks(bodies: Iterable[str], live: Mapping[str, Running]) -> list[Task]:
    """The tasks of ``live`` (what the ledger shows running, by task id) as status comments name them.

    The ledger alone says what runs, where and for whom: a comment's status, run id and requester
    count for nothing.
    """
    found: dict[str, Task] = {}
    for body in bodies:
        task = extract_task(body)
        if task is not None and task.id in live and task.id not in found:
            task.status = task.status if task.status in _RUNNING else TaskStatus.RUNNING
            # A ledger line older than the run ids names no run: better cancel nothing than the comment's run.
            task.context["run_id"] = live[task.id].run_id or "unrecorded"
            task.github_user = live[task.id].user  # who may stop it without write access
            found[task.id] = task
    return list(found.values())


def _named(tasks: list[Task], run_url: Callable[[Task], str]) -> str:
    shown = ", ".join(f"**{quote_request(first_line(t.user_request)[:80])}** ([run]({run_url(t)}))" for t in tasks[:5])
    more = f" and {len(tasks) - 5} more" if len(tasks) > 5 else ""
    return shown + more


@dataclass
class StopHandler:
    """Answer one ``/pilot stop``."""

    settings: Settings
    github: GitHubPort
    ledger: Ledger | None
    stopper: Stopper
    run_url_of: Callable[[Task], str]  # the page of the run a task runs in

    def handle(self, request: StopRequest) -> StopOutcome:
        """Check who asks, find what runs, say so in one line and stop it."""
        permission = None if request.requester_is_bot else self.github.permission(request.requester)
        refusal = admission.user_can_write(permission, request.requester, request.requester_is_bot,
                                        self.settings.allowed_bots)
        if refusal is not None and refusal.code is admission.RejectionCode.BOT_NOT_ALLOWED:
            return StopOutcome("rejected", refusal.message)  # bots get no answer: no loops between bots
        running = self.running(request.thread_number)
        if refusal is not None:  # a requester who lost write access may still stop their own task
            running = [t for t in running if t.github_user.casefold() == request.requester.casefold()]
            if not running:
                self._reply(request, f"🚫 Not stopped: {refusal.message}")
                return StopOutcome("rejected", refusal.message)
        self._acknowledge(request)
        if not running:
            self._reply(request, NOTHING_RUNNING)
            return StopOutcome("skipped", NOTHING_RUNNING)
        line = (f"🛑 Stopping {_named(running, self.run_url_of)} as @{request.requester} asked: the work done so far "
                "is pushed and the bill settled as it ends.")
        record = StopRecord(by=request.requester, task_ids=[t.id for t in running])
        reply_id = self._reply(request, line, record)
        failures, over = [], []
        for task in running:
            try:
                if not self.stopper(task):
                    over.append(task)
            except PrpilotError as exc:
                log.warning("could not stop task %s: %s", task.id, exc.message)
                what = quote_request(first_line(task.user_request)[:80])
                failures.append(f"could not stop **{what}**: {exc.message}")
        if failures or len(over) == len(running):
            line = f"⚠️ {'; '.join(failures)}" if failures else "Nothing to stop: the task had finished already."
            if reply_id is not None:
                self._courtesy(lambda: self.github.update_comment(reply_id, stop_reply(line, record)))
            return StopOutcome("failed" if failures else "skipped", line)
        return StopOutcome("completed", line)

    def running(self, thread: int) -> list[Task]:
        """The tasks running on ``thread``: the ledger's open reservations there, named by the status comments."""
        if self.ledger is None:  # nothing can be verified, so nothing is stopped
            return []
        live = running_on_thread(self.ledger.records(), thread)
        if not live:
            return []
        return running_tasks((body for _, body in self.github.comments_with(thread, MARKER)), live)

    def _acknowledge(self, request: StopRequest) -> None:
        if request.comment_id is not None and request.comment_kind in ("issue", "review"):
            self._courtesy(lambda: self.github.react(request.comment_id or 0, request.comment_kind or "", "eyes"))

    def _reply(self, request: StopRequest, line: str, record: StopRecord | None = None) -> int | None:
        body = stop_reply(line, record)
        if record is not None:  # the stopped engine must find who stopped it: this reply must land
            return self.github.create_comment(request.thread_number, body)
        self._courtesy(lambda: self.github.create_comment(request.thread_number, body))
        return None

    def _courtesy(self, call: Callable[[], object]) -> None:
        try:
            call()
        except PrpilotError as exc:
            log.warning("%s", exc.message)
