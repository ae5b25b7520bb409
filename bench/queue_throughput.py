"""Redis queue throughput: enqueue, and dequeue+ack through TaskWorker with a no-op engine.

    python bench/queue_throughput.py [--tasks 2000] [--repeat 5] [--workers 1 4] [--write-readme]

Starts its own redis-server on 127.0.0.1. Each figure is the median of ``--repeat`` runs. Worker
processes are started and warmed up before the clock starts, so process start-up is not counted;
each task still pays for its own working directory and heartbeat thread, as in production.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import tempfile
import time
from datetime import date
from multiprocessing.synchronize import Event
from pathlib import Path

import redis

from prpilot.task import Task
from prpilot.testing.redis_server import redis_server
from prpilot.testing.stub_engine import noop
from prpilot.worker.queue import RedisTaskQueue
from prpilot.worker.task_worker import TaskWorker

QUEUE = "bench"
SECTION = "## Redis worker throughput"


def make_tasks(count: int) -> list[Task]:
    return [Task(github_user="octocat", github_project="o/r", user_request=f"task {n}") for n in range(count)]


def enqueue_rate(url: str, count: int) -> float:
    """Tasks enqueued per second by one client, one round trip each."""
    redis.Redis.from_url(url).flushall()
    queue = RedisTaskQueue(url, QUEUE)
    tasks = make_tasks(count)
    started = time.perf_counter()
    for task in tasks:
        queue.enqueue(task)
    elapsed = time.perf_counter() - started
    queue.close()
    return count / elapsed


def _drain(url: str, workdir: str, ready: Event, go: Event) -> None:
    queue = RedisTaskQueue(url, QUEUE)
    worker = TaskWorker(queue, noop, Path(workdir))
    queue.counts()  # connect before the clock starts
    ready.set()
    go.wait()
    worker.work(burst=True)
    queue.close()


def drain_rate(url: str, count: int, workers: int) -> float:
    """Tasks reserved, run (no-op) and acked per second by ``workers`` worker processes."""
    redis.Redis.from_url(url).flushall()
    queue = RedisTaskQueue(url, QUEUE)
    for task in make_tasks(count):
        queue.enqueue(task)
    context = multiprocessing.get_context("spawn")
    go = context.Event()
    with tempfile.TemporaryDirectory() as workdir:
        readies = [context.Event() for _ in range(workers)]
        procs = [context.Process(target=_drain, args=(url, workdir, ready, go)) for ready in readies]
        for proc in procs:
            proc.start()
        for ready in readies:
            ready.wait(timeout=60)
        started = time.perf_counter()
        go.set()
        for proc in procs:
            proc.join()
        elapsed = time.perf_counter() - started
    left = queue.counts()
    if left.pending or left.running:
        raise RuntimeError(f"tasks left behind: {left}")
    queue.close()
    return count / elapsed


def replace_section(readme: Path, body: str) -> None:
    """Write our section of bench/README.md, leaving every other section as it is."""
    text = readme.read_text() if readme.exists() else "# Benchmarks\n"
    start = text.find(SECTION)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + body + (text[end + 1 :] if end >= 0 else "")
    readme.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--write-readme", action="store_true", help="update bench/README.md")
    args = parser.parse_args()

    rows: list[tuple[str, float, float, float]] = []
    with redis_server() as url:
        runs = [enqueue_rate(url, args.tasks) for _ in range(args.repeat)]
        rows.append(("enqueue (1 client)", *_spread(runs)))
        for workers in args.workers:
            runs = [drain_rate(url, args.tasks, workers) for _ in range(args.repeat)]
            rows.append((f"dequeue+ack ({workers} worker{'s' * (workers > 1)})", *_spread(runs)))

    table = ["| operation | median tasks/s | min | max |", "|---|---:|---:|---:|"]
    table += [f"| {name} | {median:,.0f} | {low:,.0f} | {high:,.0f} |" for name, median, low, high in rows]
    print("\n".join(table))
    if args.write_readme:
        body = (
            f"{SECTION}\n\n"
            f"`python bench/queue_throughput.py --tasks {args.tasks} --repeat {args.repeat} --write-readme`, "
            f"{date.today().isoformat()}, Python {platform.python_version()}, "
            f"{platform.machine()}, {multiprocessing.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} "
            "at the end), local redis-server "
            "(no persistence). No-op engine; each task still gets its own working directory and "
            "heartbeat thread. Medians of the runs, tasks per second:\n\n" + "\n".join(table) + "\n" + _caveat()
        )
        replace_section(Path(__file__).with_name("README.md"), body)


def _caveat() -> str:
    cpus, load = multiprocessing.cpu_count(), os.getloadavg()[0]
    note = f"\nThe workers share {cpus} CPUs with Redis and each other, so more than {cpus} cannot scale linearly."
    if load > cpus:
        note += " Other jobs kept the machine busy during the run: read the figures as lower bounds."
    return note + "\n"


def _spread(runs: list[float]) -> tuple[float, float, float]:
    return statistics.median(runs), min(runs), max(runs)


if __name__ == "__main__":
    main()
