"""The status comment while a task runs: a checklist edited in place, at most every few seconds.

Progress edits can go through a BackgroundEditor, so the task never waits on GitHub for them (each
edit is a round trip of a few hundred milliseconds on github.com); the final answer is written in
place, after every progress edit has landed, so nothing can overwrite it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from prpilot.errors import PrpilotError
from prpilot.github.port import GitHubPort
from prpilot.task import Task
from prpilot.thread import markdown as report
from prpilot.thread.markdown import Progress

log = logging.getLogger(__name__)


@dataclass
class StatusComment:
    """Edit the task's status comment (or post it, when the task has none yet)."""

    github: GitHubPort
    run_url: str
    interval: float = 3.0  # one edit every few seconds is plenty for a person watching
    clock: Callable[[], float] = time.monotonic
    progress: Progress = field(default_factory=Progress)
    editor: BackgroundEditor | None = None  # None: progress edits are made in place
    _last: float = float("-inf")

    def publish(self, task: Task, body: str) -> None:
        """Write ``body`` now, after any progress edit under way; raises GitHubError when GitHub refuses."""
        if self.editor is not None:
            self.editor.flush()
        if task.status_comment_id is not None:
            self.github.update_comment(task.status_comment_id, body)
        elif task.thread_number is not None:
            task.status_comment_id = self.github.create_comment(task.thread_number, body)

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
        body = report.status_comment(task, run_url=self.run_url, progress=self.progress)
        if self.editor is not None and task.status_comment_id is not None:
            self.editor.offer(task.status_comment_id, body)
            return
        try:
            self.publish(task, body)
        except PrpilotError as exc:  # progress is a courtesy: the task goes on
            log.warning("could not update the status comment: %s", exc.message)


class BackgroundEditor:
    """Edit comments from a thread of its own, newest body only: the caller never waits on GitHub.

    ``edit`` must not share a connection with the caller's client (PyGithub's is not thread-safe);
    its failures are logged, since progress is a courtesy.
    """

    def __init__(self, edit: Callable[[int, str], None], *, flush_timeout: float = 60.0) -> None:
        self._edit = edit
        self._flush_timeout = flush_timeout
        self._changed = threading.Condition()
        self._pending: tuple[int, str] | None = None
        self._sending = False
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="prpilot-progress", daemon=True)
        self._thread.start()

    def offer(self, comment_id: int, body: str) -> None:
        """Queue ``body`` for the comment, replacing a body not sent yet."""
        with self._changed:
            if not self._closed:
                self._pending = (comment_id, body)
                self._changed.notify_all()

    def flush(self) -> bool:
        """Wait until every offered body has been sent (or failed); False on timeout."""
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
                self._edit(comment_id, body)
            except PrpilotError as exc:
                log.warning("could not update the status comment: %s", exc.message)
            except Exception:  # a bug here must not end progress edits silently, nor the task
                log.exception("progress edit failed")
            finally:
                with self._changed:
                    self._sending = False
                    self._changed.notify_all()
