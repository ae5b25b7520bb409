"""The meter's settling: the ledger and the billing endpoint each keep a bill the other could not take."""

from __future__ import annotations

from prpilot.billing.bill import Bill
from prpilot.billing.ledger import Ledger, Settlement, parse_records, unsent_bills
from prpilot.billing.meter import Meter
from prpilot.billing.pricing import DEFAULT_PRICES
from prpilot.errors import BillingError, GitHubError
from prpilot.task import Task, Usage
from prpilot.testing.notices import RecordedNotices


class Backend:
    """A ledger backend in memory that can be told to fail every request."""

    def __init__(self, failing: bool = False) -> None:
        self.text, self.failing = "", failing

    def read(self) -> tuple[str | None, str]:
        if self.failing:
            raise GitHubError("could not read the ledger: GitHub answered 502", status=502)
        return str(len(self.text)), self.text

    def write(self, version: str | None, changes: str) -> str:
        self.text += changes
        return str(len(self.text))


class Endpoint:
    """The billing endpoint: takes bills, or refuses every one when down."""

    def __init__(self, down: bool = False) -> None:
        self.bills: list[Bill] = []
        self.down = down

    def send(self, bill: Bill) -> None:
        if self.down:
            raise BillingError("billing endpoint did not take the bill")
        self.bills.append(bill)


def _meter(backend: Backend, endpoint: Endpoint, notices: RecordedNotices | None = None) -> Meter:
    ledger = Ledger(backend, failure_backoff=0, sleep=lambda _: None)
    meter = Meter("gpt-4.1-mini", DEFAULT_PRICES, "1", ledger=ledger, billing=endpoint, notices=notices)
    meter.usage = Usage(prompt_tokens=1000, completion_tokens=100, calls=2)
    return meter


def _task() -> Task:
    return Task(github_user="alice", github_project="o/r", user_request="fix it")


def test_a_bill_the_ledger_cannot_take_still_reaches_the_billing_endpoint() -> None:
    # Issue 13, class 1: the billing POST was only sent after the ledger's write had succeeded.
    task, endpoint, notices = _task(), Endpoint(), RecordedNotices()

    bill = _meter(Backend(failing=True), endpoint, notices).settle(task)

    assert endpoint.bills == [bill]
    assert bill.task_id == task.id
    assert bill.prompt_tokens == 1000
    assert notices.warnings == [
        "billing: the ledger could not take the bill: could not read the ledger: GitHub answered 502"]


def test_a_bill_the_endpoint_cannot_take_waits_in_the_ledger() -> None:
    backend, task, notices = Backend(), _task(), RecordedNotices()

    _meter(backend, Endpoint(down=True), notices).settle(task)

    assert len(notices.warnings) == 1
    assert "billing endpoint did not take the bill" in notices.warnings[0]

    records = parse_records(backend.text)
    assert [r.bill.task_id for r in records if isinstance(r, Settlement)] == [task.id]
    assert [b.task_id for b in unsent_bills(records)] == [task.id]


def test_with_both_up_the_bill_is_recorded_sent_and_marked_delivered() -> None:
    backend, endpoint, task = Backend(), Endpoint(), _task()

    _meter(backend, endpoint).settle(task)

    assert [b.task_id for b in endpoint.bills] == [task.id]
    assert unsent_bills(parse_records(backend.text)) == []


class BrokenEndpoint:
    """A billing sender of a library user's with a bug: it raises what no BillingError wraps."""

    def send(self, bill: Bill) -> None:
        raise KeyError("cost_usd")


class BrokenBackend(Backend):
    """A ledger backend with a bug: its read raises what no GitHubError wraps."""

    def read(self) -> tuple[str | None, str]:
        raise TypeError("unexpected answer")


def test_a_sender_that_breaks_never_fails_the_settling_and_the_bill_waits_in_the_ledger() -> None:
    backend, task, notices = Backend(), _task(), RecordedNotices()

    bill = _meter(backend, BrokenEndpoint(), notices).settle(task)

    assert bill.task_id == task.id
    assert notices.warnings == [
        "billing: the billing sender failed (KeyError: 'cost_usd'); 1 bill(s) wait for the next run"]
    assert [b.task_id for b in unsent_bills(parse_records(backend.text))] == [task.id]


def test_a_ledger_that_breaks_never_fails_the_settling_and_the_endpoint_gets_the_bill() -> None:
    endpoint, notices = Endpoint(), RecordedNotices()

    bill = _meter(BrokenBackend(), endpoint, notices).settle(_task())

    assert endpoint.bills == [bill]
    assert notices.warnings == ["billing: the ledger could not take the bill: TypeError: unexpected answer"]


def test_usage_added_in_turns_is_billed_as_its_sum() -> None:
    meter = Meter("gpt-5-mini", DEFAULT_PRICES, "7")
    meter.add(Usage(prompt_tokens=1000, completion_tokens=10, calls=1))
    meter.add(Usage(prompt_tokens=500, cached_tokens=100, completion_tokens=5, calls=1))
    assert meter.usage == Usage(prompt_tokens=1500, cached_tokens=100, completion_tokens=15, calls=2)
    assert meter.cost() == Meter("gpt-5-mini", DEFAULT_PRICES, "7", usage=meter.usage).cost() > 0
