"""What tests look at afterwards: recorded requests, and the faults they asked the fake to inject."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake answered (``path`` is relative to the API base for REST calls)."""

    kind: str  # "rest" | "git"
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    status: int
    response: Any
    identity: str | None = None
    at: float = field(default_factory=time.monotonic)  # when it was answered (the fake's state has it from then)


@dataclass
class Fault:
    """An injected failure: the next ``remaining`` matching requests get ``status``."""

    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None

    def matches(self, method: str, path: str) -> bool:
        """Return True when this fault applies to ``method path``."""
        return self.remaining > 0 and self.method in ("*", method.upper()) and bool(self.pattern.search(path))


# What a request hit by a PositionalFault gets (see PositionalFault.kind).
FAULT_KINDS = ("500", "502", "403", "404", "timeout-applied", "timeout-not-applied", "late")
# Kinds that only make sense on a write: a slow read changes nothing when it lands.
WRITE_ONLY_KINDS = frozenset({"late"})


@dataclass(frozen=True)
class Arrival:
    """A request as it reached the fake, before it was answered: its place in the run is its index."""

    kind: str  # "rest" | "git"
    method: str
    path: str  # for git, with the ``service`` of an ``info/refs`` request, which tells fetch from push


@dataclass
class PositionalFault:
    """Fail the ``position``-th request of the run (0-based, REST and git alike), the way ``kind`` says.

    ``500`` and ``502`` fail that request once (a retry succeeds); ``403`` and ``404`` fail it and
    every later request of the same method and path; ``timeout-applied`` carries the request out
    but answers nothing until ``delay`` seconds later and then drops the connection, and
    ``timeout-not-applied`` does the same without carrying it out; ``late`` holds the request for
    ``delay`` seconds (past the client's timeout), then carries it out and drops the connection: the
    client saw a timeout, and GitHub applies the write after whatever the client did next.
    """

    position: int
    kind: str
    delay: float = 1.0
    hit: Arrival | None = None  # the request the fault fell on, once it did

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(FAULT_KINDS)}")

    @property
    def status(self) -> int:
        """The HTTP status a hit request is answered with (0: no answer, the connection drops)."""
        return int(self.kind) if self.kind.isdigit() else 0

    @property
    def applied(self) -> bool:
        """Whether a hit request is still carried out (a timeout after the work was done)."""
        return self.kind == "timeout-applied"

    @property
    def late(self) -> bool:
        """Whether a hit request is carried out only after it is held (a slow write that lands later)."""
        return self.kind == "late"

    @property
    def sticky(self) -> bool:
        """Whether later requests of the same method and path fail too."""
        return self.kind in ("403", "404")


class Recorder:
    """Thread-safe log of requests plus the pending faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._faults: list[Fault] = []
        self._arrivals: list[Arrival] = []
        self._positional: PositionalFault | None = None
        self._held = 0  # requests held by a fault and not yet carried out (see hold, settle)
        self._released = threading.Condition(self._lock)

    def arrive(self, arrival: Arrival) -> PositionalFault | None:
        """Count a request in; return the positional fault when it falls on this request."""
        with self._lock:
            index = len(self._arrivals)
            self._arrivals.append(arrival)
            fault = self._positional
            if fault is None:
                return None
            if fault.hit is None and index == fault.position:
                fault.hit = arrival
                return fault
            if fault.sticky and fault.hit is not None and fault.hit == arrival:
                return fault
            return None

    @property
    def arrivals(self) -> list[Arrival]:
        """Every request in the order it reached the fake (the positions of PositionalFault)."""
        with self._lock:
            return list(self._arrivals)

    def fail_at(self, fault: PositionalFault | None) -> None:
        """Arm ``fault`` (None disarms)."""
        with self._lock:
            self._positional = fault

    def hold(self) -> None:
        """Count a request in as held: :meth:`settle` waits for it."""
        with self._lock:
            self._held += 1

    def release(self) -> None:
        """Count a held request out (carried out, or dropped)."""
        with self._lock:
            self._held -= 1
            self._released.notify_all()

    def settle(self, timeout: float = 30.0) -> bool:
        """Wait until no request is held any more (a late write has landed); False on timeout."""
        with self._lock:
            return self._released.wait_for(lambda: self._held == 0, timeout)

    def record(self, request: RecordedRequest) -> None:
        """Append a request."""
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Return a snapshot of all recorded requests."""
        with self._lock:
            return list(self._requests)

    def add_fault(self, fault: Fault) -> None:
        """Queue a fault."""
        with self._lock:
            self._faults.append(fault)

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Consume one use of the first fault matching ``method path``."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.remaining -= 1
                    return fault
        return None

    def clear_faults(self) -> None:
        """Drop all pending faults."""
        with self._lock:
            self._faults.clear()
