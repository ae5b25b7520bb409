"""A pre-forking interpreter for the action's steps: hundreds of runs without paying Python's imports each time.

The fault sweep runs the whole action a few hundred times; each step is a fresh interpreter that
spends most of its CPU importing PyGithub, openai and prpilot. :class:`Prefork` starts one
server process that imports them once; the step's ``$PRPILOT_PYTHON`` is a tiny client that hands
the server its arguments, environment, working directory and its stdin/stdout/stderr (as file
descriptors) and exits with the step's exit code. The server forks a child per step, which runs
``entrypoint.py`` with exactly that environment: a separate process as before, its own output
files, its own exit code, only without the imports; ``sys.path[0]`` is the script's folder and
stdout/stderr are set up as a fresh interpreter's would be (tests/testing/runner/test_prefork.py
compares the two). What it does not carry over: a signal sent to the client (a cancelled job,
a step killed at its time limit), and what the kernel shows of the process in ``/proc/<pid>/``
(``environ`` and ``cmdline`` are the server's). Tests of those use the real interpreter.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import runpy
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import TextIO

_CLIENT = '''#!{python} -IS
import json, os, socket, struct, sys
conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
conn.connect({socket!r})
message = json.dumps({{"argv": sys.argv[1:], "env": dict(os.environ), "cwd": os.getcwd()}}).encode()
socket.send_fds(conn, [struct.pack("!I", len(message)) + message], [0, 1, 2])
answer = b""
while len(answer) < 4:
    chunk = conn.recv(4 - len(answer))
    if not chunk:
        sys.exit(137)  # the step's process died without an exit code (killed)
    answer += chunk
sys.exit(struct.unpack("!i", answer)[0])
'''

# What the steps import, loaded once in the server: each module a step imports after the fork costs its
# import again in every step. Measured with PYTHONPROFILEIMPORTTIME=1 on the fault sweep's two tasks (the
# steps' stderr); openai alone, imported by prpilot only when the engine first calls the model, took 0.9 s
# of every engine step before it was here. Module-level reads of the environment in these modules (openai's
# OPENAI_LOG) see the server's, which is the environment the test bed builds the steps' from.
_PRELOAD = (
    "prpilot.cli", "prpilot.actions.acknowledge", "prpilot.actions.run_step", "prpilot.actions.schedule_step",
    "prpilot.actions.engine_step",
    "prpilot.wiring.run", "prpilot.actions.finish_step", "prpilot.actions.environ",
    "prpilot.intake.events", "prpilot.scheduler.task_scheduler", "prpilot.thread.history",
    "prpilot.agent.openai_model", "prpilot.agent.loop", "prpilot.agent.tools", "prpilot.agent.prompt",
    "prpilot.agent.counting", "prpilot.review.prompt", "prpilot.review.diff_tool",
    "prpilot.github.rest", "prpilot.github.plain", "prpilot.github.ref_store", "prpilot.billing.ref_ledger",
    "prpilot.github.checkout", "prpilot.billing.delivery",
    "openai", "openai.resources.chat", "openai.resources.chat.completions.completions", "httpcore2",
    "jsonschema.exceptions", "pkgutil",
)


def _recv_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the client went away")
        data += chunk
    return data


def _cpu_seconds() -> float:
    """CPU time of this process and the children it waited for (git), in seconds."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _stream(fd: int, like: TextIO) -> TextIO:
    """A text stream on ``fd`` set up as ``like``, the server's own: what a fresh interpreter would make of it."""
    unbuffered = isinstance(getattr(like, "buffer", None), io.FileIO)  # -u or PYTHONUNBUFFERED: no buffer layer
    return io.TextIOWrapper(
        open(fd, "wb", buffering=0 if unbuffered else -1, closefd=False),  # the fd stays the step's until it ends
        encoding=like.encoding, errors=like.errors, line_buffering=bool(like.line_buffering),
        write_through=getattr(like, "write_through", False),
    )


def _run_step(conn: socket.socket, fds: list[int], request: dict[str, object], cpu_log: str) -> None:
    """In the forked child: become the step's process, run it, report its exit code, and end."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the step waits for its own children (git)
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - the fds stay the step's until it ends
        sys.stdout, sys.stderr = _stream(1, sys.__stdout__ or sys.stdout), _stream(2, sys.__stderr__ or sys.stderr)
        env = request["env"]
        argv = request["argv"]
        assert isinstance(env, dict)
        assert isinstance(argv, list)
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in env.items()})
        os.chdir(str(request["cwd"]))
        sys.argv = [str(a) for a in argv]
        # As `python SCRIPT` does: the script's folder first on sys.path (never the working directory).
        sys.path.insert(0, os.path.dirname(os.path.realpath(sys.argv[0])))
        try:
            runpy.run_path(sys.argv[0], run_name="__main__")
            code = 0
        except SystemExit as exc:
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:  # the interpreter prints any other exit value on stderr, and exits with 1
                print(exc.code, file=sys.stderr)
                code = 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        try:
            with open(cpu_log, "a", encoding="utf-8") as log:  # one short line: appends do not interleave
                log.write(f"{_cpu_seconds():.4f}\n")
            conn.sendall(struct.pack("!i", code))
        finally:
            os._exit(code)


def _reap(_signum: int, _frame: object) -> None:
    """Wait for every step that ended."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def serve(path: str, cpu_log: str) -> None:
    """The server's loop: preload, then fork one child per connecting step (each adds its CPU time to ``cpu_log``)."""
    import importlib

    if sys.path and sys.path[0] == "":  # `python -c`'s working directory: neither the preload's nor a step's
        del sys.path[0]
    for module in _PRELOAD:
        with contextlib.suppress(ImportError):  # only a speed-up: a step imports what is missing itself
            importlib.import_module(module)
    # Each step is waited for, as the step's parent would: its CPU time then counts in the server's
    # children, and so in the test run's (`time pytest` shows what the steps cost).
    signal.signal(signal.SIGCHLD, _reap)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    print("ready", flush=True)
    while True:
        conn, _ = listener.accept()
        try:
            message, fds, _flags, _addr = socket.recv_fds(conn, 4, 3)
            size = struct.unpack("!I", message)[0]
            request = json.loads(_recv_exact(conn, size))
        except (OSError, ValueError, struct.error):
            conn.close()
            continue
        if os.fork() == 0:
            listener.close()
            _run_step(conn, fds, request, cpu_log)
        for fd in fds:
            os.close(fd)
        conn.close()


class Prefork:
    """Start the server under ``root``; ``python`` is the client to use as ``$PRPILOT_PYTHON``."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        # A socket's path may be at most 107 bytes: it goes in a short directory of its own.
        self._sockets = Path(tempfile.mkdtemp(prefix="prpilot-prefork-"))
        self.socket = str(self._sockets / "sock")
        self.python = root / "python"
        self.cpu_log = root / "cpu.log"
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Prefork:
        self._process = subprocess.Popen(
            [sys.executable, "-c",
             f"from prpilot.testing.runner.prefork import serve; serve({self.socket!r}, {str(self.cpu_log)!r})"],
            stdout=subprocess.PIPE, text=True,
        )
        assert self._process.stdout is not None
        if self._process.stdout.readline().strip() != "ready":
            raise RuntimeError("the prefork server did not start")
        self.python.write_text(_CLIENT.format(python=sys.executable, socket=self.socket))
        self.python.chmod(0o755)
        return self

    def cpu_seconds(self) -> float:
        """The CPU time every step run so far took (with the git commands it ran), in seconds."""
        if not self.cpu_log.exists():
            return 0.0
        return sum(float(line) for line in self.cpu_log.read_text(encoding="utf-8").split())

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        shutil.rmtree(self._sockets, ignore_errors=True)
