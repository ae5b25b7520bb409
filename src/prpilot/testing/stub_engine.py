"""Engines for worker tests and benchmarks, loadable with ``--engine prpilot.testing.stub_engine:NAME``.

``record`` takes its orders from ``task.context["stub"]`` and writes what happened to Redis:

- ``stub:started`` / ``stub:done``: task ids, one entry per run started / finished
- ``stub:runs:<id>``: how many times the task started; ``stub:running:<id>``: the pid running it
- ``stub:pids``: the processes that ran tasks
- ``stub:overlaps``: ids seen running in two live processes at once (must stay empty)
- ``stub:dirty``: ids whose working directory was not empty and fresh
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import redis

from prpilot.task import Task

__all__ = ["noop", "record", "stub_orders"]


def stub_orders(
    redis_url: str, seconds: float = 0.0, hang_on_runs: tuple[int, ...] = (), fail: bool = False
) -> dict[str, object]:
    """The ``task.context["stub"]`` value for ``record``: sleep, hang on some runs (1 = first), fail."""
    return {"redis_url": redis_url, "seconds": seconds, "hang_on_runs": list(hang_on_runs), "fail": fail}


def noop(task: Task, workdir: Path) -> None:
    """Do nothing: measures the queue and worker alone."""


def record(task: Task, workdir: Path) -> None:
    """Record the run in Redis, then sleep, hang or fail as ``task.context["stub"]`` says."""
    orders = task.context["stub"]
    client = redis.Redis.from_url(orders["redis_url"])
    running = f"stub:running:{task.id}"
    try:
        run = int(client.incr(f"stub:runs:{task.id}"))
        client.rpush("stub:started", task.id)
        client.sadd("stub:pids", os.getpid())
        if not client.set(running, os.getpid(), nx=True):
            holder = client.get(running)
            if holder is not None and _alive(int(holder)):
                client.rpush("stub:overlaps", task.id)
            client.set(running, os.getpid())  # the holder died mid-run (SIGKILL tests)
        if not workdir.is_dir() or any(workdir.iterdir()):
            client.rpush("stub:dirty", task.id)
        (workdir / "ran").write_text(str(run))
        time.sleep(600 if run in orders["hang_on_runs"] else orders["seconds"])
        if orders["fail"]:
            raise RuntimeError(f"stub failure on run {run}")
        client.rpush("stub:done", task.id)
    finally:
        client.delete(running)
        client.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
