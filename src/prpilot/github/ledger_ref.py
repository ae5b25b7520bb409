"""The ledger kept in the repository itself: month files in commits on ``refs/prpilot/ledger``.

The ref lives outside ``refs/heads``, so it shows up in no branch list, triggers no workflow and
needs no checkout; its history is the ledger's audit trail (``git fetch origin refs/prpilot/ledger``
and ``git log -p FETCH_HEAD`` to read it). Each commit's tree holds ``ledger/YYYY-MM.jsonl``.

Compare-and-swap comes from GitHub's ref update: a new commit's parent is the commit we read, and
``PATCH git/refs`` without ``force`` only fast-forwards, so if anyone wrote in between GitHub
answers 422 "Update is not a fast forward" and we raise :class:`~prpilot.errors.LedgerConflict`.

REST requests (https://docs.github.com/en/rest/git):

- read: ``GET git/ref`` + ``GET contents`` per shard (1, or 2 in a month's first hour) = 2-3;
- write: ``GET git/commits`` (the parent's tree; skipped when we made that commit) +
  ``POST git/trees`` + ``POST git/commits`` + ``PATCH git/refs`` = 3-4;
- so an admission costs 6 requests (2 when rejected), plus 6 per lost race.

A month file that answers 404 is asked about once more, through its directory's listing (one
request, on a month's first record only): a new month has no file yet, but a 404 for a file the
commit holds is GitHub failing, and taking it for an empty month would write the new record over
every earlier one. Such a read stops the write instead (issue 13).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

import requests
from github.GitCommit import GitCommit
from github.GithubException import GithubException, UnknownObjectException
from github.GitRef import GitRef
from github.InputGitTreeElement import InputGitTreeElement
from github.Repository import Repository

from prpilot.billing.ledger import month_key, months_to_read
from prpilot.errors import GitHubError, LedgerConflict
from prpilot.github.rest import github_error
from prpilot.task import utcnow

LEDGER_REF = "refs/prpilot/ledger"

# What GitHub answers (422) when a ref moved under us or appeared before we created it.
_LOST_RACE = ("not a fast forward", "reference already exists")


class GitRefLedgerBackend:
    """A :class:`~prpilot.billing.ledger.LedgerBackend` on a git ref of ``repo``, through the REST git data API.

    Holds what it last read, so use one instance per thread.
    """

    def __init__(
        self,
        repo: Repository,
        ref: str = LEDGER_REF,
        *,
        directory: str = "ledger",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.repo = repo
        self.ref = ref if ref.startswith("refs/") else f"refs/{ref}"
        self.directory = directory.strip("/")
        self.clock = clock
        self._git_ref: GitRef | None = None
        self._shards: dict[tuple[str, str], str] = {}  # (commit, month) -> text, from the last read
        self._commits: dict[str, GitCommit] = {}  # commits we created, so a write skips GET git/commits

    def read(self) -> tuple[str | None, str]:
        with self._github("read"):
            try:
                git_ref = self.repo.get_git_ref(self.ref.removeprefix("refs/"))
                version = git_ref.object.sha  # a lazy Github fetches here
            except UnknownObjectException:
                self._git_ref = None
                return None, ""
            self._git_ref = git_ref
            self._shards = {(version, m): self._shard(version, m) for m in months_to_read(self.clock())}
        return version, "".join(_terminated(text) for text in self._shards.values())

    def write(self, version: str | None, changes: str) -> str:
        month = month_key(self.clock())
        path = self._path(month)
        with self._github("write"):
            base = "" if version is None else self._shards.get((version, month))
            if base is None:
                base = self._shard(version, month)  # the month turned since the read
            parent = None if version is None else self._commits.get(version) or self.repo.get_git_commit(version)
            element = InputGitTreeElement(path, "100644", "blob", content=_terminated(base) + changes)
            tree = self.repo.create_git_tree([element], parent.tree) if parent else self.repo.create_git_tree([element])
            added = changes.count("\n")
            commit = self.repo.create_git_commit(
                f"prpilot ledger: {added} record(s) to {path}", tree, [parent] if parent else []
            )
            self._commits = {commit.sha: commit}
            if version is None:
                self._git_ref = self.repo.create_git_ref(self.ref, commit.sha)
            else:
                git_ref = self._git_ref or self.repo.get_git_ref(self.ref.removeprefix("refs/"))
                git_ref.edit(commit.sha, force=False)
        return commit.sha

    def _path(self, month: str) -> str:
        return f"{self.directory}/{month}.jsonl" if self.directory else f"{month}.jsonl"

    def read_months(self, months: Iterable[str]) -> str:
        """The records of these months at the ref's head (any month, not only those a decision needs)."""
        with self._github("read"):
            try:
                version = self.repo.get_git_ref(self.ref.removeprefix("refs/")).object.sha
            except UnknownObjectException:
                return ""
            parts = [self._shard(version, month) for month in months]
        return "".join(part if part.endswith("\n") else part + "\n" for part in parts if part)

    def _shard(self, version: str | None, month: str) -> str:
        if version is None:
            return ""
        try:
            found = self.repo.get_contents(self._path(month), ref=version)
        except UnknownObjectException:
            if self._month_exists(version, month):
                # A commit we just read says the file is there: this 404 is GitHub's, not the ledger's.
                # Treating it as an empty month would write this one record over every earlier one.
                raise GitHubError(
                    f"ledger {self.ref}: GitHub answered 404 for {self._path(month)} at {version[:12]}, which "
                    "holds it; the ledger is left as it is", status=404,
                ) from None
            return ""
        if isinstance(found, list):
            raise GitHubError(f"ledger {self.ref}: {self._path(month)} is a directory, not a file")
        if found.encoding == "base64":
            return found.decoded_content.decode("utf-8")
        # Files over 1 MB come without content (encoding "none"); the blob API serves up to 100 MB.
        blob = self.repo.get_git_blob(found.sha)
        return base64.b64decode(blob.content).decode("utf-8")

    def _month_exists(self, version: str, month: str) -> bool:
        """Whether commit ``version`` has this month's file, from its directory listing (a second opinion).

        Asked only when the file itself answered 404, which a new month's first record does once.
        A listing that fails too cannot be trusted either: the file is then taken to be there.
        """
        try:
            listing = self.repo.get_contents(self.directory, ref=version)
        except UnknownObjectException:
            return True
        names = {item.name for item in (listing if isinstance(listing, list) else [listing])}
        return f"{month}.jsonl" in names

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


def _terminated(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"
