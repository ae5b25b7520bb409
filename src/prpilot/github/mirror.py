"""Per-repository mirror clones: fetch into one cached bare mirror, clone each task's copy from it.

``cache_root/<host>/<owner>/<repo>.git`` is a ``git clone --mirror`` refreshed with ``fetch
--prune`` under an exclusive file lock, so parallel workers on one machine never fetch into it at
once. A task's copy is a local clone of the mirror (objects hard-linked when on the same file
system; copied otherwise), made under a shared lock so no fetch or ``gc --auto`` repacks the
mirror mid-clone. Unlike ``--shared`` or ``--reference`` the copy does not depend on the mirror
afterwards. Its ``origin`` is then pointed at the real URL so the engine pushes there.

The token reaches git as ``http.extraheader`` through ``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``
environment variables (git >= 2.31): unlike ``-c`` it is not in the process list, and it is never
written into a URL, a config file or a log line.
See https://git-scm.com/docs/git-config#Documentation/git-config.txt-GITCONFIGCOUNT
"""

from __future__ import annotations

import base64
import fcntl
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from prpilot.errors import GitError

__all__ = ["clone_with_mirror", "mirror_path"]

log = logging.getLogger(__name__)

_SCP_LIKE = re.compile(r"^[\w.-]+@(?P<host>[\w.-]+):(?P<path>.+)$")


def mirror_path(cache_root: Path, clone_url: str) -> Path:
    """Where the mirror of ``clone_url`` lives: ``cache_root/<host>/<owner>/<repo>.git``."""
    scp = _SCP_LIKE.match(clone_url)
    if scp:
        host, path = scp["host"], scp["path"]
    else:
        parts = urlsplit(clone_url)
        host = (parts.hostname or "local") + (f"_{parts.port}" if parts.port else "")
        path = parts.path if parts.scheme else clone_url
    names = [name for name in path.split("/") if name][-2:]
    owner, repo = ["_"] * (2 - len(names)) + names
    repo = repo.removesuffix(".git")
    return cache_root / _safe(host) / _safe(owner) / f"{_safe(repo)}.git"


def _safe(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    return "_" if cleaned in {"", ".", ".."} else cleaned


def clone_with_mirror(
    clone_url: str, token: str, dest: Path, cache_root: Path, ref: str | None = None, *, timeout: float = 900.0
) -> Path:
    """Clone ``clone_url`` at ``ref`` (branch, tag, any ref or commit) into ``dest`` via a cached mirror."""
    parts = urlsplit(clone_url)
    if parts.username or parts.password:
        raise GitError("the clone URL carries credentials; pass the token separately")
    if ref is not None and (not ref or ref.startswith("-")):
        raise GitError(f"refusing ref {ref!r}")
    mirror = mirror_path(cache_root, clone_url)
    mirror.parent.mkdir(parents=True, exist_ok=True)
    git = _Git(_auth_config(token), secrets=[token], timeout=timeout)
    with _locked(mirror, exclusive=True):
        _refresh(git, clone_url, mirror)
    with _locked(mirror, exclusive=False):
        commit = None if ref is None else _resolve(git, mirror, ref, clone_url)
        branch = ["--branch", ref] if ref is not None and commit is None else []
        git.run("clone", "--quiet", *(["--no-checkout"] if commit else branch), mirror, dest)
    if commit:
        git.run("-C", dest, "checkout", "--quiet", "--detach", commit)
    git.run("-C", dest, "remote", "set-url", "origin", clone_url)
    log.info("cloned %s at %s into %s from mirror %s", clone_url, ref or "the default branch", dest, mirror)
    return dest


def _resolve(git: _Git, mirror: Path, ref: str, clone_url: str) -> str | None:
    """None for a branch or tag (cloned with ``--branch``); otherwise the commit ``ref`` names."""
    if any(
        git.call("-C", mirror, "show-ref", "--verify", "--quiet", f"refs/{kind}/{ref}").returncode == 0
        for kind in ("heads", "tags")
    ):
        return None
    found = git.call("-C", mirror, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode != 0:
        raise GitError(f"{ref!r} names no branch, tag or commit of {clone_url}")
    return found.stdout.strip()


def _refresh(git: _Git, clone_url: str, mirror: Path) -> None:
    if (mirror / "HEAD").is_file():
        git.run("-C", mirror, "remote", "set-url", "origin", clone_url)
        git.run("-C", mirror, "fetch", "--quiet", "--prune", "origin")
        return
    # Clone beside it and rename, so an interrupted clone never passes for a mirror.
    partial = mirror.with_name(f"{mirror.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(mirror, ignore_errors=True)
    try:
        git.run("clone", "--quiet", "--mirror", clone_url, partial)
        partial.rename(mirror)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


@contextmanager
def _locked(mirror: Path, exclusive: bool) -> Iterator[None]:
    with mirror.with_name(f"{mirror.name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _auth_config(token: str) -> dict[str, str]:
    if not token:
        return {}
    # Appended after any GIT_CONFIG_* pairs the caller's environment already carries.
    index = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {
        "GIT_CONFIG_COUNT": str(index + 1),
        f"GIT_CONFIG_KEY_{index}": "http.extraheader",
        f"GIT_CONFIG_VALUE_{index}": f"AUTHORIZATION: basic {basic}",
    }


class _Git:
    """Run git with extra environment; errors become GitError with every secret masked."""

    def __init__(self, env: Mapping[str, str], secrets: list[str], timeout: float) -> None:
        self.env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", **env}
        encoded = [base64.b64encode(f"x-access-token:{s}".encode()).decode() for s in secrets if s]
        self.secrets = [s for s in [*secrets, *encoded] if s]
        self.timeout = timeout

    def run(self, *args: str | Path) -> str:
        """Run git; raise GitError unless it succeeds."""
        done = self.call(*args)
        if done.returncode != 0:
            raise GitError(self._mask(f"git {_subcommand(args)} failed: {done.stderr.strip()}"))
        return done.stdout

    def call(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """Run git and return what happened."""
        command = ["git", *map(str, args)]
        try:
            return subprocess.run(command, capture_output=True, text=True, env=self.env, timeout=self.timeout)
        except subprocess.TimeoutExpired as exc:
            raise GitError(f"git {_subcommand(args)} timed out after {self.timeout:g}s") from exc

    def _mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def _subcommand(args: tuple[str | Path, ...]) -> str:
    return str(args[2] if args[0] == "-C" else args[0])
