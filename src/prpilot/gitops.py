"""Git, through GitPython: the working branch, the commit and an authenticated push.

The token reaches git through ``GIT_CONFIG_*`` environment variables (git >= 2.31), so it is
never on a command line, in a URL, or written to .git/config, whether or not actions/checkout
persisted its own credentials.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import git

from prpilot.errors import GitError, PushRejected


@dataclass(frozen=True)
class Identity:
    """A git author or committer."""

    name: str
    email: str


BOT = Identity("prpilot[bot]", "prpilot[bot]@users.noreply.github.com")


def auth_config(server_url: str, token: str) -> dict[str, str]:
    """Return ``GIT_CONFIG_*`` variables that authenticate to ``server_url`` with ``token``."""
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    key = f"http.{server_url.rstrip('/')}/.extraheader"
    # The empty value first resets what actions/checkout may have persisted for the same key.
    pairs = [(key, ""), (key, f"AUTHORIZATION: basic {basic}")]
    env = {"GIT_CONFIG_COUNT": str(len(pairs)), "GIT_TERMINAL_PROMPT": "0"}
    for index, (name, value) in enumerate(pairs):
        env[f"GIT_CONFIG_KEY_{index}"] = name
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


class Checkout:
    """The user's checkout (the workspace) as a git repository."""

    def __init__(self, root: Path, *, server_url: str, token: str, remote: str = "origin") -> None:
        try:
            self.repo = git.Repo(root)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
            raise GitError(f"{root} is not a git checkout; run actions/checkout before prpilot") from exc
        self.root = root
        self.remote = remote
        self._remote_heads: dict[str, str] = {}  # branch -> sha, from the last ls-remote
        self._auth = auth_config(server_url, token)

    @contextmanager
    def _authenticated(self) -> Iterator[None]:
        with self.repo.git.custom_environment(**self._auth):
            yield

    def current_branch(self) -> str | None:
        return None if self.repo.head.is_detached else self.repo.active_branch.name

    def local_branches(self) -> set[str]:
        return {head.name for head in self.repo.heads}

    def remote_branches(self) -> set[str]:
        """Ask the remote which branches exist (one ls-remote, not a fetch)."""
        try:
            with self._authenticated():
                listing = str(self.repo.git.ls_remote("--heads", self.remote))
        except git.GitCommandError as exc:
            raise GitError(f"could not list the remote's branches: {_stderr(exc)}") from exc
        self._remote_heads = {
            line.split("refs/heads/", 1)[1]: line.split()[0] for line in listing.splitlines() if "refs/heads/" in line
        }
        return set(self._remote_heads)

    def start_branch(self, name: str, base: str | None) -> None:
        """Create ``name`` from ``base`` (a remote branch) or from HEAD, and check it out."""
        try:
            known = self._remote_heads.get(base) if base else None
            if known and self._has_commit(known):
                # The remote's tip is already here (actions/checkout fetched it): no fetch needed.
                self.repo.git.checkout("-B", name, known)
            elif base:
                with self._authenticated():
                    refspec = f"+refs/heads/{base}:refs/remotes/{self.remote}/{base}"
                    self.repo.git.fetch("--no-tags", self.remote, refspec)
                self.repo.git.checkout("-B", name, f"{self.remote}/{base}")
            else:
                self.repo.git.checkout("-B", name)
        except git.GitCommandError as exc:
            raise GitError(f"could not create the branch {name}: {_stderr(exc)}") from exc

    def checkout_remote_branch(self, name: str) -> None:
        """Check out the remote branch ``name`` (a pull request's head) as a local branch."""
        self.start_branch(name, name)

    def _has_commit(self, sha: str) -> bool:
        try:
            self.repo.git.cat_file("-e", f"{sha}^{{commit}}")
        except git.GitCommandError:
            return False
        return True

    def has_changes(self) -> bool:
        """Whether anything is modified, added or deleted (one `git status`, untracked files included)."""
        return bool(str(self.repo.git.status("--porcelain", "--untracked-files=normal")).strip())

    def commit_all(self, message: str, author: Identity) -> str:
        """Stage everything and commit it; return the new commit's sha."""
        try:
            self.repo.git.add("-A")
            env = {
                "GIT_AUTHOR_NAME": author.name,
                "GIT_AUTHOR_EMAIL": author.email,
                "GIT_COMMITTER_NAME": author.name,
                "GIT_COMMITTER_EMAIL": author.email,
            }
            with self.repo.git.custom_environment(**env):
                self.repo.git.commit("--no-verify", "-q", "-m", message)
        except git.GitCommandError as exc:
            raise GitError(f"could not commit: {_stderr(exc)}") from exc
        return str(self.repo.head.commit.hexsha)

    def push(self, branch: str) -> None:
        """Push ``branch``; a rejected push raises PushRejected, any other failure GitError."""
        remote = self.repo.remote(self.remote)
        try:
            with self._authenticated():
                results = remote.push(f"refs/heads/{branch}:refs/heads/{branch}")
        except git.GitCommandError as exc:
            raise GitError(f"could not push {branch}: {_stderr(exc)}") from exc
        # GitPython reports a refused push in the flags and does not raise by itself.
        failed = [info for info in results if info.flags & (info.ERROR | info.REJECTED | info.REMOTE_REJECTED)]
        if failed or not results:
            summary = failed[0].summary.strip() if failed else "no result"
            raise PushRejected(f"the push of {branch} was rejected ({summary})")


def _stderr(exc: git.GitCommandError) -> str:
    text = str(exc.stderr or exc).strip().strip("'").strip()
    return text.splitlines()[-1] if text else "git failed"
