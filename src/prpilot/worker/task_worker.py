"""The fleet worker: lease a task, run it in its own directory while heartbeating, settle it, repeat.

Shaped like rq's ``Worker.work()``: one short loop (stop check, reap, reserve, execute) with each
exit reason logged. SIGTERM or SIGINT asks for a warm shutdown: no new task is taken and the
current one gets ``grace_period`` seconds to finish before it is interrupted and put back in
pending; a second signal interrupts it at once. Interrupting needs the main thread (signals); a
worker run in another thread finishes its task however long it takes.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

from prpilot.task import Task
from prpilot.worker.queue import Lease, QueueError, TaskQueue

__all__ = ["RunTask", "TaskInterrupted", "TaskWorker", "stop_requested"]

log = logging.getLogger(__name__)
_here = threading.local()  # the stop check of the task this thread's worker runs


def stop_requested() -> bool:
    """Whether ``/pilot stop`` asked to stop the task this thread's worker runs (an engine checks between steps)."""
    check: Callable[[], bool] | None = getattr(_here, "check", None)
    return check is not None and check()

RunTask = Callable[[Task, Path], None]
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class TaskInterrupted(BaseException):
    """Raised inside ``run_task`` when the worker must stop it (lease lost, shutdown grace over).

    A BaseException so that an engine's ``except Exception`` cannot swallow it; engines clean up
    in ``finally``.
    """


class _Heartbeat:
    """Extend a lease every ``interval`` seconds in a daemon thread; call ``on_lost`` if it is gone."""

    def __init__(self, queue: TaskQueue, lease: Lease, interval: float, on_lost: Callable[[str], None]):
        self.queue, self.lease, self.interval, self.on_lost = queue, lease, interval, on_lost
        self.lost = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{lease.task.id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=60)  # a heartbeat in flight ends within the socket timeout

    def _run(self) -> None:
        confirmed = time.monotonic()
        while not self._done.wait(self.interval):
            sent = time.monotonic()
            try:
                if self.queue.heartbeat(self.lease):
                    confirmed = sent
                    continue
                reason = "lease lost: the queue took the task back"
            except QueueError as exc:
                # The lease holds until its deadline; give up one interval before it so that two
                # workers never run the task at once.
                silent = time.monotonic() - confirmed
                if silent < self.lease.visibility_timeout - self.interval:
                    log.warning("task %s: heartbeat failed (%s); retrying", self.lease.task.id, exc.message)
                    continue
                reason = f"lease presumed lost: no heartbeat for {silent:.0f}s ({exc.message})"
            if not self._done.is_set():
                self.lost = True
                self.on_lost(reason)
            return


class TaskWorker:
    """Run tasks from ``queue`` with ``run_task(task, workdir)`` until stopped (or drained, in burst)."""

    def __init__(
        self,
        queue: TaskQueue,
        run_task: RunTask,
        workdir_root: Path,
        worker_id: str | None = None,
        heartbeat_interval: float | None = None,
        visibility_timeout: float = 60.0,
        grace_period: float = 25.0,
        poll_timeout: float = 1.0,
    ) -> None:
        self.queue = queue
        self.run_task = run_task
        self.workdir_root = workdir_root
        self.worker_id = worker_id or f"{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:6]}"
        self.visibility_timeout = visibility_timeout
        self.heartbeat_interval = heartbeat_interval or visibility_timeout / 3
        self.grace_period = grace_period
        self.poll_timeout = poll_timeout
        self._stop = threading.Event()
        self._stop_reason = ""
        self._current: Lease | None = None
        self._interrupt_reason = ""
        self._main_ident: int | None = None  # set while our signal handlers are installed

    def request_stop(self, reason: str) -> None:
        """Take no new task; the loop exits once the current one is settled."""
        if not self._stop.is_set():
            self._stop_reason = reason
            self._stop.set()

    def work(self, burst: bool = False) -> int:
        """Run tasks until a stop is requested (or, with ``burst``, none is pending); return how many ran."""
        self.workdir_root.mkdir(parents=True, exist_ok=True)
        processed, backoff, reason = 0, 1.0, "crashed"
        previous = self._install_signal_handlers()
        log.info("worker %s started (burst=%s)", self.worker_id, burst)
        try:
            while True:
                if self._stop.is_set():
                    reason = f"stop requested ({self._stop_reason})"
                    break
                try:
                    self.queue.requeue_expired()
                    wait = 0.0 if burst else self.poll_timeout
                    lease = self.queue.reserve(self.worker_id, wait, self.visibility_timeout)
                except QueueError as exc:
                    if burst:
                        reason = exc.message
                        raise
                    log.warning("%s; retrying in %.0fs", exc.message, backoff)
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, 60.0)
                    continue
                backoff = 1.0
                if lease is not None and self._stop.is_set():  # the signal came while we waited
                    if self._settle(lease.task, "release", partial(self.queue.release, lease)):
                        log.info("task %s: leased as the stop came; put back in pending", lease.task.id)
                elif lease is not None:
                    self.execute(lease)
                    processed += 1
                elif burst:
                    reason = "burst: no task pending"
                    break
        finally:
            self._restore_signal_handlers(previous)
            log.info("worker %s exiting after %d task(s): %s", self.worker_id, processed, reason)
        return processed

    def execute(self, lease: Lease) -> None:
        """Run one leased task in a fresh directory, then ack, nack or release it."""
        task = lease.task
        prefix = re.sub(r"[^\w.-]", "_", task.id)[:40]
        workdir = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir=self.workdir_root))
        heartbeat = _Heartbeat(self.queue, lease, self.heartbeat_interval, self._interrupt)
        log.info("task %s: attempt %d on %s", task.id, lease.attempt, self.worker_id)
        try:
            with self._running(lease, heartbeat):
                self.run_task(task, workdir)
        except TaskInterrupted as exc:
            if heartbeat.lost:
                log.error("task %s: stopped, %s", task.id, exc)
            elif self._settle(task, "release", lambda: self.queue.release(lease)):
                log.warning("task %s: %s; put back in pending", task.id, exc)
        except Exception as exc:
            log.exception("task %s: failed", task.id)
            error = f"{type(exc).__name__}: {exc}"
            outcome = self._settle(task, "nack", lambda: self.queue.nack(lease, error))
            if outcome == "dead":
                log.error("task %s: failed %d times; moved to the dead-letter list", task.id, lease.attempt)
        else:
            if self._settle(task, "ack", lambda: self.queue.ack(lease)):
                log.info("task %s: done", task.id)
        finally:
            heartbeat.stop()
            shutil.rmtree(workdir, ignore_errors=True)

    @contextmanager
    def _running(self, lease: Lease, heartbeat: _Heartbeat) -> Iterator[None]:
        self._interrupt_reason = ""
        self._current = lease
        _here.check = self._stop_check(lease.task)
        heartbeat.start()
        try:
            yield
        finally:
            _here.check = None
            self._current = None  # first: an alarm arriving from now on is ignored
            if self._main_ident is not None:
                signal.setitimer(signal.ITIMER_REAL, 0)
            heartbeat.stop()

    def _stop_check(self, task: Task) -> Callable[[], bool] | None:
        """Ask the queue for the task's stop flag, when the queue keeps them; a queue error is no stop."""
        ask = getattr(self.queue, "stop_requested", None)
        if ask is None:
            return None

        def check() -> bool:
            try:
                return bool(ask(task.id))
            except QueueError as exc:
                log.warning("task %s: could not read its stop flag (%s)", task.id, exc.message)
                return False

        return check

    def _settle(self, task: Task, action: str, call: Callable[[], Any]) -> Any:
        try:
            outcome = call()
        except QueueError as exc:
            log.warning("task %s: could not %s (%s); it runs again once its lease expires", task.id, action, exc)
            return None
        if not outcome:
            log.warning("task %s: %s refused, the lease was lost; it may run again elsewhere", task.id, action)
        return outcome

    def _interrupt(self, reason: str) -> None:
        """Raise TaskInterrupted(reason) in the main thread if it is running a task."""
        self._interrupt_reason = reason
        if self._main_ident is None:
            log.error("%s; cannot interrupt a task outside the main thread, letting it finish", reason)
        elif self._current is not None:
            signal.pthread_kill(self._main_ident, signal.SIGALRM)

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        if self._current is not None:
            raise TaskInterrupted(self._interrupt_reason or "interrupted")

    def _on_stop_signal(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self._stop.is_set():
            log.warning("second %s: interrupting the current task now", name)
            self._interrupt(f"{name} received twice")
            return
        self.request_stop(name)
        if self._current is not None:
            task_id = self._current.task.id
            log.warning("%s: finishing task %s (up to %.0fs), then exiting", name, task_id, self.grace_period)
            self._interrupt_reason = f"{name}: grace period of {self.grace_period:g}s over"
            signal.setitimer(signal.ITIMER_REAL, max(self.grace_period, 0.001))
        else:
            log.info("%s: exiting", name)

    def _install_signal_handlers(self) -> dict[int, Any] | None:
        if threading.current_thread() is not threading.main_thread():
            return None
        previous: dict[int, Any] = {}
        for signum in (*_STOP_SIGNALS, signal.SIGALRM):
            previous[signum] = signal.getsignal(signum)
            signal.signal(signum, self._on_alarm if signum == signal.SIGALRM else self._on_stop_signal)
        self._main_ident = threading.get_ident()
        return previous

    def _restore_signal_handlers(self, previous: dict[int, Any] | None) -> None:
        if previous is None:
            return
        self._main_ident = None
        signal.setitimer(signal.ITIMER_REAL, 0)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
