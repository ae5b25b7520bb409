"""The status comment while a task runs: a checklist edited in place, at most every few seconds.

Progress edits can go through a BackgroundEditor, so the task never waits on GitHub for them (each
edit is a round trip of a few hundred milliseconds on github.com); the final answer is written in
place, after every progress edit has landed, so nothing can overwrite it. An edit whose answer was
lost may land later still: :mod:`prpilot.thread.late_writes` says how prpilot waits for it and reads
back (issue #29).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from prpilot.errors import GitHubError, PrpilotError
from prpilot.github.port import GitHubPort
from prpilot.task import Task
from prpilot.thread import markdown as report
from prpilot.thread.acknowledgement import find_posted, post_once
from prpilot.thread.late_writes import lost, rank, settle_time, tidy
from prpilot.thread.markdown import Progress
from prpilot.tuning import current as current_tuning

log = logging.getLogger(__name__)
T = TypeVar("T")
__all__ = ["BackgroundEditor", "StatusComment", "asked_on", "find_own_comment", "post_once", "retried"]


@dataclass
class StatusComment:
    """Edit the task's status comment (or post it, when the task has none yet)."""

    github: GitHubPort
    run_url: str
    interval: float = 3.0  # one edit every few seconds is plenty for a person watching
    clock: Callable[[], float] = time.monotonic
    progress: Progress = field(default_factory=Progress)
    editor: BackgroundEditor | None = None  # None: progress edits are made in place
    attempts: int = 3  # tries of the answer's edit when GitHub fails for a passing reason
    backoff: float | None = None  # the first retry's wait (then doubled); None: the process's HTTP tuning
    sleep: Callable[[float], None] = time.sleep
    settle: float | None = None  # how long a write whose answer was lost may take to land; None: late_writes'
    _last: float = float("-inf")
    _doubt: bool = False  # a write of this task's status comments got no answer: GitHub may apply it late

    def publish(self, task: Task, body: str) -> None:
        """Write ``body`` now, after any progress edit under way, so that it is the thread's last word.

        The edit is retried within a bound; when the comment is gone (404) or GitHub keeps refusing
        the edit, ``body`` goes into a new comment, whose id the task keeps from then on, and the old
        one is told where the answer is (or, failing that, left in ``task.stale_comment_ids`` for the
        finish step). After a write whose answer was lost, every status comment of the task is read
        back once (:func:`~prpilot.thread.late_writes.tidy`). Raises GitHubError only when no
        comment could be written at all.
        """
        if self.editor is not None:
            self.editor.flush()
            self._doubt = self._doubt or self.editor.doubt
        comment_id, thread = task.status_comment_id, asked_on(task)
        if comment_id is not None:
            try:
                retried(lambda: self._write(comment_id, body), self.attempts, self._wait)
                self.tidy(task, body)
                return
            except GitHubError as exc:
                if thread is None:
                    raise
                log.warning("could not edit the status comment (%s); answering in a new comment", exc.message)
                task.stale_comment_ids.append(comment_id)
        if thread is not None:
            task.status_comment_id = post_once(self.github, thread, body, task.id, attempts=self.attempts,
                                               wait=self._wait, settle=self._settle())
            self.tidy(task, body)

    def tidy(self, task: Task, body: str | None) -> None:
        """After a lost write or a comment the answer could not go into: bring the thread in line with ``body``.

        ``body`` None leaves the comment the task holds as it is (the finish step has no answer to write).
        """
        thread = asked_on(task)
        if thread is not None and (self._doubt or task.stale_comment_ids):
            tidy(self.github, task, thread, body, settle=self._settle(), sleep=self.sleep)

    def stamp(self, task: Task) -> None:
        """Count a new state of the status comment: the body rendered next carries it."""
        task.status_version += 1

    def _write(self, comment_id: int, body: str) -> None:
        try:
            self.github.update_comment(comment_id, body)
        except GitHubError as exc:
            self._doubt = self._doubt or lost(exc)
            raise

    def _settle(self) -> float:
        return settle_time() if self.settle is None else self.settle

    def _wait(self, attempt: int) -> None:
        base = current_tuning().backoff if self.backoff is None else self.backoff
        self.sleep(base * 2 ** (attempt - 1))

    def step(self, task: Task, label: str) -> None:
        """Tick the current checklist item and show ``label`` as the one under way."""
        if self.progress.current:
            self.progress.done.append(self.progress.current)
        self.progress.current = label
        self.refresh(task, force=True)

    def working(self, task: Task, label: str) -> None:
        """Update the item under way; shown only when the last edit is old enough."""
        self.progress.current = label
        self.refresh(task)

    def refresh(self, task: Task, *, force: bool = False) -> None:
        now = self.clock()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        self.stamp(task)
        body = report.status_comment(task, run_url=self.run_url, progress=self.progress)
        if self.editor is not None and task.status_comment_id is not None:
            self.editor.offer(task.status_comment_id, body)
            return
        try:  # one try: progress is a courtesy, and the task goes on
            if task.status_comment_id is not None:
                self._write(task.status_comment_id, body)
            elif (thread := asked_on(task)) is not None:
                task.status_comment_id = post_once(self.github, thread, body, task.id, attempts=1,
                                                   settle=self._settle())
        except PrpilotError as exc:
            log.warning("could not update the status comment: %s", exc.message)


def find_own_comment(github: GitHubPort, task: Task) -> None:
    """Give ``task`` the status comment it already has on the thread, found by the task id it carries.

    For the first step's comment when its id did not reach the next step: without it the answer
    would go into a second comment, leaving the first one "queued" for ever.
    """
    thread = asked_on(task)
    if task.status_comment_id is None and thread is not None:
        task.status_comment_id = find_posted(github, thread, task.id)


def asked_on(task: Task) -> int | None:
    """The issue or pull request the request was made on (an issue task's own pull request comes later)."""
    return task.issue_number if task.issue_number is not None else task.thread_number


def retried(call: Callable[[], T], attempts: int, wait: Callable[[int], None]) -> T:
    """Run ``call`` up to ``attempts`` times while it fails for a passing reason (GitHubError.transient)."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except GitHubError as exc:
            if not exc.transient or attempt >= attempts:
                raise
            log.warning("%s; trying again", exc.message)
            wait(attempt)
    raise AssertionError("unreachable")


class BackgroundEditor:
    """Edit comments from a thread of its own, newest body only: the caller never waits on GitHub.

    ``edit`` must not share a connection with the caller's client (PyGithub's is not thread-safe);
    its failures are logged, since progress is a courtesy. An edit whose answer was lost is let
    land for ``settle`` seconds, then the comment is read back through ``read`` and written again
    when GitHub holds an older state than the one wanted, unless a newer body supersedes it.
    """

    def __init__(self, edit: Callable[[int, str], None], *, read: Callable[[int], str] | None = None,
                 settle: float | None = None, flush_timeout: float = 120.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._edit = edit
        self._read = read
        self._settle = settle_time() if settle is None else settle
        self._sleep = sleep
        self._flush_timeout = flush_timeout
        self._changed = threading.Condition()
        self._pending: tuple[int, str] | None = None
        self._sending = False
        self._closed = False
        self.doubt = False  # an edit got no answer: GitHub may still apply it
        self._thread = threading.Thread(target=self._run, name="prpilot-progress", daemon=True)
        self._thread.start()

    def offer(self, comment_id: int, body: str) -> None:
        """Queue ``body`` for the comment, replacing a body not sent yet."""
        with self._changed:
            if not self._closed:
                self._pending = (comment_id, body)
                self._changed.notify_all()

    def flush(self) -> bool:
        """Wait until every offered body has been sent (or failed, or read back); False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self._pending is None and not self._sending, self._flush_timeout)

    def close(self) -> None:
        """Send what is pending, then stop the thread."""
        self.flush()
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        self._thread.join(timeout=self._flush_timeout)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._pending is not None or self._closed)
                if self._pending is None:
                    return
                (comment_id, body), self._pending, self._sending = self._pending, None, True
            try:
                self._send(comment_id, body)
            except PrpilotError as exc:
                log.warning("could not update the status comment: %s", exc.message)
            except Exception:  # a bug here must not end progress edits silently, nor the task
                log.exception("progress edit failed")
            finally:
                with self._changed:
                    self._sending = False
                    self._changed.notify_all()

    def _send(self, comment_id: int, body: str) -> None:
        try:
            self._edit(comment_id, body)
            return
        except GitHubError as exc:
            if not lost(exc):
                raise
            self.doubt = True
            log.warning("%s; reading the comment back once the edit had time to land", exc.message)
        self._sleep(self._settle)
        with self._changed:
            if self._pending is not None:
                return  # a newer body is on its way: it supersedes this one
        if self._read is not None and rank(self._read(comment_id)) < rank(body):
            self._edit(comment_id, body)
