"""A git ref on GitHub as a :class:`~prpilot.billing.ref_ledger.RefStore`, through the REST git data API.

REST requests (https://docs.github.com/en/rest/git):

- read: ``GET git/ref`` + ``GET contents`` per file;
- write: ``GET git/commits`` (the parent's tree; skipped when we made that commit) +
  ``POST git/trees`` + ``POST git/commits`` + ``PATCH git/refs`` (``POST`` for a new ref).

``PATCH git/refs`` without ``force`` only fast-forwards, so if anyone wrote in between GitHub
answers 422 "Update is not a fast forward" and we raise :class:`~prpilot.errors.LedgerConflict`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from github.GitCommit import GitCommit
from github.GithubException import GithubException, UnknownObjectException
from github.GitRef import GitRef
from github.InputGitTreeElement import InputGitTreeElement
from github.Repository import Repository

from prpilot.errors import GitHubError, LedgerConflict
from prpilot.github.connection import github_error

# What GitHub answers (422) when a ref moved under us or appeared before we created it.
_LOST_RACE = ("not a fast forward", "reference already exists")


class GitRefStore:
    """One git ref of ``repo`` (by default the ledger's), holding what it last read: one instance per thread."""

    def __init__(self, repo: Repository, ref: str = "refs/prpilot/ledger") -> None:
        self.repo = repo
        self.ref = ref if ref.startswith("refs/") else f"refs/{ref}"
        self._git_ref: GitRef | None = None
        self._commits: dict[str, GitCommit] = {}  # commits we created, so a write skips GET git/commits

    def head(self) -> str | None:
        with self._github("read"):
            try:
                git_ref = self.repo.get_git_ref(self.ref.removeprefix("refs/"))
                version: str = git_ref.object.sha  # a lazy Github fetches here
            except UnknownObjectException:
                self._git_ref = None
                return None
            self._git_ref = git_ref
            return version

    def read_file(self, commit: str, path: str) -> str | None:
        with self._github("read"):
            try:
                found = self.repo.get_contents(path, ref=commit)
            except UnknownObjectException:
                return None
            if isinstance(found, list):
                raise GitHubError(f"ledger {self.ref}: {path} is a directory, not a file")
            if found.encoding == "base64":
                return found.decoded_content.decode("utf-8")
            # Files over 1 MB come without content (encoding "none"); the blob API serves up to 100 MB.
            blob = self.repo.get_git_blob(found.sha)
            return base64.b64decode(blob.content).decode("utf-8")

    def list_directory(self, commit: str, directory: str) -> list[str] | None:
        with self._github("read"):
            try:
                listing = self.repo.get_contents(directory, ref=commit)
            except UnknownObjectException:
                return None
            return [item.name for item in (listing if isinstance(listing, list) else [listing])]

    def commit_file(self, parent: str | None, path: str, content: str, message: str) -> str:
        with self._github("write"):
            base = None if parent is None else self._commits.get(parent) or self.repo.get_git_commit(parent)
            element = InputGitTreeElement(path, "100644", "blob", content=content)
            tree = self.repo.create_git_tree([element], base.tree) if base else self.repo.create_git_tree([element])
            commit = self.repo.create_git_commit(message, tree, [base] if base else [])
            self._commits = {commit.sha: commit}
            return commit.sha

    def move(self, old: str | None, new: str) -> None:
        with self._github("write"):
            if old is None:
                self._git_ref = self.repo.create_git_ref(self.ref, new)
            else:
                git_ref = self._git_ref or self.repo.get_git_ref(self.ref.removeprefix("refs/"))
                git_ref.edit(new, force=False)

    @contextmanager
    def _github(self, action: str) -> Iterator[None]:
        try:
            yield
        except GithubException as exc:
            message = exc.message or (exc.data.get("message") if isinstance(exc.data, dict) else None) or ""
            if exc.status == 422 and any(words in str(message).lower() for words in _LOST_RACE):
                raise LedgerConflict(f"ledger {self.ref} moved while we wrote ({message})") from exc
            raise github_error(f"{action} the ledger {self.ref} of {self.repo.full_name}", exc) from exc
        except requests.RequestException as exc:
            raise github_error(f"{action} the ledger {self.ref} of {self.repo.full_name}", exc) from exc
