"""Git smart HTTP: run ``git http-backend`` as a CGI and stream its answer back."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_BACKEND_ENV_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


@dataclass(frozen=True)
class GitRequest:
    """A git smart-HTTP request: which repository, which git path inside it, and what it wants."""

    full_name: str  # owner/name, without .git
    git_path: str  # e.g. /info/refs or /git-upload-pack
    query: str

    @property
    def wants_push(self) -> bool:
        """Return True for receive-pack (push) requests, which need write access."""
        return self.git_path.endswith("/git-receive-pack") or "service=git-receive-pack" in self.query


def parse_git_path(path: str, query: str) -> GitRequest | None:
    """Split ``/owner/name(.git)/rest`` into a GitRequest; None when it is not a git path."""
    parts = path.lstrip("/").split("/", 2)
    if len(parts) < 3 or not parts[0] or not parts[1]:
        return None
    return GitRequest(f"{parts[0]}/{parts[1].removesuffix('.git')}", "/" + parts[2], query)


def read_body(rfile: BinaryIO, headers: dict[str, str]) -> bytes:
    """Read a request body (Content-Length or chunked), un-gzipping it when git compressed it."""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                break
            chunks.append(rfile.read(size))
            rfile.readline()
        body = b"".join(chunks)
    else:
        body = rfile.read(int(headers.get("content-length") or 0))
    if headers.get("content-encoding", "").lower() in ("gzip", "x-gzip"):
        body = gzip.decompress(body)
    return body


def run_backend(
    root: Path, request: GitRequest, method: str, content_type: str, body: bytes, user: str
) -> tuple[int, list[tuple[str, str]], subprocess.Popen[bytes]]:
    """Start http-backend; return its status, headers and the process (whose stdout holds the body)."""
    env = {k: v for k, v in os.environ.items() if k in _BACKEND_ENV_KEEP}
    env.update(
        GIT_PROJECT_ROOT=str(root),
        GIT_HTTP_EXPORT_ALL="1",
        REMOTE_USER=user,
        REMOTE_ADDR="127.0.0.1",
        REQUEST_METHOD=method,
        QUERY_STRING=request.query,
        PATH_INFO=f"/{request.full_name}.git{request.git_path}",
        CONTENT_TYPE=content_type,
        CONTENT_LENGTH=str(len(body)),
        GIT_CONFIG_NOSYSTEM="1",
    )
    git = shutil.which("git") or "git"
    proc = subprocess.Popen(
        [git, "-c", "http.receivepack=true", "http-backend"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    stdin = proc.stdin

    def feed() -> None:  # a separate writer so a chatty backend can't deadlock against a large push
        try:
            stdin.write(body)
        except BrokenPipeError:
            pass
        finally:
            stdin.close()

    threading.Thread(target=feed, daemon=True).start()
    status, headers = 200, []
    while True:
        line = proc.stdout.readline().decode("latin-1").rstrip("\r\n")
        if not line:
            break
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.strip().split()[0])
        else:
            headers.append((name.strip(), value.strip()))
    return status, headers, proc
