"""The status comment while a task runs: a checklist edited in place, at most every few seconds."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from prpilot import report
from prpilot.errors import PrpilotError
from prpilot.github_port import GitHubPort
from prpilot.report import Progress
from prpilot.task import Task

log = logging.getLogger(__name__)


@dataclass
class StatusComment:
    """Edit the task's status comment (or post it, when the task has none yet)."""

    github: GitHubPort
    run_url: str
    interval: float = 3.0  # one edit every few seconds is plenty for a person watching
    clock: Callable[[], float] = time.monotonic
    progress: Progress = field(default_factory=Progress)
    _last: float = float("-inf")

    def publish(self, task: Task, body: str) -> None:
        """Write ``body``; raises GitHubError when GitHub refuses."""
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
        try:
            self.publish(task, report.status_comment(task, run_url=self.run_url, progress=self.progress))
        except PrpilotError as exc:  # progress is a courtesy: the task goes on
            log.warning("could not update the status comment: %s", exc.message)
