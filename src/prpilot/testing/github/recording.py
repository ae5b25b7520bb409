"""What tests look at afterwards: recorded requests, and the faults they asked the fake to inject."""

from __future__ import annotations

import re
import threading
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


class Recorder:
    """Thread-safe log of requests plus the pending faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._faults: list[Fault] = []

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
