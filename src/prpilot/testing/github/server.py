"""The HTTP front: ``/api/v3/...`` is REST, every other path is git smart HTTP (like GitHub Enterprise)."""

from __future__ import annotations

import base64
import binascii
import json
import sys
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from prpilot.testing._http import ShortAccept
from prpilot.testing.github import routes_actions, routes_git, routes_issues, routes_pulls, routes_repos, routes_reviews
from prpilot.testing.github.git_http import parse_git_path, read_body, run_backend
from prpilot.testing.github.recording import Arrival, PositionalFault, RecordedRequest, Recorder
from prpilot.testing.github.router import Api, ApiError, Call, Reply, Router
from prpilot.testing.github.shapes import error
from prpilot.testing.github.state import Token

API_PREFIX = "/api/v3"
GRAPHQL_PATH = "/api/graphql"
ROUTER = Router([*routes_repos.ROUTES, *routes_git.ROUTES, *routes_issues.ROUTES, *routes_pulls.ROUTES,
                 *routes_reviews.ROUTES, *routes_actions.ROUTES])


@dataclass
class Settings:
    """Knobs tests turn while the server runs."""

    latency: float = 0.0  # seconds added to every REST request


@dataclass
class App:
    """Everything a request handler needs."""

    api: Api
    root: Path
    recorder: Recorder
    settings: Settings = field(default_factory=Settings)

    def token(self, value: str) -> Token | None:
        """Return the token record for ``value``."""
        with self.api.state.lock:
            return self.api.state.tokens.get(value)


class FakeServer(ShortAccept, ThreadingHTTPServer):
    """A threading HTTP server that carries the App."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # many concurrent clients in tests; the default backlog of 5 resets connections

    app: App  # set by FakeGitHub.start once the port is known

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (its timeout, a fault test) is no error of the fake's: stay quiet about it."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def _rest_token(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() in ("token", "bearer") and value.strip() else None


def _basic_password(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return _rest_token(header)
    try:
        return base64.b64decode(value.strip()).decode().partition(":")[2] or None
    except (binascii.Error, UnicodeDecodeError):
        return None


class Handler(BaseHTTPRequestHandler):
    """Dispatch each request to the REST router or to git http-backend."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; don't wait for delayed ACKs
    server: FakeServer

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet; tests read ``FakeGitHub.requests`` instead."""

    def do_GET(self) -> None:
        """Handle GET."""
        self._dispatch()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        body = read_body(self.rfile, headers)  # type: ignore[arg-type]
        if url.path == API_PREFIX or url.path.startswith(API_PREFIX + "/"):
            path = url.path[len(API_PREFIX):] or "/"
            arrival = Arrival("rest", self.command, path)
        elif url.path == GRAPHQL_PATH:  # GitHub Enterprise's GraphQL endpoint, beside /api/v3
            path = "/graphql"
            arrival = Arrival("rest", self.command, path)
        else:
            service = dict(parse_qsl(url.query)).get("service")
            path = url.path
            arrival = Arrival("git", self.command, path + (f"?service={service}" if service else ""))
        recorder = self.server.app.recorder
        fault = recorder.arrive(arrival)
        late = fault is not None and fault.late
        if fault is not None and late:
            self._hold(fault)
            fault = None  # then carried out as usual, answering a client that gave up
        try:
            if arrival.kind == "rest":
                self._rest(path, url.query, headers, body, fault)
            else:
                self._git(path, url.query, headers, body, fault)
        finally:
            if late:
                recorder.release()

    def _hold(self, fault: PositionalFault) -> None:
        """Hold a request past the client's timeout (a ``late`` fault); FakeGitHub.settle waits for it."""
        self.server.app.recorder.hold()
        time.sleep(fault.delay)
        self.close_connection = True

    def _drop(self, fault: PositionalFault) -> None:
        """Answer nothing until the client has given up, then close the connection."""
        time.sleep(fault.delay)
        self.close_connection = True

    # --- REST ------------------------------------------------------------------------------------

    def _rest(self, path: str, query: str, headers: dict[str, str], raw: bytes, fault: PositionalFault | None) -> None:
        app = self.server.app
        if app.settings.latency:
            time.sleep(app.settings.latency)
        params = dict(parse_qsl(query, keep_blank_values=True))
        try:
            body: Any = json.loads(raw) if raw.strip() else None
        except ValueError:
            body = raw.decode(errors="replace")
        token = app.token(_rest_token(headers.get("authorization", "")) or "")
        if fault is not None and fault.status:
            reply = Reply(fault.status, error(_POSITIONAL_REASONS.get(fault.status) or _reason(fault.status)))
        elif fault is not None and not fault.applied:
            reply = Reply(0)
        else:
            reply = self._answer(path, params, body, token, raw)
        app.recorder.record(RecordedRequest(
            "rest", self.command, path, params, headers, body, 0 if fault and not fault.status else reply.status,
            reply.body, token.login if token else None,
        ))
        if fault is not None and not fault.status:
            self._drop(fault)
            return
        self._send_json(reply)

    def _answer(self, path: str, query: dict[str, str], body: Any, token: Token | None, raw: bytes) -> Reply:
        app = self.server.app
        fault = app.recorder.take_fault(self.command, path)
        if fault is not None:
            return Reply(fault.status, fault.body if fault.body is not None else error(_reason(fault.status)),
                         dict(fault.headers))
        if token is None:
            message = "Bad credentials" if "authorization" in self.headers else "Requires authentication"
            return Reply(401, error(message))
        if raw.strip() and isinstance(body, str):
            return Reply(400, error("Problems parsing JSON"))
        found = ROUTER.match(self.command, path)
        if found is None:
            return Reply(404, error("Not Found"))
        route, path_params = found
        if self.command != "GET" and token.permission != "write" and path != "/graphql":  # queries read
            return Reply(403, error("Resource not accessible by integration"))
        call = Call(self.command, path, query, body, token, path_params)
        try:
            return route.handler(app.api, call)
        except ApiError as exc:
            return Reply(exc.status, exc.body)
        except Exception as exc:  # a fake bug must surface as a 500 the test can see, not a hung client
            return Reply(500, error(f"fake GitHub crashed: {type(exc).__name__}: {exc}"))

    def _send_json(self, reply: Reply) -> None:
        payload = b"" if reply.status == 204 or reply.body is None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        if payload:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("X-GitHub-Media-Type", "github.v3; format=json")
        self.send_header("X-RateLimit-Limit", "5000")
        self.send_header("X-RateLimit-Remaining", "4999")
        self.send_header("X-RateLimit-Reset", str(int(time.time()) + 3600))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    # --- git smart HTTP --------------------------------------------------------------------------

    def _git(self, path: str, query: str, headers: dict[str, str], body: bytes, fault: PositionalFault | None) -> None:
        app = self.server.app
        extra: list[tuple[str, str]] = []
        if fault is not None and not fault.applied:
            status = fault.status
            text = _POSITIONAL_GIT_REASONS.get(status) or _reason(status)
            if not fault.status:
                app.recorder.record(RecordedRequest("git", self.command, path, dict(parse_qsl(query)), headers,
                                                    None, 0, None))
                self._drop(fault)
                return
        else:
            status, text, extra = self._git_gate(path, query, headers)
        if status:
            app.recorder.record(RecordedRequest("git", self.command, path, dict(parse_qsl(query)), headers,
                                                None, status, text))
            payload = text.encode() + b"\n"
            self.send_response(status)
            for name, value in [("Content-Type", "text/plain"), ("Content-Length", str(len(payload))), *extra]:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
            return
        request = parse_git_path(path, query)
        repo = app.api.state.repo(request.full_name) if request else None
        assert request is not None
        assert repo is not None
        token = app.token(_basic_password(headers.get("authorization", "")) or "")
        assert token is not None
        code, cgi_headers, proc = run_backend(
            app.root, replace(request, full_name=repo.full_name), self.command,
            headers.get("content-type", ""), body, token.login,
        )
        app.recorder.record(RecordedRequest("git", self.command, path, dict(parse_qsl(query)), headers,
                                            None, 0 if fault is not None else code, None, token.login))
        if fault is not None:  # carried out, but the answer never reaches the client
            assert proc.stdout is not None
            proc.stdout.read()
            proc.stdout.close()
            proc.wait()
            self._drop(fault)
            return
        self.send_response(code)
        for name, value in cgi_headers:
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        assert proc.stdout is not None
        try:
            while chunk := proc.stdout.read1(65536):  # type: ignore[attr-defined]
                self.wfile.write(chunk)
        finally:
            proc.stdout.close()
            proc.wait()

    def _git_gate(self, path: str, query: str, headers: dict[str, str]) -> tuple[int, str, list[tuple[str, str]]]:
        """Return (status, message, headers) when the request must be refused; status 0 lets it through."""
        app = self.server.app
        fault = app.recorder.take_fault(self.command, path)
        if fault is not None:
            return fault.status, _reason(fault.status), list(fault.headers.items())
        request = parse_git_path(path, query)
        if request is None:
            return 404, "Not Found", []
        challenge = [("WWW-Authenticate", 'Basic realm="GitHub"')]
        password = _basic_password(headers.get("authorization", ""))
        if password is None:
            return 401, "Authentication required", challenge
        token = app.token(password)
        if token is None:
            return 401, "Invalid username or password.", challenge
        repo = app.api.state.repo(request.full_name)
        if repo is None:
            return 404, "Repository not found.", []
        if request.wants_push and token.permission != "write":
            return 403, f"Permission to {repo.full_name}.git denied to {token.login}.", []
        if not request.wants_push and request.git_path == "/info/refs":
            app.api.view.refresh_merge_refs(repo)  # a fetch is about to list the refs
        return 0, "", []


# A request failed by position answers as GitHub does when it keeps refusing (403: a permission the
# token lacks), so that retries honour no Retry-After and the failure stays.
_POSITIONAL_REASONS = {403: "Resource not accessible by integration"}
_POSITIONAL_GIT_REASONS = {403: "Permission denied.", 404: "Repository not found."}


def _reason(status: int) -> str:
    if status == 403:
        return "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
    return {429: "Too Many Requests", 500: "Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            404: "Not Found", 401: "Bad credentials"}.get(status, "Error")
