"""A throwaway redis-server on 127.0.0.1: no persistence, its files in a temporary directory."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["RedisServerError", "redis_server"]


class RedisServerError(RuntimeError):
    """redis-server is missing or did not come up."""


@contextmanager
def redis_server(
    directory: Path | None = None, *, executable: str = "redis-server", startup_timeout: float = 10.0
) -> Iterator[str]:
    """Run a redis-server on a free 127.0.0.1 port; yield its ``redis://`` URL, stop it on exit."""
    binary = shutil.which(executable)
    if binary is None:
        raise RedisServerError(f"{executable} not found on PATH (apt-get install redis-server)")
    with tempfile.TemporaryDirectory(prefix="prpilot-redis-") as scratch:
        workdir = directory or Path(scratch)
        # A port picked by binding 0 may be taken before redis binds it: try a few.
        for _ in range(3):
            port = _free_port()
            proc = _start(binary, port, workdir)
            try:
                if _wait_ready(proc, port, startup_timeout):
                    yield f"redis://127.0.0.1:{port}/0"
                    return
            finally:
                _stop(proc)
        log = (workdir / "redis.log").read_text(errors="replace")[-2000:]
        raise RedisServerError(f"redis-server did not start on 127.0.0.1:\n{log}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(binary: str, port: int, workdir: Path) -> subprocess.Popen[bytes]:
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    args += ["--dir", str(workdir), "--logfile", str(workdir / "redis.log")]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_ready(proc: subprocess.Popen[bytes], port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return True
        except OSError:
            pass
        time.sleep(0.02)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
