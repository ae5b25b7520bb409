"""A Redis task queue with at-least-once delivery: leases, heartbeats, retries and a dead-letter list.

Every state change is one Lua script, so it is atomic on the server. Keys share the hash tag
``{name}`` so one queue lives in one Redis Cluster slot (scripts may only touch one slot):

- ``{name}:tasks``      hash  id -> task JSON (kept until ack; dead letters keep theirs)
- ``{name}:pending``    list  ids waiting; LPUSH to enqueue, RPOP to reserve (FIFO)
- ``{name}:deadlines``  zset  id -> visibility deadline (Redis server clock, seconds)
- ``{name}:leases``     hash  id -> lease token of the one worker that may run it
- ``{name}:owners``     hash  id -> worker id (for logs and ``counts()``)
- ``{name}:attempts``   hash  id -> deliveries so far
- ``{name}:errors``     hash  id -> last failure
- ``{name}:dead``       list  ids that failed more than ``max_retries`` times

Deadlines use the server's clock (``TIME`` inside the scripts) so workers on machines with
skewed clocks agree on when a lease has expired.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from prpilot.errors import ConfigError, QueueError
from prpilot.task import Task
from prpilot.worker.queue_lua import ACK, ENQUEUE, HEARTBEAT, NACK, REAP, RELEASE, RESERVE

try:
    import redis
except ImportError as exc:  # the workers' extra, not installed with the action
    raise ConfigError("the Redis queue needs its client: pip install 'prpilot[redis]'") from exc

__all__ = ["DeadLetter", "Lease", "QueueCounts", "QueueError", "RedisTaskQueue", "TaskQueue"]


@dataclass(frozen=True)
class Lease:
    """The right to run one task until ``deadline``; only its token may ack, nack or extend it."""

    task: Task
    token: str
    worker_id: str
    attempt: int  # 1 on first delivery
    deadline: float  # server clock, seconds since the epoch
    visibility_timeout: float


@dataclass(frozen=True)
class QueueCounts:
    pending: int
    running: int
    dead: int


@dataclass(frozen=True)
class DeadLetter:
    task: Task
    attempts: int
    error: str


class TaskQueue(Protocol):
    """What a worker needs from a queue."""

    def reserve(self, worker_id: str, timeout: float, visibility_timeout: float | None = None) -> Lease | None: ...

    def heartbeat(self, lease: Lease) -> bool: ...

    def ack(self, lease: Lease) -> bool: ...

    def nack(self, lease: Lease, error: str) -> str | None: ...

    def release(self, lease: Lease) -> bool: ...

    def requeue_expired(self, now: float | None = None) -> list[str]: ...


_MAX_BLOCK = 10.0  # seconds one blocking wait may last

def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


@contextmanager
def _translated(action: str) -> Iterator[None]:
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise QueueError(f"queue unavailable while trying to {action}: {exc}") from exc
    except redis.RedisError as exc:
        raise QueueError(f"queue refused to {action}: {exc}") from exc


class RedisTaskQueue:
    """A named task queue in Redis; see the module docstring for the key layout."""

    def __init__(
        self,
        redis_url: str,
        name: str = "prpilot",
        *,
        visibility_timeout: float = 60.0,
        max_retries: int = 3,
        client: redis.Redis | None = None,
    ) -> None:
        self.name = name
        self.visibility_timeout = visibility_timeout
        self.max_retries = max_retries
        # reserve() blocks in slices shorter than the socket timeout, so a dead server is noticed.
        self._redis = client or redis.Redis.from_url(
            redis_url, socket_timeout=_MAX_BLOCK + 20, socket_connect_timeout=10, health_check_interval=30
        )
        keys = ("tasks", "pending", "deadlines", "leases", "owners", "attempts", "errors", "dead")
        self.keys = {key: f"{{{name}}}:{key}" for key in keys}
        scripts = (ENQUEUE, RESERVE, HEARTBEAT, ACK, NACK, REAP, RELEASE)
        (self._enqueue, self._reserve, self._heartbeat, self._ack, self._nack, self._reap, self._release) = (
            self._redis.register_script(source) for source in scripts
        )

    def _k(self, *names: str) -> list[str]:
        return [self.keys[name] for name in names]

    def enqueue(self, task: Task) -> None:
        """Queue ``task``; queuing an id that is still pending, running or dead does nothing."""
        with _translated("enqueue"):
            self._enqueue(self._k("tasks", "pending"), [task.id, task.model_dump_json()])

    def reserve(self, worker_id: str, timeout: float, visibility_timeout: float | None = None) -> Lease | None:
        """Lease the oldest pending task to ``worker_id``, waiting up to ``timeout`` seconds for one."""
        visibility = visibility_timeout or self.visibility_timeout
        token = uuid.uuid4().hex
        keys = self._k("pending", "deadlines", "leases", "owners", "attempts", "tasks")
        give_up = time.monotonic() + timeout
        with _translated("reserve a task"):
            while True:
                found: Any = self._reserve(keys, [token, worker_id, visibility])
                if found:
                    task_id, body, attempt, deadline = found
                    try:
                        task = Task.model_validate_json(body)
                    except ValueError as exc:
                        # Not a prpilot task (another producer, an older version): dead-letter it at
                        # once, with the reason, instead of letting it crash every worker that takes it.
                        reason = f"not a prpilot task: {str(exc).splitlines()[0]}"
                        self._nack(self._route_keys(), [_text(task_id), token, reason, 0])
                        continue
                    return Lease(task, token, worker_id, int(attempt), float(deadline), visibility)
                left = give_up - time.monotonic()
                if left <= 0:
                    return None
                # Wait until pending is non-empty without taking anything: moving the tail to the
                # tail of the same list leaves it unchanged. The script above then races fairly.
                pending = self.keys["pending"]
                wait: Any = min(max(left, 0.01), _MAX_BLOCK)  # Redis >= 6 takes fractions; stub says int
                self._redis.blmove(pending, pending, wait, "RIGHT", "RIGHT")

    def request_stop(self, task_id: str, ttl: int = 86_400) -> None:
        """Ask the worker running ``task_id`` (or the next to take it) to stop it (``/pilot stop``)."""
        with _translated("ask a worker to stop a task"):
            self._redis.set(self._stop_key(task_id), "1", ex=ttl)

    def stop_requested(self, task_id: str) -> bool:
        """Whether ``/pilot stop`` asked to stop ``task_id``."""
        with _translated("read a task's stop flag"):
            return bool(self._redis.exists(self._stop_key(task_id)))

    def _stop_key(self, task_id: str) -> str:
        return f"{{{self.name}}}:stop:{task_id}"

    def heartbeat(self, lease: Lease) -> bool:
        """Push the lease's deadline ``visibility_timeout`` into the future; False if it was lost."""
        with _translated("extend a lease"):
            args: list[str | float] = [lease.task.id, lease.token, lease.visibility_timeout]
            return bool(self._heartbeat(self._k("deadlines", "leases"), args))

    def ack(self, lease: Lease) -> bool:
        """Forget the task: it is done. False if the lease was lost (the task will run again)."""
        with _translated("acknowledge a task"):
            keys = self._k("deadlines", "leases", "owners", "attempts", "errors", "tasks")
            return bool(self._ack(keys, [lease.task.id, lease.token]))

    def nack(self, lease: Lease, error: str) -> str | None:
        """Report a failure: ``"retry"`` (back in pending), ``"dead"``, or None if the lease was lost."""
        with _translated("report a failed task"):
            args: list[str | int] = [lease.task.id, lease.token, error, self.max_retries]
            outcome = self._nack(self._route_keys(), args)
        return outcome.decode() if outcome else None

    def release(self, lease: Lease) -> bool:
        """Put the task back at the front of pending without counting the delivery."""
        with _translated("release a task"):
            keys = self._k("pending", "deadlines", "leases", "owners", "attempts")
            return bool(self._release(keys, [lease.task.id, lease.token]))

    def requeue_expired(self, now: float | None = None, limit: int = 100) -> list[str]:
        """Take back leases past their deadline (server clock unless ``now``); return their ids."""
        with _translated("requeue expired leases"):
            args: list[str | int] = ["" if now is None else repr(now), self.max_retries, limit]
            ids: list[bytes] = self._reap(self._route_keys(), args)
        return [task_id.decode() for task_id in ids]

    def _route_keys(self) -> list[str]:
        return self._k("pending", "deadlines", "leases", "owners", "attempts", "errors", "dead")

    def counts(self) -> QueueCounts:
        """How many tasks wait, run and lie in the dead-letter list."""
        with _translated("count tasks"):
            pipe = self._redis.pipeline(transaction=False)
            pipe.llen(self.keys["pending"])
            pipe.zcard(self.keys["deadlines"])
            pipe.llen(self.keys["dead"])
            pending, running, dead = pipe.execute()
        return QueueCounts(int(pending), int(running), int(dead))

    def dead_letters(self) -> list[DeadLetter]:
        """The tasks that failed too often, oldest first, with their last error."""
        with _translated("read the dead-letter list"):
            ids: list[Any] = self._redis.lrange(self.keys["dead"], 0, -1)
            letters = []
            for task_id in reversed(ids):
                body, attempts, error = (  # one round trip each: dead letters are few
                    self._redis.hget(self.keys[key], task_id) for key in ("tasks", "attempts", "errors")
                )
                if body is not None:
                    try:
                        task = Task.model_validate_json(body)
                    except ValueError:
                        continue  # a foreign entry: it stays listed in Redis, but is no task to retry
                    reason = error.decode() if isinstance(error, bytes) else str(error or "")
                    letters.append(DeadLetter(task, int(attempts or 0), reason))
        return letters

    def close(self) -> None:
        """Close the connection pool."""
        self._redis.close()
