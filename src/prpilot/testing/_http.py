"""A real HTTP listener on 127.0.0.1 that the test-bed servers share: start, stop, restart on one port."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

__all__ = ["HTTPRequest", "HTTPResponse", "LocalServer"]


class ShortAccept:
    """A listening socket whose ``accept`` cannot block a server's loop (mix in before the server class).

    The loop accepts only once the socket polls readable, but a queued connection its client reset
    in between is dropped by the kernel, and a blocking ``accept`` then waits for the next client,
    which never comes at teardown: ``shutdown()`` hung for good (seen in a parallel run, py-spy on the
    stuck worker). With a timeout that ``accept`` returns an OSError the loop ignores; the sockets it
    accepts are blocking all the same (``socket.accept`` makes them so when the listener has a timeout).
    Sources, read 2026-12-07: Linux accept(2), NOTES ("the connection might have been removed by an
    asynchronous network error ... the call will block waiting for the next connection"; man-pages on
    this machine), and CPython 3.11's Lib/socket.py ``socket.accept`` (issue #7995's blocking rule).
    """

    socket: Any

    def server_activate(self) -> None:
        super().server_activate()  # type: ignore[misc]
        self.socket.settimeout(0.5)


class _Server(ShortAccept, ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # as the fake GitHub's: the default backlog of 5 resets connections under load


@dataclass(frozen=True)
class HTTPRequest:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def header(self, name: str) -> str | None:
        """Return a header by case-insensitive name."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def json(self) -> Any:
        """Decode the body as JSON."""
        return json.loads(self.body or b"null")


@dataclass
class HTTPResponse:
    """What a handler answers; ``delay`` seconds pass before anything is sent."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    stream: list[bytes] | None = None  # sent chunk by chunk (server-sent events), no content-length

    @classmethod
    def json(cls, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> HTTPResponse:
        """Answer ``payload`` as JSON."""
        return cls(
            status=status,
            body=json.dumps(payload).encode(),
            headers={"content-type": "application/json", **(headers or {})},
        )


Handler = Callable[[HTTPRequest], HTTPResponse]


class LocalServer:
    """Serve ``handle`` on 127.0.0.1; ``stop()`` then ``start()`` reuses the same port."""

    def __init__(self, handle: Handler, port: int = 0) -> None:
        self._handle = handle
        self._port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port (fixed after the first start)."""
        return self._port

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def running(self) -> bool:
        """Whether the listener accepts connections."""
        return self._httpd is not None

    def start(self) -> None:
        """Bind and serve in a daemon thread."""
        if self._httpd is not None:
            return
        httpd = _Server(("127.0.0.1", self._port), _make_handler(self._handle))
        self._port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"local-server-{self._port}"
        )
        self._thread.daemon = True
        self._thread.start()

    def stop(self) -> None:
        """Stop listening: new connections are refused."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def _make_handler(handle: Handler) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            try:
                self._answer()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (timeouts, cancellation tests)

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = HTTPRequest(self.command, self.path, headers, body)
            response = handle(request)
            if response.delay:
                threading.Event().wait(response.delay)
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            if response.stream is None:
                self.send_header("content-length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)
                return
            self.send_header("connection", "close")
            self.end_headers()
            self.close_connection = True
            for chunk in response.stream:
                self.wfile.write(chunk)
                self.wfile.flush()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return _Handler


class LocalService:
    """Start, stop and ``with`` for a service built on a :class:`LocalServer` (``self._server``)."""

    _server: LocalServer

    def start(self) -> Self:
        """Start listening; returns self."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        self._server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
