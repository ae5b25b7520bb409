"""Trust verified, not asserted: what the ledger says about a task another run hands over. Pure.

A task reaches a worker as text anyone who can dispatch the worker workflow (or write to the queue)
can write, and a status comment's hidden task can be forged by any workflow posting as the same
account. So a run takes a task only when the ledger holds the reservation the scheduler wrote for
it, with the same id, requester, repository and model, and the task is neither settled nor taken
by another run; and ``/pilot stop`` cancels only a run the ledger recorded for a task of the thread
(issue 28, item 7). The ledger lives on a ref only prpilot's token writes, beside every bill.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from prpilot.billing.ledger import Record, Reservation, Start, settlements
from prpilot.task import Task


def reservation_of(records: Iterable[Record], task_id: str) -> Reservation | None:
    """The reservation admission wrote for ``task_id``, if any."""
    return next((r for r in records if isinstance(r, Reservation) and r.task_id == task_id), None)


def handover_refusal(records: Iterable[Record], task: Task, *, model: str, run_id: str | None = None) -> str | None:
    """Why this run must not take ``task`` (None: it may); ``run_id`` None skips the check of who runs it.

    ``model`` is the model this run would call: the one admission priced is the one that may spend.
    """
    records = list(records)
    reservation = reservation_of(records, task.id)
    if reservation is None:
        return f"task {task.id!r} has no reservation in the ledger: only a task prpilot admitted can be run"
    expected = {"requester": (reservation.user, task.github_user),
                "repository": (reservation.repository, task.github_project),
                "model": (reservation.model.lower(), model.lower())}
    differ = [name for name, (held, given) in expected.items() if held != given]
    if differ:
        return f"task {task.id!r} does not match its reservation in the ledger (different {' and '.join(differ)})"
    if task.id in settlements(records):
        return f"task {task.id!r} has ended already: the ledger holds its bill"
    taken = [r.run_id for r in records if isinstance(r, Start) and r.task_id == task.id]
    if run_id is not None and taken and taken[0] != run_id:
        return f"task {task.id!r} is run already by workflow run {taken[0]}"
    return None


@dataclass(frozen=True)
class Running:
    """A task the ledger shows running: the workflow run that runs it and who asked for it."""

    run_id: str
    user: str


def running_on_thread(records: Iterable[Record], thread: int) -> dict[str, Running]:
    """The tasks of ``thread`` the ledger (one per repository) shows admitted and not settled, by task id."""
    records = list(records)
    settled = settlements(records)
    started = {r.task_id: r.run_id for r in records if isinstance(r, Start)}
    return {
        r.task_id: Running(run_id=started.get(r.task_id, r.run_id), user=r.user)
        for r in records
        if isinstance(r, Reservation) and r.thread == thread and r.task_id not in settled
    }
