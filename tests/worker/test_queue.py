"""RedisTaskQueue against a real redis-server: leases, retries, reaping, dead letters."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import redis

from prpilot.errors import PrpilotError
from prpilot.task import Task
from prpilot.worker.queue import Lease, QueueError, RedisTaskQueue

# Until tests/conftest.py registers the plugin.


def make_task(n: int = 0) -> Task:
    return Task(id=f"t{n:03d}", github_user="octocat", github_project="octo/repo", user_request=f"do {n}")


@pytest.fixture
def queue(redis_url: str) -> Iterator[RedisTaskQueue]:
    q = RedisTaskQueue(redis_url, "q", visibility_timeout=30, max_retries=2)
    yield q
    q.close()


def reserve(queue: RedisTaskQueue, worker: str = "w1") -> Lease:
    lease = queue.reserve(worker, timeout=0)
    assert lease is not None
    return lease


def test_tasks_come_out_in_order_with_their_data(queue: RedisTaskQueue) -> None:
    for n in range(3):
        queue.enqueue(make_task(n))
    leases = [reserve(queue) for _ in range(3)]
    assert [lease.task.id for lease in leases] == ["t000", "t001", "t002"]
    assert leases[0].task == make_task(0).model_copy(update={"created_at": leases[0].task.created_at})
    assert leases[0].attempt == 1
    assert len({lease.token for lease in leases}) == 3
    assert queue.counts().running == 3


def test_reserve_waits_up_to_timeout_then_gives_none(queue: RedisTaskQueue) -> None:
    started = time.monotonic()
    assert queue.reserve("w1", timeout=0.3) is None
    assert 0.25 <= time.monotonic() - started < 2


def test_reserve_wakes_up_when_a_task_arrives(queue: RedisTaskQueue) -> None:
    threading.Timer(0.2, queue.enqueue, [make_task(7)]).start()
    started = time.monotonic()
    lease = queue.reserve("w1", timeout=5)
    assert lease is not None
    assert lease.task.id == "t007"
    assert time.monotonic() - started < 2


def test_enqueueing_a_queued_id_again_does_nothing(queue: RedisTaskQueue) -> None:
    queue.enqueue(make_task(1))
    queue.enqueue(make_task(1))
    assert queue.counts().pending == 1


def test_ack_forgets_the_task_entirely(queue: RedisTaskQueue, redis_url: str) -> None:
    queue.enqueue(make_task(1))
    assert queue.ack(reserve(queue))
    client = redis.Redis.from_url(redis_url)
    assert client.keys("*") == []
    assert all(key.startswith("{q}:") for key in queue.keys.values())


def test_heartbeat_pushes_the_deadline_forward(queue: RedisTaskQueue, redis_url: str) -> None:
    queue.enqueue(make_task(1))
    lease = reserve(queue)
    time.sleep(0.05)
    assert queue.heartbeat(lease)
    deadline = redis.Redis.from_url(redis_url).zscore(queue.keys["deadlines"], "t001")
    assert deadline is not None
    assert deadline > lease.deadline


def test_an_expired_lease_is_requeued_and_the_stale_one_refused(queue: RedisTaskQueue) -> None:
    queue.enqueue(make_task(1))
    stale = reserve(queue, "w1")
    assert queue.requeue_expired() == []  # not yet expired
    assert queue.requeue_expired(now=stale.deadline + 1) == ["t001"]
    fresh = reserve(queue, "w2")
    assert (fresh.task.id, fresh.attempt) == ("t001", 2)
    assert not queue.heartbeat(stale)
    assert not queue.ack(stale)
    assert queue.nack(stale, "late") is None
    assert not queue.release(stale)
    assert queue.ack(fresh)


def test_nack_retries_then_dead_letters(queue: RedisTaskQueue) -> None:
    queue.enqueue(make_task(1))
    outcomes = [queue.nack(reserve(queue), f"boom {n}") for n in range(3)]
    assert outcomes == ["retry", "retry", "dead"]  # max_retries=2: three deliveries in all
    assert queue.reserve("w1", timeout=0) is None
    assert queue.counts() == type(queue.counts())(pending=0, running=0, dead=1)
    [letter] = queue.dead_letters()
    assert (letter.task.id, letter.attempts, letter.error) == ("t001", 3, "boom 2")


def test_a_foreign_entry_is_dead_lettered_not_delivered(queue: RedisTaskQueue, redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    client.hset(queue.keys["tasks"], "junk", b'{"not": "a task"}')
    client.lpush(queue.keys["pending"], "junk")
    queue.enqueue(make_task(1))

    lease = queue.reserve("w1", timeout=0)

    assert lease is not None
    assert lease.task.id == "t001"
    assert queue.counts() == type(queue.counts())(pending=0, running=1, dead=1)
    assert queue.dead_letters() == []  # listed in Redis, but no task to retry
    reason = client.hget(queue.keys["errors"], "junk")
    assert reason is not None
    assert reason.decode().startswith("not a prpilot task")


def test_leases_that_keep_expiring_end_in_the_dead_letter_list(queue: RedisTaskQueue) -> None:
    queue.enqueue(make_task(1))
    for _ in range(3):
        lease = reserve(queue)
        queue.requeue_expired(now=lease.deadline + 1)
    [letter] = queue.dead_letters()
    assert letter.attempts == 3
    assert letter.error == "lease expired (worker w1 stopped heartbeating)"


def test_release_puts_the_task_first_without_counting_it(queue: RedisTaskQueue) -> None:
    queue.enqueue(make_task(1))
    queue.enqueue(make_task(2))
    assert queue.release(reserve(queue))
    again = reserve(queue)
    assert (again.task.id, again.attempt) == ("t001", 1)


def test_concurrent_reservers_never_share_a_task(queue: RedisTaskQueue) -> None:
    for n in range(200):
        queue.enqueue(make_task(n))
    taken: list[str] = []
    lock = threading.Lock()

    def drain(worker: str) -> None:
        while (lease := queue.reserve(worker, timeout=0)) is not None:
            with lock:
                taken.append(lease.task.id)

    threads = [threading.Thread(target=drain, args=(f"w{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == sorted(make_task(n).id for n in range(200))


def test_an_unreachable_server_is_a_queue_error() -> None:
    queue = RedisTaskQueue("redis://127.0.0.1:1/0")
    with pytest.raises(QueueError, match="queue unavailable while trying to enqueue") as caught:
        queue.enqueue(make_task(1))
    assert isinstance(caught.value, PrpilotError)
