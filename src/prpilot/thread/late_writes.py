"""Writes whose answer was lost: let them land, then make sure none left the thread saying less than it should.

A request GitHub is slow to answer may still be carried out after the client gave up on it, and
after whatever the client wrote next (issue #29). GitHub has no conditional update of a comment,
so prpilot orders its own writes and reads back: every status comment body carries
``Task.status_version`` in its hidden state, a final state outranks any progress state, and after
a lost write a writer waits :func:`settle_time`, reads, and writes again only when GitHub holds an
older state. The wait assumes that a write GitHub has not answered within one client timeout
lands, if at all, within one more (``PRPILOT_HTTP_TIMEOUT``; 20 s by default).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from prpilot.errors import GitHubError, PrpilotError
from prpilot.github.port import GitHubPort
from prpilot.task import Task
from prpilot.thread.acknowledgement import MARKER, hidden_task_id
from prpilot.thread.records import extract_task
from prpilot.tuning import current as current_tuning

log = logging.getLogger(__name__)


def settle_time() -> float:
    """Seconds a write whose answer was lost may still take to land: one more client timeout."""
    return current_tuning().timeout


def lost(exc: GitHubError) -> bool:
    """Whether GitHub gave no answer at all (a timeout, a dropped connection): it may still carry the write out."""
    return exc.status is None


def rank(body: str) -> tuple[bool, int]:
    """How new the state a status comment body holds is: a final state first, then the higher version."""
    task = extract_task(body)
    return (False, -1) if task is None else (task.is_final, task.status_version)


def pointer(task: Task, new_id: int) -> str:
    """What an older status comment of ``task`` says once its answer went into comment ``new_id``.

    It carries no hidden task: it no longer stands for the task, so no lookup finds it again.
    """
    return f"{MARKER}\n➡️ prpilot's answer to this request is in [a newer comment](#issuecomment-{new_id})."


def tidy(github: GitHubPort, task: Task, number: int, body: str | None, *, settle: float,
         sleep: Callable[[float], None]) -> None:
    """Bring every status comment of ``task`` on #``number`` in line with its answer ``body``, once.

    First waits ``settle`` seconds, so a late write has landed. The comment the task holds gets
    ``body`` again when GitHub holds an older state (None: it is left as it is); any other comment
    of the task (a slow POST posted twice, one the answer could not be written into) is told where
    the answer is, or deleted when it cannot be edited. Never raises: the answer is on the thread
    already, this only takes back what a late write said after it.
    """
    sleep(settle)
    try:
        ours = github.comments_with(number, MARKER)
    except PrpilotError as exc:
        log.warning("could not look for other status comments of the task: %s", exc.message)
        return
    for comment_id, text in ours:
        if hidden_task_id(text) != task.id:
            continue
        try:
            if comment_id == task.status_comment_id:
                if body is not None and rank(text) < rank(body):
                    github.update_comment(comment_id, body)
            elif task.status_comment_id is not None:
                _retire(github, comment_id, pointer(task, task.status_comment_id))
        except PrpilotError as exc:
            log.warning("could not bring status comment %s to the task's end: %s", comment_id, exc.message)
            continue
        if comment_id in task.stale_comment_ids:
            task.stale_comment_ids.remove(comment_id)
    present = {comment_id for comment_id, _ in ours}
    task.stale_comment_ids = [c for c in task.stale_comment_ids if c in present]  # a deleted comment is fine


def _retire(github: GitHubPort, comment_id: int, text: str) -> None:
    """Point an extra status comment at the answer; delete it when it cannot be edited.

    A refused edit (403, or a 404 for a comment the thread still lists) is followed by a delete,
    which counts a comment already gone as done.
    """
    try:
        github.update_comment(comment_id, text)
    except GitHubError as exc:
        log.warning("could not edit status comment %s (%s); deleting it", comment_id, exc.message)
        github.delete_comment(comment_id)
