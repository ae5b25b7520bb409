"""The ledger: pure spend and rate decisions, and compare-and-swap admission across processes."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from prpilot.billing.bill import Bill
from prpilot.billing.ledger import (
    Delivery,
    Ledger,
    Record,
    Reservation,
    Settlement,
    Start,
    dump_records,
    held_this_month,
    month_key,
    months_to_read,
    parse_records,
    spent_this_month,
    tasks_in_last_hour,
    unsent_bills,
)
from prpilot.errors import GitHubError, LedgerConflict
from prpilot.task import Task
from prpilot.testing.stores import FileLedgerBackend

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


def bill(task_id: str, cost: str = "1", user: str = "octocat") -> Bill:
    return Bill(
        task_id=task_id, repository="acme/widgets", user=user, model="gpt-4o", prompt_tokens=1,
        cached_tokens=0, completion_tokens=1, cost_usd=Decimal(cost), run_id="1", created_at=NOW,
    )  # fmt: skip


def settled(task_id: str, at: datetime, cost: str = "1", user: str = "octocat") -> Settlement:
    return Settlement(bill=bill(task_id, cost, user), at=at)


def reserved(task_id: str, at: datetime, user: str = "octocat") -> Reservation:
    return Reservation(task_id=task_id, user=user, at=at)


def task(user: str = "octocat") -> Task:
    return Task(github_user=user, github_project="acme/widgets", user_request="fix it")


# --- pure -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 15, 12, tzinfo=UTC), ("2026-11",)),
        (datetime(2026, 11, 1, 0, 0, tzinfo=UTC), ("2026-10", "2026-11")),
        (datetime(2026, 11, 1, 0, 59, 59, tzinfo=UTC), ("2026-10", "2026-11")),
        (datetime(2026, 11, 1, 1, 0, tzinfo=UTC), ("2026-11",)),
        (datetime(2027, 1, 1, 0, 30, tzinfo=UTC), ("2026-12", "2027-01")),
        (datetime(2026, 11, 30, 23, 59, tzinfo=UTC), ("2026-11",)),
        # 01:30 in UTC+2 is 23:30 UTC the day before: months are UTC months
        (datetime(2026, 12, 1, 1, 30, tzinfo=timezone(timedelta(hours=2))), ("2026-11",)),
    ],
)
def test_months_to_read_reaches_back_only_in_the_first_hour(now: datetime, expected: tuple[str, ...]) -> None:
    assert months_to_read(now) == expected


@pytest.mark.parametrize(
    ("at", "counts"),
    [
        (datetime(2026, 11, 1, 0, 0, tzinfo=UTC), True),  # first instant of the month
        (datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=UTC), True),
        (datetime(2026, 10, 31, 23, 59, 59, 999999, tzinfo=UTC), False),  # last instant of last month
        (datetime(2026, 12, 1, 0, 0, tzinfo=UTC), False),
        (datetime(2025, 11, 15, 12, 0, tzinfo=UTC), False),  # same month, last year
    ],
)
def test_spent_this_month_is_the_utc_calendar_month(at: datetime, counts: bool) -> None:
    records: list[Record] = [settled("a", at, "2.5"), settled("b", NOW, "0.25")]
    assert spent_this_month(records, NOW) == Decimal("2.75" if counts else "0.25")


def test_spent_this_month_per_user_and_reservations_cost_nothing() -> None:
    records: list[Record] = [
        reserved("a", NOW),
        settled("a", NOW, "1.10", user="alice"),
        reserved("b", NOW, user="bob"),  # admitted, running: counts 0 until settled
        settled("c", NOW, "0.05", user="bob"),
        settled("a", NOW, "9.99", user="alice"),  # settled twice: the first one counts
    ]
    assert spent_this_month(records, NOW) == Decimal("1.15")
    assert spent_this_month(records, NOW, user="alice") == Decimal("1.10")
    assert spent_this_month(records, NOW, user="bob") == Decimal("0.05")
    assert spent_this_month(records, NOW, user="carol") == 0
    assert spent_this_month([], NOW) == 0


def test_holds_count_until_their_task_is_settled() -> None:
    last_month = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    records: list[Record] = [
        Reservation(task_id="a", user="alice", at=NOW, hold_usd=Decimal("2")),  # running
        Reservation(task_id="b", user="bob", at=NOW, hold_usd=Decimal("3")),
        settled("b", NOW, "0.40", user="bob"),  # billed: its bill counts instead of its hold
        Reservation(task_id="c", user="bob", at=NOW),  # no max-cost: holds nothing
        Reservation(task_id="d", user="bob", at=last_month, hold_usd=Decimal("5")),  # last month's
        Reservation(task_id="a", user="alice", at=NOW, hold_usd=Decimal("2")),  # a retried write, once
    ]
    assert held_this_month(records, NOW) == Decimal("2")
    assert held_this_month(records, NOW, user="alice") == Decimal("2")
    assert held_this_month(records, NOW, user="bob") == 0
    assert spent_this_month(records, NOW) == Decimal("0.40")


def test_a_reservation_written_before_holds_existed_holds_nothing() -> None:
    line = '{"kind": "reservation", "task_id": "old", "user": "alice", "at": "2026-11-15T12:00:00Z"}\n'
    [record] = parse_records(line)
    assert isinstance(record, Reservation)
    assert record.hold_usd == 0
    assert held_this_month([record], NOW) == 0


def test_admit_writes_the_hold(tmp_path: Path) -> None:
    ledger = file_ledger(tmp_path)
    assert ledger.admit(task("alice"), limit(5), hold=Decimal("1.5")) is None
    assert held_this_month(ledger.records(), NOW, user="alice") == Decimal("1.5")


def test_admit_records_what_a_handover_is_checked_against(tmp_path: Path) -> None:
    ledger = file_ledger(tmp_path)
    admitted = Task(github_user="alice", github_project="acme/widgets", user_request="fix it", issue_number=4,
                    installation_id="77")
    ledger.admit(admitted, limit(5), model="gpt-4o")
    [reservation] = ledger.records()
    assert isinstance(reservation, Reservation)
    assert (reservation.model, reservation.thread, reservation.run_id) == ("gpt-4o", 4, "77")


def test_start_records_the_run_once_and_nothing_when_refused(tmp_path: Path) -> None:
    ledger = file_ledger(tmp_path)
    assert ledger.start("t1", "200", lambda records: None) is None
    assert ledger.start("t1", "200", lambda records: None) is None  # a re-run of the same run adds nothing
    assert ledger.start("t2", "300", lambda records: "not admitted") == "not admitted"
    assert [(r.task_id, r.run_id) for r in ledger.records() if isinstance(r, Start)] == [("t1", "200")]


@pytest.mark.parametrize(
    ("age", "counts"),
    [
        (timedelta(0), True),
        (timedelta(minutes=59, seconds=59, microseconds=999999), True),
        (timedelta(seconds=3600), False),  # exactly an hour old: outside
        (timedelta(seconds=3601), False),
        (timedelta(seconds=-30), True),  # another runner's clock is ahead: still counts
    ],
)
def test_rate_window_is_a_rolling_hour_open_at_its_old_edge(age: timedelta, counts: bool) -> None:
    records: list[Record] = [reserved("old", NOW - age), settled("old", NOW), Delivery(task_id="old", at=NOW)]
    assert tasks_in_last_hour(records, NOW) == (1 if counts else 0)


def test_rate_window_spans_the_month_boundary() -> None:
    now = datetime(2026, 12, 1, 0, 10, tzinfo=UTC)
    records = [reserved("a", now - timedelta(minutes=30)), reserved("b", now - timedelta(minutes=5))]
    assert tasks_in_last_hour(records, now) == 2
    assert spent_this_month([settled("a", now - timedelta(minutes=30))], now) == 0


def test_unsent_bills_are_settled_minus_delivered() -> None:
    records: list[Record] = [
        reserved("a", NOW), settled("a", NOW), settled("b", NOW), Delivery(task_id="a", at=NOW),
        reserved("c", NOW), settled("d", NOW), settled("b", NOW, "5"),
    ]  # fmt: skip
    assert [(b.task_id, b.cost_usd) for b in unsent_bills(records)] == [("b", Decimal(1)), ("d", Decimal(1))]


def test_records_round_trip_and_unreadable_lines_are_skipped() -> None:
    records: list[Record] = [reserved("a", NOW), settled("a", NOW, "0.000000300"), Delivery(task_id="a", at=NOW)]
    text = dump_records(records)
    assert '"cost_usd":"0.000000300"' in text
    assert parse_records(text) == records
    noisy = '{"kind": "refund", "at": "2026-11-01T00:00:00Z"}\nnot json\n\n' + text
    assert parse_records(noisy) == records


def test_naive_times_are_read_as_utc() -> None:
    (record,) = parse_records('{"kind":"reservation","task_id":"a","user":"u","at":"2026-11-01T00:00:00"}')
    assert record.at == datetime(2026, 11, 1, tzinfo=UTC)
    assert month_key(record.at) == "2026-11"


# --- the ledger over a file backend ---------------------------------------------------------------


def file_ledger(path: Path, now: datetime = NOW) -> Ledger:
    return Ledger(FileLedgerBackend(path, clock=lambda: now), clock=lambda: now)


def limit(n: int) -> Callable[[list[Record]], str | None]:
    return lambda records: f"rate limit {n}/hour reached" if tasks_in_last_hour(records, NOW) >= n else None


def test_admit_settle_deliver(tmp_path: Path) -> None:
    ledger = file_ledger(tmp_path)
    first, second = task(), task()
    assert ledger.admit(first, limit(1)) is None
    assert ledger.admit(first, limit(1)) is None  # the same task again: already admitted, no new slot
    assert ledger.admit(second, limit(1)) == "rate limit 1/hour reached"
    ledger.settle(bill(first.id, "0.5"))
    ledger.settle(bill(first.id, "0.5"))
    assert [b.task_id for b in unsent_bills(ledger.records())] == [first.id]
    ledger.settle(None, deliver=lambda bills: [b.task_id for b in bills])  # the endpoint took it
    ledger.settle(None, deliver=lambda bills: [first.id])  # told twice: recorded once
    records = ledger.records()
    assert [r.kind for r in records] == ["reservation", "settlement", "delivery"]
    assert unsent_bills(records) == []
    assert spent_this_month(records, NOW) == Decimal("0.5")
    assert (tmp_path / "2026-11.jsonl").read_text() == dump_records(records)


def test_files_are_sharded_by_month_and_read_across_the_boundary(tmp_path: Path) -> None:
    file_ledger(tmp_path, datetime(2026, 10, 31, 23, 30, tzinfo=UTC)).admit(task(), limit(2))
    early = file_ledger(tmp_path, datetime(2026, 11, 1, 0, 10, tzinfo=UTC))
    assert early.admit(task(), limit(2)) is None
    assert len(early.records()) == 2
    late = file_ledger(tmp_path, datetime(2026, 11, 1, 1, 0, tzinfo=UTC))
    assert len(late.records()) == 1
    assert sorted(p.name for p in tmp_path.glob("*.jsonl")) == ["2026-10.jsonl", "2026-11.jsonl"]


def test_file_backend_refuses_a_stale_version(tmp_path: Path) -> None:
    backend = FileLedgerBackend(tmp_path, clock=lambda: NOW)
    version, text = backend.read()
    assert text == ""
    new_version = backend.write(version, dump_records([reserved("a", NOW)]))
    with pytest.raises(LedgerConflict):
        backend.write(version, dump_records([reserved("b", NOW)]))
    assert backend.read() == (new_version, dump_records([reserved("a", NOW)]))


class FlakyBackend:
    """Loses the compare-and-swap ``losses`` times: another writer lands a reservation each time."""

    def __init__(self, losses: int) -> None:
        self.losses = losses
        self.lines: list[str] = []
        self.writes = 0

    def read(self) -> tuple[str | None, str]:
        return str(len(self.lines)), "".join(self.lines)

    def write(self, version: str | None, changes: str) -> str:
        self.writes += 1
        if self.losses:
            self.losses -= 1
            self.lines.append(dump_records([reserved(f"other-{self.losses}", NOW)]))
            raise LedgerConflict("lost")
        if version != str(len(self.lines)):
            raise LedgerConflict("stale")
        self.lines.append(changes)
        return str(len(self.lines))


def test_admit_retries_a_lost_race_and_decides_again() -> None:
    backend, sleeps = FlakyBackend(losses=2), list[float]()
    ledger = Ledger(backend, clock=lambda: NOW, sleep=sleeps.append)
    assert ledger.admit(task(), limit(2)) == "rate limit 2/hour reached"  # the winners took the slots
    assert backend.writes == 2
    assert len(sleeps) == 2
    assert all(0 <= s <= 1 for s in sleeps)


def test_retries_are_bounded() -> None:
    ledger = Ledger(FlakyBackend(losses=99), clock=lambda: NOW, attempts=3, sleep=lambda _: None)
    with pytest.raises(LedgerConflict):
        ledger.settle(bill("a"))


# --- many processes at once -----------------------------------------------------------------------


def _admit_one(path: str, start: multiprocessing.synchronize.Barrier) -> None:
    ledger = Ledger(FileLedgerBackend(path, clock=lambda: NOW), clock=lambda: NOW, attempts=30, backoff=0.01)
    start.wait()
    raise SystemExit(0 if ledger.admit(task(), limit(5)) is None else 3)


def _settle_one(path: str, start: multiprocessing.synchronize.Barrier, number: int) -> None:
    ledger = Ledger(FileLedgerBackend(path, clock=lambda: NOW), clock=lambda: NOW, backoff=0.01)
    start.wait()
    ledger.settle(bill(f"task-{number}", "0.1"))


def _run_all(target: Callable[..., None], argsets: list[tuple[object, ...]]) -> list[int | None]:
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=target, args=args) for args in argsets]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    return [process.exitcode for process in processes]


@pytest.mark.slow
def test_twenty_processes_admitting_with_limit_five_admit_exactly_five(tmp_path: Path) -> None:
    start = multiprocessing.get_context("fork").Barrier(20)
    codes = _run_all(_admit_one, [(str(tmp_path), start)] * 20)
    assert sorted(code or 0 for code in codes) == [0] * 5 + [3] * 15
    assert None not in codes
    records = file_ledger(tmp_path).records()
    assert tasks_in_last_hour(records, NOW) == 5


@pytest.mark.slow
def test_ten_processes_settling_at_once_lose_no_record(tmp_path: Path) -> None:
    start = multiprocessing.get_context("fork").Barrier(10)
    codes = _run_all(_settle_one, [(str(tmp_path), start, n) for n in range(10)])
    assert codes == [0] * 10
    records = file_ledger(tmp_path).records()
    assert sorted(b.task_id for b in unsent_bills(records)) == sorted(f"task-{n}" for n in range(10))
    assert spent_this_month(records, NOW) == Decimal("1.0")


class LostAnswerBackend(FlakyBackend):
    """Carries the first ``lost`` writes out but answers them with a GitHubError (a PATCH timed out or got a 502)."""

    def __init__(self, lost: int, status: int | None = None, *, applied: bool = True) -> None:
        super().__init__(losses=0)
        self.lost, self.status, self.applied = lost, status, applied

    def write(self, version: str | None, changes: str) -> str:
        if not (self.applied or not self.lost):
            self.writes += 1
        result = super().write(version, changes) if self.applied or not self.lost else ""
        if self.lost:
            self.lost -= 1
            raise GitHubError("could not write the ledger: GitHub answered 502", status=self.status)
        return result


@pytest.mark.parametrize("status", [None, 500, 502])
def test_a_settlement_whose_answer_was_lost_is_read_again_not_written_twice(status: int | None) -> None:
    # Issue 13, class 1: a single 5xx or timeout on the settlement's write lost the bill.
    backend, sleeps = LostAnswerBackend(lost=1, status=status), list[float]()
    ledger = Ledger(backend, clock=lambda: NOW, failure_backoff=0.5, sleep=sleeps.append)

    ledger.settle(bill("a"))

    assert backend.writes == 1  # the second try read the settlement back and had nothing to add
    assert [s.bill.task_id for s in parse_records("".join(backend.lines)) if isinstance(s, Settlement)] == ["a"]
    assert sleeps == [0.5]


def test_a_write_that_keeps_failing_gives_up_after_a_bound_and_a_refusal_at_once() -> None:
    failing = LostAnswerBackend(lost=99, status=502, applied=False)
    with pytest.raises(GitHubError):
        Ledger(failing, clock=lambda: NOW, failures=2, failure_backoff=0, sleep=lambda _: None).settle(bill("a"))
    assert failing.writes == 3
    refused = LostAnswerBackend(lost=99, status=403, applied=False)
    with pytest.raises(GitHubError):
        Ledger(refused, clock=lambda: NOW, failure_backoff=0, sleep=lambda _: None).admit(task(), limit(5))
    assert refused.writes == 1  # GitHub said no: asking again changes nothing
    assert failing.lines == refused.lines == []


def test_reserved_ids_read_any_month_and_only_the_thread_a_task_was_admitted_on(tmp_path: Path) -> None:
    october = NOW - timedelta(days=40)
    old, here, elsewhere = (Task(github_user="alice", github_project="o/r", user_request=r, issue_number=n)
                            for r, n in (("old", 7), ("here", 7), ("elsewhere", 8)))
    assert file_ledger(tmp_path, october).admit(old, lambda records: None) is None
    for task in (here, elsewhere):
        assert file_ledger(tmp_path).admit(task, lambda records: None) is None
    ledger = file_ledger(tmp_path)

    # A decision reads this month alone; what came before on a thread may be months old.
    assert {r.task_id for r in ledger.records()} == {here.id, elsewhere.id}
    assert ledger.reserved_ids({month_key(october), month_key(NOW)}, thread=7) == {old.id, here.id}
    assert ledger.reserved_ids({month_key(NOW)}) == {here.id, elsewhere.id}
    assert ledger.reserved_ids({"2020-01"}) == set()


def test_a_ledger_line_with_an_out_of_range_time_is_skipped_not_fatal() -> None:
    """A ledger line whose ``at`` cannot be moved to UTC (year 1 at +01:00) raised OverflowError out of
    parse_records: every admission then failed as "prpilot hit an internal error (OverflowError: date value out
    of range)" and ``prpilot spend`` exited 2 with an internal error. parse_records promises to skip what it
    cannot read."""
    from prpilot.billing.ledger import parse_records

    text = ('{"kind":"delivery","task_id":"x","at":"0001-01-01T00:00:00+01:00"}\n'
            '{"kind":"delivery","task_id":"y","at":"9999-12-31T23:30:00-01:00"}\n'
            '{"kind":"delivery","task_id":"ok","at":"2026-11-02T10:00:00Z"}\n')

    records = parse_records(text)

    assert [record.task_id for record in records] == ["ok"]  # type: ignore[union-attr]
