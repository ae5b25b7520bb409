"""TaskWorker in this process (burst mode) and worker_main in real processes, against a real Redis."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from prpilot.commands.worker import load_engine, worker_main
from prpilot.errors import ConfigError
from prpilot.task import Task
from prpilot.testing.stub_engine import stub_orders
from prpilot.worker.queue import RedisTaskQueue
from prpilot.worker.task_worker import TaskInterrupted, TaskWorker

# Until tests/conftest.py registers the plugin.


def make_task(n: int, **context: object) -> Task:
    return Task(id=f"t{n:03d}", github_user="octocat", github_project="o/r", user_request="x", context=context)


@pytest.fixture
def queue(redis_url: str) -> Iterator[RedisTaskQueue]:
    q = RedisTaskQueue(redis_url, "q", visibility_timeout=2, max_retries=1)
    yield q
    q.close()


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    c = redis.Redis.from_url(redis_url, decode_responses=True)
    yield c
    c.close()


def wait_for(condition: Callable[[], object], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# -- in this process ------------------------------------------------------------------------------


def test_burst_runs_each_task_in_its_own_fresh_directory(queue: RedisTaskQueue, tmp_path: Path) -> None:
    seen: list[tuple[str, Path, list[Path]]] = []

    def run(task: Task, workdir: Path) -> None:
        seen.append((task.id, workdir, list(workdir.iterdir())))
        (workdir / "scratch").write_text("x")

    for n in range(3):
        queue.enqueue(make_task(n))
    assert TaskWorker(queue, run, tmp_path / "work").work(burst=True) == 3
    assert [task_id for task_id, _, _ in seen] == ["t000", "t001", "t002"]
    assert all(entries == [] for _, _, entries in seen)
    assert len({workdir for _, workdir, _ in seen}) == 3
    assert all(workdir.parent == tmp_path / "work" and not workdir.exists() for _, workdir, _ in seen)
    assert queue.counts() == type(queue.counts())(0, 0, 0)


def test_failures_are_retried_then_dead_lettered(
    queue: RedisTaskQueue, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def run(task: Task, workdir: Path) -> None:
        raise ValueError("no such branch")

    queue.enqueue(make_task(1))
    with caplog.at_level(logging.INFO, logger="prpilot.worker.task_worker"):
        assert TaskWorker(queue, run, tmp_path).work(burst=True) == 2  # max_retries=1
    [letter] = queue.dead_letters()
    assert (letter.attempts, letter.error) == (2, "ValueError: no such branch")
    assert "moved to the dead-letter list" in caplog.text
    assert "exiting after 2 task(s): burst: no task pending" in caplog.text


def test_the_heartbeat_keeps_a_long_task_leased(queue: RedisTaskQueue, tmp_path: Path) -> None:
    reaped: list[list[str]] = []

    def run(task: Task, workdir: Path) -> None:
        time.sleep(1.2)  # longer than the 0.5 s visibility timeout
        reaped.append(queue.requeue_expired())

    queue.enqueue(make_task(1))
    worker = TaskWorker(queue, run, tmp_path, visibility_timeout=0.5, heartbeat_interval=0.1)
    assert worker.work(burst=True) == 1
    assert reaped == [[]]
    assert queue.counts() == type(queue.counts())(0, 0, 0)


def test_a_task_whose_lease_is_lost_is_interrupted(queue: RedisTaskQueue, tmp_path: Path) -> None:
    outcome: list[str] = []

    def run(task: Task, workdir: Path) -> None:
        if outcome:
            outcome.append("second run")
            return
        queue.requeue_expired(now=time.time() + 3600)  # as if this worker had stalled past its deadline
        try:
            time.sleep(10)
            outcome.append("finished")
        except TaskInterrupted as exc:
            outcome.append(str(exc))
            raise

    queue.enqueue(make_task(1))
    started = time.monotonic()
    assert TaskWorker(queue, run, tmp_path, heartbeat_interval=0.1).work(burst=True) == 2
    assert time.monotonic() - started < 5
    assert outcome == ["lease lost: the queue took the task back", "second run"]
    assert queue.counts() == type(queue.counts())(0, 0, 0)


def test_sigterm_lets_the_current_task_finish_and_takes_no_other(
    queue: RedisTaskQueue, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def run(task: Task, workdir: Path) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)

    queue.enqueue(make_task(1))
    queue.enqueue(make_task(2))
    before = signal.getsignal(signal.SIGTERM)
    with caplog.at_level(logging.INFO, logger="prpilot.worker.task_worker"):
        assert TaskWorker(queue, run, tmp_path).work() == 1
    assert signal.getsignal(signal.SIGTERM) is before
    assert queue.counts() == type(queue.counts())(pending=1, running=0, dead=0)
    assert "exiting after 1 task(s): stop requested (SIGTERM)" in caplog.text


def test_sigterm_requeues_a_task_that_overruns_the_grace_period(queue: RedisTaskQueue, tmp_path: Path) -> None:
    def run(task: Task, workdir: Path) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(10)

    queue.enqueue(make_task(1))
    started = time.monotonic()
    assert TaskWorker(queue, run, tmp_path, grace_period=0.2).work() == 1
    assert time.monotonic() - started < 5
    lease = queue.reserve("w2", timeout=0)
    assert lease is not None
    assert (lease.task.id, lease.attempt) == ("t001", 1)


def test_a_task_leased_after_sigterm_goes_straight_back(queue: RedisTaskQueue, tmp_path: Path) -> None:
    ran: list[str] = []
    threading.Timer(0.1, os.kill, [os.getpid(), signal.SIGTERM]).start()  # while the worker waits
    threading.Timer(0.4, queue.enqueue, [make_task(1)]).start()
    worker = TaskWorker(queue, lambda task, workdir: ran.append(task.id), tmp_path, poll_timeout=3)
    assert worker.work() == 0
    assert ran == []
    lease = queue.reserve("w2", timeout=0)
    assert lease is not None
    assert lease.attempt == 1


def test_load_engine_explains_what_is_missing() -> None:
    assert load_engine("prpilot.testing.stub_engine:noop").__name__ == "noop"
    with pytest.raises(ConfigError, match=r"module prpilot\.no_such_engine not found"):
        load_engine("prpilot.no_such_engine:run_queued_task")
    with pytest.raises(ConfigError, match="has no function nope"):
        load_engine("prpilot.testing.stub_engine:nope")
    with pytest.raises(ConfigError, match="expected module:function"):
        load_engine("prpilot.testing.stub_engine")


def test_worker_main_fails_clearly_without_an_engine(capsys: pytest.CaptureFixture[str], redis_url: str) -> None:
    assert worker_main(["--redis-url", redis_url, "--engine", "prpilot.no_such_engine:run", "--burst"], {}) == 1
    assert "prpilot worker: engine 'prpilot.no_such_engine:run': module" in capsys.readouterr().err


# -- worker processes -----------------------------------------------------------------------------

_MAIN = ("import os, sys; from prpilot.commands.worker import worker_main; "
         "sys.exit(worker_main(sys.argv[1:], dict(os.environ)))")


def start_worker(redis_url: str, tmp_path: Path, *extra: str) -> subprocess.Popen[bytes]:
    args = ["--redis-url", redis_url, "--queue", "q", "--engine", "prpilot.testing.stub_engine:record"]
    args += ["--workdir", str(tmp_path / "work"), "--visibility-timeout", "1", "--heartbeat-interval", "0.2"]
    log = (tmp_path / f"worker-{time.monotonic_ns()}.log").open("wb")
    return subprocess.Popen([sys.executable, "-c", _MAIN, *args, *extra], stderr=log, stdout=log)


@pytest.mark.slow
def test_three_workers_run_a_hundred_tasks_exactly_once(
    queue: RedisTaskQueue, client: redis.Redis, redis_url: str, tmp_path: Path
) -> None:
    for n in range(100):
        queue.enqueue(make_task(n, stub=stub_orders(redis_url, seconds=0.01)))
    workers = [start_worker(redis_url, tmp_path, "--burst") for _ in range(3)]
    assert [proc.wait(timeout=40) for proc in workers] == [0, 0, 0]
    done = client.lrange("stub:done", 0, -1)
    assert sorted(done) == sorted(f"t{n:03d}" for n in range(100))
    assert client.llen("stub:started") == 100
    assert client.lrange("stub:overlaps", 0, -1) == []
    assert client.lrange("stub:dirty", 0, -1) == []
    assert client.scard("stub:pids") > 1
    assert queue.counts() == type(queue.counts())(0, 0, 0)


@pytest.mark.slow
def test_a_task_whose_worker_is_killed_is_redelivered(
    queue: RedisTaskQueue, client: redis.Redis, redis_url: str, tmp_path: Path
) -> None:
    workers = [start_worker(redis_url, tmp_path) for _ in range(2)]
    try:
        queue.enqueue(make_task(1, stub=stub_orders(redis_url, hang_on_runs=(1,))))
        wait_for(lambda: client.get("stub:running:t001"))
        victim = int(client.get("stub:running:t001") or 0)
        killed = next(proc for proc in workers if proc.pid == victim)
        killed.kill()
        assert killed.wait(timeout=5) == -signal.SIGKILL  # reaped, so no zombie looks alive to the stub
        wait_for(lambda: client.lrange("stub:done", 0, -1) == ["t001"])
        assert client.get("stub:runs:t001") == "2"
        assert client.lrange("stub:overlaps", 0, -1) == []
        survivor = next(proc for proc in workers if proc is not killed)
        survivor.send_signal(signal.SIGTERM)
        assert survivor.wait(timeout=10) == 0
    finally:
        for proc in workers:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert queue.counts() == type(queue.counts())(0, 0, 0)


@pytest.mark.slow
def test_sigterm_on_a_worker_process_loses_nothing(
    queue: RedisTaskQueue, client: redis.Redis, redis_url: str, tmp_path: Path
) -> None:
    queue.enqueue(make_task(1, stub=stub_orders(redis_url, seconds=0.5)))
    queue.enqueue(make_task(2, stub=stub_orders(redis_url, hang_on_runs=(1,))))
    proc = start_worker(redis_url, tmp_path, "--grace-period", "1")
    wait_for(lambda: client.lrange("stub:started", 0, -1) == ["t001"])
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0  # t001 finished within the grace period; t002 was never taken
    assert client.lrange("stub:done", 0, -1) == ["t001"]
    assert queue.counts() == type(queue.counts())(pending=1, running=0, dead=0)

    proc = start_worker(redis_url, tmp_path, "--grace-period", "0.3")
    wait_for(lambda: client.get("stub:running:t002"))
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0  # t002 hangs: interrupted after the grace period, put back
    assert queue.counts() == type(queue.counts())(pending=1, running=0, dead=0)
    log = "".join(path.read_text() for path in sorted(tmp_path.glob("worker-*.log")))
    assert "SIGTERM: grace period of 0.3s over; put back in pending" in log
    assert log.count("exiting after 1 task(s): stop requested (SIGTERM)") == 2


def test_a_stop_flag_reaches_the_task_the_worker_runs_between_steps(queue: RedisTaskQueue, tmp_path: Path) -> None:
    from prpilot.engine.cancellation import CancelSignal
    from prpilot.worker.task_worker import stop_requested

    seen: dict[str, list[bool]] = {}

    def run(task: Task, workdir: Path) -> None:
        cancel = CancelSignal(also=stop_requested)  # as run_queued_task builds it
        before = cancel()
        if task.id == "t001":
            queue.request_stop(task.id)  # /pilot stop, from another run, while the task runs
        seen[task.id] = [before, cancel(), cancel()]

    queue.enqueue(make_task(0))
    queue.enqueue(make_task(1))
    assert TaskWorker(queue, run, tmp_path / "work").work(burst=True) == 2

    assert seen == {"t000": [False, False, False], "t001": [False, True, True]}
    assert stop_requested() is False  # outside a task nothing is stopped
    assert queue.stop_requested("t001")
    assert not queue.stop_requested("t000")


def test_prpilot_worker_without_the_redis_extra_says_what_to_install(tmp_path: Path) -> None:
    # An environment without the redis client (the action's own install leaves it out): blocked by a stub module.
    (tmp_path / "redis.py").write_text("raise ImportError('No module named redis')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}

    done = subprocess.run([sys.executable, "-m", "prpilot.cli", "worker", "--redis-url", "redis://127.0.0.1:1"],
                          env=env, capture_output=True, text=True, timeout=60, check=False)

    assert done.returncode != 0
    assert "pip install 'prpilot[redis]'" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
