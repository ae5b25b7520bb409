"""The ledger: the home of spend and history, as JSON lines appended by compare-and-swap.

Three kinds of record, one JSON object per line:

- ``reservation`` — a task was admitted (``task_id``, ``user``, ``repository``, ``model``,
  ``thread``, ``run_id`` of the run that admitted it, ``at``, and ``hold_usd``, the most it may
  cost, :mod:`prpilot.billing.hold`);
- ``start`` — a run other than the admitting one took the task to run it (``task_id``, ``run_id``);
- ``settlement`` — a task's :class:`~prpilot.billing.bill.Bill` (``bill``, ``at``);
- ``delivery`` — that bill reached the billing endpoint (``task_id``, ``at``).

Records are sharded by the UTC month they were written in, one file per month (``2026-11.jsonl``),
so a read stays small. The rolling-hour rate limit can reach into last month, so in the first hour
of a month the previous month's file is read too (:func:`months_to_read`).

Every decision is a pure function over a list of records; :class:`Ledger` runs read → decide →
append → compare-and-swap write, retrying when another run wrote in between, so two concurrent
admissions can never both take the last slot.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from prpilot.billing.bill import Bill
from prpilot.errors import GitHubError, LedgerConflict
from prpilot.task import Task, utcnow
from prpilot.tuning import current as current_tuning

log = logging.getLogger(__name__)

RATE_WINDOW = timedelta(hours=1)


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: datetime

    @field_validator("at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Reservation(_Record):
    """A task was admitted: it counts for the rate limit from ``at`` on.

    ``hold_usd`` is what the task may cost at most (its max-cost); until the task's bill arrives the
    hold counts against the budgets, so tasks admitted together cannot overrun a budget by more than
    one task's cap. Lines written before holds existed read as a hold of 0.
    """

    kind: Literal["reservation"] = "reservation"
    task_id: str
    user: str
    repository: str = ""
    hold_usd: Decimal = Field(default=Decimal(0), ge=0)
    # What a run handed the task later checks it against (issue 28, item 7); empty on older lines.
    model: str = ""
    thread: int | None = None
    run_id: str = ""


class Start(_Record):
    """Run ``run_id`` took the admitted task ``task_id`` to run it (a dispatched worker run)."""

    kind: Literal["start"] = "start"
    task_id: str
    run_id: str


class Settlement(_Record):
    """A task's bill: its cost counts for the month ``at`` falls in."""

    kind: Literal["settlement"] = "settlement"
    bill: Bill


class Delivery(_Record):
    """The bill of ``task_id`` was accepted by the billing endpoint."""

    kind: Literal["delivery"] = "delivery"
    task_id: str


Record = Reservation | Settlement | Delivery | Start
_RECORD: TypeAdapter[Record] = TypeAdapter(Annotated[Record, Field(discriminator="kind")])


# --- the pure core -------------------------------------------------------------------------------


def month_key(at: datetime) -> str:
    """The shard a record written at ``at`` goes to: its UTC month, ``YYYY-MM``."""
    return at.astimezone(UTC).strftime("%Y-%m")


def months_to_read(now: datetime) -> tuple[str, ...]:
    """The shards a decision at ``now`` needs: this month, and last month during its first hour."""
    current, window_start = month_key(now), month_key(now - RATE_WINDOW)
    return (current,) if window_start == current else (window_start, current)


def parse_records(text: str) -> list[Record]:
    """Parse JSON lines; a line this version cannot read is logged and skipped, never fatal."""
    records: list[Record] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(_RECORD.validate_json(line))
        except ValidationError as exc:
            log.warning("ledger line %d skipped: %s", number, exc.errors()[0]["msg"])
        except (ValueError, ArithmeticError) as exc:  # a time the validators cannot move to UTC (year 1 at +01:00)
            log.warning("ledger line %d skipped: %s", number, exc)
    return records


def dump_records(records: Iterable[Record]) -> str:
    """Serialize records as JSON lines (each line newline-terminated)."""
    return "".join(record.model_dump_json() + "\n" for record in records)


def settlements(records: Iterable[Record]) -> dict[str, Settlement]:
    """Each task's settlement by task id; the first one wins, so settling twice never bills twice."""
    found: dict[str, Settlement] = {}
    for record in records:
        if isinstance(record, Settlement):
            found.setdefault(record.bill.task_id, record)
    return found


def spent_this_month(records: Iterable[Record], now: datetime, user: str | None = None) -> Decimal:
    """Settled cost in ``now``'s UTC calendar month (for ``user`` if given); unsettled tasks cost 0."""
    month = month_key(now)
    return sum(
        (
            s.bill.cost_usd
            for s in settlements(records).values()
            if month_key(s.at) == month and (user is None or s.bill.user == user)
        ),
        Decimal(0),
    )


def held_this_month(records: Iterable[Record], now: datetime, user: str | None = None) -> Decimal:
    """The holds of ``now``'s month still open: tasks admitted then with no bill yet (for ``user`` if given).

    A hold stays open until its task is settled, however long that takes: a task whose run died
    before settling may have spent up to its cap, and the month's end releases it.
    """
    records = list(records)
    month, settled = month_key(now), settlements(records)
    held = {
        r.task_id: r.hold_usd
        for r in records
        if isinstance(r, Reservation) and month_key(r.at) == month and r.task_id not in settled
        and (user is None or r.user == user)
    }
    return sum(held.values(), Decimal(0))


def tasks_in_last_hour(records: Iterable[Record], now: datetime) -> int:
    """Tasks admitted in the rolling hour before ``now``; one exactly an hour old is outside."""
    admitted = {r.task_id for r in records if isinstance(r, Reservation) and now - r.at < RATE_WINDOW}
    return len(admitted)


def unsent_bills(records: Iterable[Record]) -> list[Bill]:
    """Bills settled but not yet delivered to the billing endpoint, oldest first."""
    records = list(records)
    delivered = {r.task_id for r in records if isinstance(r, Delivery)}
    return [s.bill for task_id, s in settlements(records).items() if task_id not in delivered]


# --- the storage port and the ledger over it -----------------------------------------------------


class LedgerBackend(Protocol):
    """Where the ledger's month files live, with compare-and-swap writes."""

    def read(self) -> tuple[str | None, str]:
        """Return (version, text of the shards :func:`months_to_read` names now); version None = empty."""
        ...

    def write(self, version: str | None, changes: str) -> str:
        """Append ``changes`` (JSON lines) to this month's shard if still at ``version``; else LedgerConflict."""
        ...


Decide = Callable[[list[Record]], str | None]
Deliver = Callable[[list[Bill]], Sequence[str]]  # send these bills; the task ids the endpoint took


@runtime_checkable
class MonthReader(Protocol):
    """A backend that can also read whole months of the past, not only those a decision needs."""

    def read_months(self, months: Iterable[str]) -> str:
        """The records of these ``YYYY-MM`` months, as JSON lines."""
        ...


class Ledger:
    """Spend and history over a :class:`LedgerBackend`; every change is a retried compare-and-swap."""

    def __init__(
        self,
        backend: LedgerBackend,
        *,
        clock: Callable[[], datetime] = utcnow,
        attempts: int = 10,
        backoff: float = 0.05,
        failures: int = 2,
        failure_backoff: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.backend = backend
        self.clock = clock
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.failures = max(0, failures)  # failed requests tried again, per change
        self.failure_backoff = failure_backoff  # None: the process's HTTP tuning
        self.sleep = sleep

    def records(self) -> list[Record]:
        """The records of the shards that matter now (this month, plus last month in its first hour)."""
        return parse_records(self.backend.read()[1])

    def reserved_ids(self, months: Iterable[str], *, thread: int | None = None) -> set[str]:
        """The ids of the tasks admitted in these ``YYYY-MM`` months (on ``thread``, where the record names one).

        What prpilot really ran, whatever a comment says (issue 28, item 7): a status comment by the
        workflow's account is no proof, since every workflow of the repository writes as that account.
        """
        wanted = sorted(set(months))
        # A backend that keeps only what decisions need gives those months.
        text = self.backend.read_months(wanted) if isinstance(self.backend, MonthReader) else self.backend.read()[1]
        return {record.task_id for record in parse_records(text)
                if isinstance(record, Reservation) and month_key(record.at) in wanted
                and (thread is None or record.thread is None or record.thread == thread)}

    def admit(self, task: Task, decide: Decide, *, hold: Decimal = Decimal(0), model: str = "") -> str | None:
        """Reserve a slot (holding ``hold`` USD, for ``model``) for ``task`` unless ``decide`` returns a reason."""
        rejection: str | None = None

        def change(records: list[Record]) -> list[Reservation]:
            nonlocal rejection
            if any(isinstance(r, Reservation) and r.task_id == task.id for r in records):
                return []  # admitted already (an earlier attempt's write landed)
            rejection = decide(records)
            if rejection is not None:
                return []
            return [
                Reservation(task_id=task.id, user=task.github_user, repository=task.github_project, at=self.clock(),
                            hold_usd=hold, model=model, thread=task.thread_number, run_id=task.installation_id)
            ]

        self._update(change)
        return rejection

    def start(self, task_id: str, run_id: str, decide: Decide) -> str | None:
        """Record that run ``run_id`` runs ``task_id`` unless ``decide`` returns a reason; return it."""
        refusal: str | None = None

        def change(records: list[Record]) -> list[Start]:
            nonlocal refusal
            refusal = decide(records)
            if refusal is not None or any(isinstance(r, Start) and r.task_id == task_id and r.run_id == run_id
                                          for r in records):
                return []  # refused, or this run's earlier attempt took it already
            return [Start(task_id=task_id, run_id=run_id, at=self.clock())]

        self._update(change)
        return refusal

    def settle(self, bill: Bill | None, *, deliver: Deliver | None = None) -> None:
        """Record ``bill``; settling a task a second time changes nothing.

        ``deliver`` is handed the bills the ledger then holds unsent (``bill`` among them) and returns
        the task ids of those the billing endpoint took: their deliveries go into the same write as
        the settlement, one commit on the ledger rather than two. It is called again, on a fresh read,
        when the write starts over (a lost race), and must leave out what it has sent already; the
        deliveries it reported are recorded either way. ``bill`` None: the deliveries alone.
        """
        taken: dict[str, None] = {}

        def change(records: list[Record]) -> list[Record]:
            new: list[Record] = []
            if bill is not None and bill.task_id not in settlements(records):
                new.append(Settlement(bill=bill, at=self.clock()))
            if deliver is not None:
                taken.update(dict.fromkeys(deliver(unsent_bills([*records, *new]))))
                done = {r.task_id for r in records if isinstance(r, Delivery)}
                now = self.clock()
                new += [Delivery(task_id=t, at=now) for t in taken if t not in done]
            return new

        self._update(change)

    def _update(self, change: Callable[[list[Record]], Sequence[Record]]) -> None:
        """Read, decide and write until the write lands; every try starts from a fresh read.

        A lost race (LedgerConflict) means another run's write landed, so n concurrent writers need
        at most n tries. A request that failed for a passing reason (a 5xx after the client's own
        retries, a timeout) is tried again ``failures`` times: the fresh read shows whether a write whose
        answer was lost landed after all, and ``change`` then has nothing left to add. Nothing is
        ever written from a read that failed.
        """
        conflicts = failures = 0
        while True:
            try:
                version, text = self.backend.read()
                new = change(parse_records(text))
                if not new:
                    return
                self.backend.write(version, dump_records(new))
                return
            except LedgerConflict:
                conflicts += 1
                if conflicts >= self.attempts:
                    raise
                # Full jitter (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/)
                self.sleep(random.uniform(0, min(1.0, self.backoff * 2 ** (conflicts - 1))))
            except GitHubError as exc:
                failures += 1
                if failures > self.failures or not exc.transient:
                    raise
                log.warning("ledger: %s; trying again", exc.message)
                self.sleep(self._failure_backoff() * 2 ** (failures - 1))

    def _failure_backoff(self) -> float:
        return current_tuning().backoff if self.failure_backoff is None else self.failure_backoff
