"""Bill delivery: one exchange at a time with ``responses``, then end to end over a socket."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
import requests
import responses
import yaml

from prpilot.billing.bill import Bill, create_bill
from prpilot.billing.delivery import BillingClient, BillingUnavailable, deliver_pending
from prpilot.billing.ledger import Ledger, unsent_bills
from prpilot.billing.pricing import DEFAULT_PRICES
from prpilot.errors import BillingError, LedgerConflict
from prpilot.task import Task, Usage
from prpilot.testing.stores import FileLedgerBackend

URL = "https://billing.example/bills"
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


def bill(task_id: str = "t1", cost: str = "0.0123") -> Bill:
    return Bill(
        task_id=task_id, repository="acme/widgets", user="octocat", model="gpt-4o", prompt_tokens=1000,
        cached_tokens=200, completion_tokens=300, cost_usd=Decimal(cost), run_id="77", created_at=NOW,
    )  # fmt: skip


class FakeTime:
    """A clock that only moves when the client sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def client(time: FakeTime, url: str = URL, deadline: float = 10.0) -> BillingClient:
    return BillingClient(url, "tok", deadline=deadline, backoff=0.5, sleep=time.sleep, clock=time.clock)


@responses.activate
def test_send_posts_the_bill_with_auth_and_idempotency_key() -> None:
    responses.post(URL, status=201, json={})
    client(FakeTime()).send(bill())
    (call,) = responses.calls
    assert call.request.headers["Authorization"] == "Bearer tok"
    assert call.request.headers["Idempotency-Key"] == "t1"
    assert call.request.headers["Content-Type"] == "application/json"
    body = json.loads(call.request.body or b"")
    assert body["cost_usd"] == "0.0123"
    assert {k: body[k] for k in ("task_id", "repository", "user", "model", "run_id")} == {
        "task_id": "t1", "repository": "acme/widgets", "user": "octocat", "model": "gpt-4o", "run_id": "77",
    }  # fmt: skip
    assert (body["prompt_tokens"], body["cached_tokens"], body["completion_tokens"]) == (1000, 200, 300)


@pytest.mark.parametrize(
    ("failure", "sleeps"),
    [
        (responses.Response("POST", URL, status=500), [0.5, 1.0]),
        (responses.Response("POST", URL, status=503), [0.5, 1.0]),
        (responses.Response("POST", URL, status=429, headers={"Retry-After": "3"}), [3.0, 3.0]),
        (responses.Response("POST", URL, body=requests.ConnectionError("refused")), [0.5, 1.0]),
        (responses.Response("POST", URL, body=requests.ReadTimeout("slow")), [0.5, 1.0]),
    ],
)
@responses.activate
def test_send_retries_what_may_pass_later(failure: responses.Response, sleeps: list[float]) -> None:
    responses.add(failure)
    responses.add(failure)
    responses.post(URL, status=200, json={})
    time = FakeTime()
    client(time).send(bill())
    assert len(responses.calls) == 3
    assert time.sleeps == sleeps


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
@responses.activate
def test_send_does_not_retry_a_refusal(status: int) -> None:
    responses.post(URL, status=status, body="bad token")
    time = FakeTime()
    with pytest.raises(BillingError, match=f"HTTP {status} bad token") as caught:
        client(time).send(bill())
    assert not isinstance(caught.value, BillingUnavailable)
    assert len(responses.calls) == 1
    assert time.sleeps == []


@responses.activate
def test_send_gives_up_within_the_deadline() -> None:
    responses.post(URL, status=502)
    time = FakeTime()
    with pytest.raises(BillingUnavailable, match=r"after 5 attempt\(s\) in 7.5s: HTTP 502"):
        client(time).send(bill())
    assert time.sleeps == [0.5, 1.0, 2.0, 4.0]  # the next wait (8 s) would pass 10 s
    assert time.now <= 10


@responses.activate
def test_retry_after_beyond_the_deadline_gives_up_at_once() -> None:
    responses.post(URL, status=429, headers={"Retry-After": "3600"})
    with pytest.raises(BillingUnavailable, match="HTTP 429"):
        client(FakeTime()).send(bill())
    assert len(responses.calls) == 1


# --- deliver_pending ------------------------------------------------------------------------------


class FakeSender:
    """Accepts bills unless told it is down or told to refuse some."""

    def __init__(self, *, down: bool = False, refuse: frozenset[str] = frozenset()) -> None:
        self.down = down
        self.refuse = refuse
        self.sent: list[str] = []

    def send(self, bill: Bill) -> None:
        if self.down:
            raise BillingUnavailable("billing endpoint did not take the bill: could not reach it")
        if bill.task_id in self.refuse:
            raise BillingError(f"refused {bill.task_id}")
        self.sent.append(bill.task_id)


def ledger(path: Path) -> Ledger:
    return Ledger(FileLedgerBackend(path, clock=lambda: NOW), clock=lambda: NOW)


def test_a_run_after_an_outage_delivers_both_bills_once(tmp_path: Path) -> None:
    books, sender = ledger(tmp_path), FakeSender(down=True)
    books.settle(bill("t1"))
    with pytest.raises(BillingUnavailable, match="1 bill"):
        deliver_pending(books, sender)
    books.settle(bill("t2"))
    sender.down = False
    assert deliver_pending(books, sender) == ["t1", "t2"]
    assert deliver_pending(books, sender) == []
    assert sender.sent == ["t1", "t2"]
    assert unsent_bills(books.records()) == []


def test_a_refused_bill_does_not_hold_back_the_others(tmp_path: Path) -> None:
    books, sender = ledger(tmp_path), FakeSender(refuse=frozenset({"t1"}))
    books.settle(bill("t1"))
    books.settle(bill("t2"))
    with pytest.raises(BillingError, match="refused t1"):
        deliver_pending(books, sender)
    assert sender.sent == ["t2"]
    assert [b.task_id for b in unsent_bills(books.records())] == ["t1"]


class BrokenSender:
    """A sender with a bug of its own: it raises something that is no BillingError."""

    def send(self, bill: Bill) -> None:
        raise RuntimeError("boom")


def test_a_sender_that_breaks_leaves_the_settlement_written_and_the_bill_waiting(tmp_path: Path) -> None:
    books = ledger(tmp_path)
    books.settle(bill("t1"))
    with pytest.raises(BillingUnavailable, match=r"the billing sender failed \(RuntimeError: boom\); 2 bill"):
        deliver_pending(books, BrokenSender(), bill("t2"))
    # The settlement made in the same write is there, and both bills wait for the next run.
    assert [b.task_id for b in unsent_bills(books.records())] == ["t1", "t2"]
    sender = FakeSender()
    assert deliver_pending(books, sender) == ["t1", "t2"]


# --- end to end over a socket ---------------------------------------------------------------------


def test_end_to_end_with_a_receiver_that_goes_down(tmp_path: Path) -> None:
    billing_server = pytest.importorskip("prpilot.testing.billing_server")
    books = ledger(tmp_path)
    with billing_server.BillingServer(token="tok") as server:
        real = BillingClient(server.url, "tok", timeout=1.0, deadline=0.5, backoff=0.05)
        books.settle(bill("t1", "0.5"))
        server.down("refuse")
        with pytest.raises(BillingUnavailable):
            deliver_pending(books, real)
        server.down("503")
        with pytest.raises(BillingUnavailable, match="HTTP 503"):
            deliver_pending(books, real)
        server.up()
        books.settle(bill("t2", "0.25"))
        assert deliver_pending(books, real) == ["t1", "t2"]
        assert deliver_pending(books, real) == []
        assert [(b["task_id"], b["cost_usd"]) for b in server.bills] == [("t1", "0.5"), ("t2", "0.25")]
        assert [r.key for r in server.received] == ["t1", "t2"]
        # A run that died after sending but before recording sends again: the key makes it a no-op.
        real.send(bill("t1", "0.5"))
        assert server.replays == 1
        assert len(server.bills) == 2
        with pytest.raises(BillingError, match="HTTP 401"):
            BillingClient(server.url, "wrong").send(bill("t3"))


# --- the published contract -----------------------------------------------------------------------


def test_bills_match_the_published_openapi_schema() -> None:
    doc = yaml.safe_load((Path(__file__).parents[2] / "docs" / "billing-openapi.yaml").read_text())
    schema = doc["components"]["schemas"]["Bill"]
    assert set(schema["properties"]) == set(Bill.model_fields)
    for sample in (bill(), bill(cost="3E-7"), bill(cost="0")):
        jsonschema.validate(json.loads(sample.model_dump_json()), schema, cls=jsonschema.Draft202012Validator)
    example = doc["paths"]["/bills"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    parsed = Bill.model_validate(example["completed"]["value"])
    usage = Usage(
        prompt_tokens=parsed.prompt_tokens,
        cached_tokens=parsed.cached_tokens,
        completion_tokens=parsed.completion_tokens,
    )
    task = Task(github_user=parsed.user, github_project=parsed.repository, user_request="x")
    assert create_bill(task, usage, parsed.model, DEFAULT_PRICES, "1").cost_usd == parsed.cost_usd


def test_the_published_fallback_example_is_a_bill_split_by_model() -> None:
    doc = yaml.safe_load((Path(__file__).parents[2] / "docs" / "billing-openapi.yaml").read_text())
    schema = doc["components"]["schemas"]["Bill"]
    example = doc["paths"]["/bills"]["post"]["requestBody"]["content"]["application/json"]["examples"]["fallback"]
    jsonschema.validate(example["value"], schema, cls=jsonschema.Draft202012Validator)
    parsed = Bill.model_validate(example["value"])
    shares = {
        share.model: Usage(prompt_tokens=share.prompt_tokens, cached_tokens=share.cached_tokens,
                           completion_tokens=share.completion_tokens)
        for share in parsed.models
    }
    total = sum(shares.values(), Usage())
    task = Task(github_user=parsed.user, github_project=parsed.repository, user_request="x")
    rebuilt = create_bill(task, total, parsed.model, DEFAULT_PRICES, "1", by_model=shares)
    assert (rebuilt.prompt_tokens, rebuilt.completion_tokens) == (parsed.prompt_tokens, parsed.completion_tokens)
    assert rebuilt.cost_usd == parsed.cost_usd == sum(share.cost_usd for share in parsed.models)
    assert [share.cost_usd for share in rebuilt.models] == [share.cost_usd for share in parsed.models]
    jsonschema.validate(json.loads(rebuilt.model_dump_json()), schema, cls=jsonschema.Draft202012Validator)


def test_the_published_copilot_example_says_who_paid_and_is_priced_at_the_model_price() -> None:
    doc = yaml.safe_load((Path(__file__).parents[2] / "docs" / "billing-openapi.yaml").read_text())
    example = doc["paths"]["/bills"]["post"]["requestBody"]["content"]["application/json"]["examples"]["copilot"]
    parsed = Bill.model_validate(example["value"])
    jsonschema.validate(example["value"], doc["components"]["schemas"]["Bill"], cls=jsonschema.Draft202012Validator)
    usage = Usage(prompt_tokens=parsed.prompt_tokens, cached_tokens=parsed.cached_tokens,
                  completion_tokens=parsed.completion_tokens, calls=1)
    task = Task(github_user=parsed.user, github_project=parsed.repository, user_request="x")
    made = create_bill(task, usage, parsed.model, DEFAULT_PRICES, "1", billed_to={parsed.model: "copilot"})
    assert (made.cost_usd, made.billed_to, made.models[0].billed_to) == (parsed.cost_usd, "copilot", "copilot")


class Counting:
    """A backend that counts its reads and writes, and can lose the race of its first write."""

    def __init__(self, inner: FileLedgerBackend, *, lose_first_write: bool = False) -> None:
        self.inner = inner
        self.reads = self.writes = 0
        self.lose = lose_first_write

    def read(self) -> tuple[str | None, str]:
        self.reads += 1
        return self.inner.read()

    def write(self, version: str | None, changes: str) -> str:
        self.writes += 1
        if self.lose:
            self.lose = False
            raise LedgerConflict("another run wrote first")
        return self.inner.write(version, changes)


def test_settling_and_delivering_are_one_read_and_one_write(tmp_path: Path) -> None:
    ledger(tmp_path).settle(bill("t0"))  # another run's bill, left unsent
    backend = Counting(FileLedgerBackend(tmp_path, clock=lambda: NOW))
    books, sender = Ledger(backend, clock=lambda: NOW), FakeSender()

    assert deliver_pending(books, sender, bill("t1")) == ["t0", "t1"]

    assert (backend.reads, backend.writes) == (1, 1)
    kinds = [r.kind for r in books.records()]
    assert kinds == ["settlement", "settlement", "delivery", "delivery"]
    assert unsent_bills(books.records()) == []


def test_a_write_that_starts_over_sends_nothing_twice_and_records_every_delivery(tmp_path: Path) -> None:
    backend = Counting(FileLedgerBackend(tmp_path, clock=lambda: NOW), lose_first_write=True)
    books, sender = Ledger(backend, clock=lambda: NOW, sleep=lambda _: None), FakeSender()

    assert deliver_pending(books, sender, bill("t1")) == ["t1"]

    assert sender.sent == ["t1"]
    assert (backend.reads, backend.writes) == (2, 2)
    assert [r.kind for r in books.records()] == ["settlement", "delivery"]


def test_bills_the_endpoint_did_not_take_are_settled_and_wait(tmp_path: Path) -> None:
    books = ledger(tmp_path)
    with pytest.raises(BillingUnavailable, match="1 bill"):
        deliver_pending(books, FakeSender(down=True), bill("t1"))
    with pytest.raises(BillingError, match="refused t2"):
        deliver_pending(books, FakeSender(refuse=frozenset({"t2"})), bill("t2"))
    assert [b.task_id for b in unsent_bills(books.records())] == ["t2"]  # t1 went with t2's round
