"""Pytest fixtures for a real redis-server: one per session, flushed before every test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
import redis

from prpilot.testing.redis_server import redis_server

__all__ = ["redis_server_url", "redis_url"]


@pytest.fixture(scope="session")
def redis_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a redis-server that lives for the whole test session."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_url(redis_server_url: str) -> str:
    """The URL of an empty Redis database (FLUSHALL before the test)."""
    client = redis.Redis.from_url(redis_server_url)
    try:
        client.flushall()
    finally:
        client.close()
    return redis_server_url
