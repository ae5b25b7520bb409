"""Deliver bills to the billing endpoint (contract: docs/billing-openapi.yaml).

Each bill is POSTed as JSON with ``Idempotency-Key: <task id>``, so a bill sent twice (a run died
between sending and recording the delivery) is billed once. Bills wait in the ledger until the
endpoint accepts them, so a run after an outage delivers every bill the outage held back. A run
sends them between its ledger read and its write, and records its own bill and the deliveries in
that one write (:func:`deliver_pending`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Protocol

import requests

from prpilot.billing.bill import Bill
from prpilot.billing.ledger import Ledger
from prpilot.errors import BillingError
from prpilot.task import utcnow


class BillingUnavailable(BillingError):
    """The endpoint could not be reached, or kept answering 5xx/429, until the time bound ran out."""


class BillSender(Protocol):
    """Something that delivers one bill or raises BillingError."""

    def send(self, bill: Bill) -> None: ...


def _retry_after(response: requests.Response) -> float | None:
    # https://www.rfc-editor.org/rfc/rfc9110#field.retry-after: delay-seconds or an HTTP date.
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


class BillingClient:
    """POST bills to ``url``; retry 5xx, 429, timeouts and connection errors within ``deadline`` seconds."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = 5.0,
        deadline: float = 10.0,
        backoff: float = 0.5,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout
        self.deadline = deadline
        self.backoff = backoff
        self.session = session or requests.Session()
        self.sleep = sleep
        self.clock = clock

    def send(self, bill: Bill) -> None:
        """Deliver ``bill``; BillingError if refused (4xx), BillingUnavailable if out of time."""
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": bill.task_id,
            "Content-Type": "application/json",
            "User-Agent": "prpilot",
        }
        body = bill.model_dump_json()
        start = self.clock()
        attempt = 0
        while True:
            attempt += 1
            left = self.deadline - (self.clock() - start)
            wait: float | None = None
            try:
                response = self.session.post(
                    self.url, data=body, headers=headers, timeout=max(0.1, min(self.timeout, left))
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                problem = f"could not reach it ({type(exc).__name__})"
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return
                if status != 429 and status < 500:
                    raise BillingError(
                        f"billing endpoint refused the bill of task {bill.task_id}: "
                        f"HTTP {status} {response.text[:200].strip()}".rstrip()
                    )
                problem = f"HTTP {status}"
                wait = _retry_after(response)
            delay = self.backoff * 2 ** (attempt - 1) if wait is None else wait
            elapsed = self.clock() - start
            if elapsed + delay >= self.deadline:
                raise BillingUnavailable(
                    f"billing endpoint did not take the bill of task {bill.task_id} "
                    f"after {attempt} attempt(s) in {elapsed:.1f}s: {problem}"
                )
            self.sleep(delay)


def deliver_pending(ledger: Ledger, client: BillSender, settling: Bill | None = None) -> list[str]:
    """Send every bill the ledger holds undelivered and record each delivery; return their task ids.

    ``settling``: a bill to record first, in the same write as the deliveries (the ledger's
    :meth:`~prpilot.billing.ledger.Ledger.settle`): one read and one commit on the ledger for the
    settlement and the deliveries together. A refused bill (4xx) does not hold back the others; an
    unreachable endpoint stops the round, leaving the rest for the next run. Deliveries made are
    recorded either way; the error is raised after the write. A sender that raises anything but a
    :class:`BillingError` is taken for an unreachable endpoint: the bill may have gone (its
    Idempotency-Key bills it once when it goes again), and the ledger's write goes on.
    """
    delivered: list[str] = []
    tried: set[str] = set()
    refusals: list[str] = []
    unreachable: list[BillingUnavailable] = []

    def deliver(pending: list[Bill]) -> list[str]:
        if unreachable:
            return delivered  # a write started over does not wait on the endpoint again
        fresh = [bill for bill in pending if bill.task_id not in tried]
        for number, bill in enumerate(fresh):
            tried.add(bill.task_id)
            try:
                client.send(bill)
            except BillingUnavailable as exc:
                left = len(fresh) - number
                unreachable.append(BillingUnavailable(f"{exc.message}; {left} bill(s) wait for the next run"))
                break
            except BillingError as exc:
                refusals.append(exc.message)
            except Exception as exc:  # a sender that breaks: whether it sent is unknown, as for an outage
                left = len(fresh) - number
                unreachable.append(BillingUnavailable(
                    f"the billing sender failed ({type(exc).__name__}: {exc}); {left} bill(s) wait for the next run"))
                break
            else:
                delivered.append(bill.task_id)
        return delivered

    ledger.settle(settling, deliver=deliver)
    if unreachable:
        raise unreachable[0]
    if refusals:
        raise BillingError("; ".join(refusals))
    return delivered
