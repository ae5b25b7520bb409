"""A billing receiver on 127.0.0.1: bearer auth, idempotent by ``Idempotency-Key``, can go down and up."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Literal

from prpilot.testing._http import HTTPRequest, HTTPResponse, LocalServer, LocalService

__all__ = ["BILLING_TOKEN", "BillingServer", "ReceivedBill"]

BILLING_TOKEN = "billing-secret"


@dataclass(frozen=True)
class ReceivedBill:
    """A bill the receiver accepted, under the idempotency key it came with (None if it had none)."""

    key: str | None
    bill: dict[str, Any]
    headers: dict[str, str]


class BillingServer(LocalService):
    """``POST {path}`` with ``Authorization: Bearer {token}``; a replayed key answers 200 and is not counted."""

    def __init__(self, token: str = BILLING_TOKEN, path: str = "/bills", port: int = 0) -> None:
        self.token = token
        self.path = path
        self._lock = threading.Lock()
        self._by_key: dict[str, ReceivedBill] = {}
        self.received: list[ReceivedBill] = []
        self.requests: list[HTTPRequest] = []  # every request that reached the listener
        self.replays = 0
        self._unavailable_status: int | None = None
        self._server = LocalServer(self._handle, port)


    @property
    def url(self) -> str:
        """The endpoint to give as ``billing-url``."""
        return f"{self._server.url}{self.path}"

    def down(self, how: Literal["refuse", "503"] = "refuse", status: int = 503) -> None:
        """Stop accepting bills: refuse connections, or answer ``status`` (503 by default)."""
        if how == "refuse":
            self._server.stop()
        else:
            self._unavailable_status = status
            self._server.start()

    def up(self) -> None:
        """Accept bills again, on the same port."""
        self._unavailable_status = None
        self._server.start()

    # -- inspection ------------------------------------------------------------------------------
    @property
    def bills(self) -> list[dict[str, Any]]:
        """Accepted bills, each once, in arrival order."""
        return [r.bill for r in self.received]

    # -- HTTP ------------------------------------------------------------------------------------
    def _handle(self, request: HTTPRequest) -> HTTPResponse:
        with self._lock:
            self.requests.append(request)
            return self._answer(request)

    def _answer(self, request: HTTPRequest) -> HTTPResponse:
        if self._unavailable_status is not None:
            return HTTPResponse.json(self._unavailable_status, {"error": "unavailable"}, {"retry-after": "1"})
        if request.path.split("?", 1)[0] != self.path:
            return HTTPResponse.json(404, {"error": f"no route {request.path}"})
        if request.method != "POST":
            return HTTPResponse.json(405, {"error": "POST only"})
        if request.header("authorization") != f"Bearer {self.token}":
            return HTTPResponse.json(401, {"error": "bad or missing bearer token"})
        try:
            bill = json.loads(request.body)
        except ValueError:
            return HTTPResponse.json(400, {"error": "body is not JSON"})
        if not isinstance(bill, dict):
            return HTTPResponse.json(400, {"error": "a bill is a JSON object"})
        key = request.header("idempotency-key")
        stored = self._by_key.get(key) if key else None
        if stored is not None:
            if stored.bill != bill:
                # Same key, different bill: a client bug (Stripe answers this with an error too).
                return HTTPResponse.json(422, {"error": "idempotency key reused for a different bill"})
            self.replays += 1
            return HTTPResponse.json(200, stored.bill, {"idempotent-replayed": "true"})
        received = ReceivedBill(key, bill, request.headers)
        self.received.append(received)
        if key:
            self._by_key[key] = received
        return HTTPResponse.json(201, bill)
