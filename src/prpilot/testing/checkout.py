"""Fill a workspace the way ``actions/checkout@v4`` does, auth header and all.

actions/checkout runs ``git init``, ``git remote add origin``, stores the token as
``http.{server_url}/.extraheader = AUTHORIZATION: basic base64(x-access-token:TOKEN)`` in the local
config, fetches with ``--depth=1`` and checks out; ``persist-credentials: false`` removes the header
afterwards. https://github.com/actions/checkout/blob/main/src/git-auth-helper.ts
"""

from __future__ import annotations

import base64
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Checkout", "CheckoutError", "auth_header", "checkout", "extraheader_key"]


class CheckoutError(RuntimeError):
    """A git command of the checkout failed."""


@dataclass(frozen=True)
class Checkout:
    """What was checked out."""

    sha: str
    ref: str  # full ref, e.g. refs/heads/main; the ref itself when a sha was asked for
    default_branch: str


def auth_header(token: str) -> str:
    """The extraheader value actions/checkout stores."""
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return f"AUTHORIZATION: basic {basic}"


def extraheader_key(server_url: str) -> str:
    """``http.https://github.com/.extraheader``."""
    return f"http.{server_url.rstrip('/')}/.extraheader"


def _git(workspace: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=workspace, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        raise CheckoutError(f"git {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def checkout(
    workspace: Path,
    server_url: str,
    repository: str,
    token: str,
    ref: str | None = None,
    fetch_depth: int = 1,
    persist_credentials: bool = True,
) -> Checkout:
    """Check out ``{server_url}/{repository}`` at ``ref`` (branch, full ref or sha; default branch if None)."""
    workspace.mkdir(parents=True, exist_ok=True)
    key = extraheader_key(server_url)
    _git(workspace, "init", "--quiet")
    _git(workspace, "remote", "add", "origin", f"{server_url.rstrip('/')}/{repository}")
    _git(workspace, "config", "--local", "gc.auto", "0")
    _git(workspace, "config", "--local", key, auth_header(token))
    heads = _git(workspace, "ls-remote", "--symref", "origin", "HEAD")
    found = re.search(r"^ref: refs/heads/(\S+)\s+HEAD", heads, re.MULTILINE)
    default_branch = found.group(1) if found else "main"
    depth = [f"--depth={fetch_depth}"] if fetch_depth > 0 else []
    wanted = ref or default_branch
    if re.fullmatch(r"[0-9a-f]{40}", wanted):
        # A bare sha: fetch every branch in full, then check it out detached.
        _git(workspace, "fetch", "--no-tags", "--prune", "origin", "+refs/heads/*:refs/remotes/origin/*")
        _git(workspace, "checkout", "--quiet", "--force", wanted)
        full_ref = wanted
    elif wanted.startswith("refs/") and not wanted.startswith("refs/heads/"):
        local = f"refs/remotes/{wanted[len('refs/') :]}"
        _git(workspace, "fetch", "--no-tags", *depth, "origin", f"+{wanted}:{local}")
        _git(workspace, "checkout", "--quiet", "--force", local)
        full_ref = wanted
    else:
        branch = wanted.removeprefix("refs/heads/")
        remote = f"refs/remotes/origin/{branch}"
        _git(workspace, "fetch", "--no-tags", "--prune", *depth, "origin", f"+refs/heads/{branch}:{remote}")
        _git(workspace, "checkout", "--quiet", "--force", "-B", branch, remote)
        full_ref = f"refs/heads/{branch}"
    if not persist_credentials:
        _git(workspace, "config", "--local", "--unset-all", key)
    sha = _git(workspace, "rev-parse", "HEAD").strip()
    return Checkout(sha=sha, ref=full_ref, default_branch=default_branch)
