"""Cancellation: the runner sends SIGINT, then SIGTERM, before it kills a cancelled job.

The first signal raises :class:`Cancelled` in the main thread, which interrupts a blocking model
call at once; while the engine saves work and settles the bill, ``shield()`` turns further signals
into a flag so the clean-up itself is not cut.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

from prpilot.errors import Cancelled


class CancelSignal:
    """Install SIGTERM/SIGINT handlers that cancel the running task."""

    def __init__(self, also: Callable[[], bool] | None = None) -> None:
        self.requested = False
        self._shielded = False
        self._also = also  # another way to ask, checked between agent steps (a queue worker's stop flag)

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = not self.requested
        self.requested = True
        if first and not self._shielded:
            raise Cancelled(f"cancelled by signal {signal.Signals(signum).name}")

    def __call__(self) -> bool:
        if not self.requested and self._also is not None and self._also():
            self.requested = True
        return self.requested

    @contextmanager
    def shield(self) -> Iterator[None]:
        self._shielded = True
        try:
            yield
        finally:
            self._shielded = False
