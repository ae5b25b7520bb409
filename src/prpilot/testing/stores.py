"""Stores the tests use: tasks in a dict, tasks in status comments, a ledger in local month files."""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from prpilot.billing.ledger import month_key, months_to_read
from prpilot.errors import LedgerConflict
from prpilot.github.port import GitHubPort
from prpilot.task import Task, utcnow
from prpilot.thread.ending import Ending, end_task
from prpilot.thread.markdown import status_comment
from prpilot.thread.records import extract_task
from prpilot.thread.status_comment import StatusComment


class MemoryTaskStore:
    """A TaskStore in a dict: for tests and for library users who keep tasks in-process."""

    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}

    def save(self, task: Task) -> None:
        self.tasks[task.id] = task.model_copy(deep=True)

    def load(self, task_id: str) -> Task | None:
        found = self.tasks.get(task_id)
        return found.model_copy(deep=True) if found else None


class StatusCommentStore:
    """A TaskStore over status comments: ``save`` edits (or posts) the comment, ``load`` reads it back."""

    def __init__(self, github: GitHubPort, run_url: str) -> None:
        self.github = github
        self.run_url = run_url
        self._comments: dict[str, int] = {}  # task id -> status comment id, for tasks seen here

    def save(self, task: Task) -> None:
        """Write the task into its status comment: its progress, or its end through the one ending."""
        thread = StatusComment(self.github, self.run_url)
        if task.is_final and task.status is not None:
            end_task(task, task.status, task.result, Ending(thread=thread))
        else:
            thread.publish(task, status_comment(task, run_url=self.run_url))
        if task.status_comment_id is not None:
            self._comments[task.id] = task.status_comment_id

    def load(self, task_id: str) -> Task | None:
        comment_id = self._comments.get(task_id)
        return None if comment_id is None else self.load_comment(comment_id)

    def load_comment(self, comment_id: int) -> Task | None:
        """The task a status comment carries (None when it carries none, or a damaged one)."""
        return extract_task(self.github.comment_body(comment_id))


class FileLedgerBackend:
    """Month files ``<path>/YYYY-MM.jsonl`` on local disk: an fcntl lock, a content hash as version.

    Safe across processes on one machine (not across network file systems without working locks).
    """

    def __init__(self, path: str | Path, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.path = Path(path)
        self.clock = clock

    def read(self) -> tuple[str | None, str]:
        with self._locked(fcntl.LOCK_SH):
            return self._snapshot(self.clock())

    def write(self, version: str | None, changes: str) -> str:
        with self._locked(fcntl.LOCK_EX):
            now = self.clock()
            current, _ = self._snapshot(now)
            if version != current:
                raise LedgerConflict(f"ledger {self.path} changed since it was read; try again")
            with (self.path / f"{month_key(now)}.jsonl").open("a", encoding="utf-8") as shard:
                shard.write(changes)
                shard.flush()
                os.fsync(shard.fileno())
            return self._snapshot(now)[0]

    def read_months(self, months: Iterable[str]) -> str:
        """The records of these months (any month, not only those a decision needs)."""
        with self._locked(fcntl.LOCK_SH):
            parts = [(self.path / f"{month}.jsonl").read_text(encoding="utf-8")
                     for month in months if (self.path / f"{month}.jsonl").exists()]
        return "".join(part if part.endswith("\n") else part + "\n" for part in parts if part)

    def _snapshot(self, now: datetime) -> tuple[str, str]:
        digest = hashlib.sha256()
        parts: list[str] = []
        for month in months_to_read(now):
            shard = self.path / f"{month}.jsonl"
            text = shard.read_text(encoding="utf-8") if shard.exists() else ""
            digest.update(f"{month}\0{len(text)}\0{text}".encode())
            parts.append(text if not text or text.endswith("\n") else text + "\n")
        return digest.hexdigest(), "".join(parts)

    @contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        self.path.mkdir(parents=True, exist_ok=True)
        with (self.path / ".lock").open("a") as lock:
            fcntl.flock(lock, mode)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
