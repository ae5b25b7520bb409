"""The ledger kept in the repository itself: month files in commits on ``refs/prpilot/ledger``.

The ref lives outside ``refs/heads``, so it shows up in no branch list, triggers no workflow and
needs no checkout; its history is the ledger's audit trail (``git fetch origin refs/prpilot/ledger``
and ``git log -p FETCH_HEAD`` to read it). Each commit's tree holds ``ledger/YYYY-MM.jsonl``.

This module decides what goes where (the month shards, which months to read, the commit's
parent); the git ref itself is a :class:`RefStore`, which ``prpilot.github.ref_store`` implements
over GitHub's git data API (so ``github/`` needs nothing of billing). Compare-and-swap comes from
the ref update: a new commit's parent is the commit we read, and the store raises
:class:`~prpilot.errors.LedgerConflict` when the ref moved in between.

A month file that answers 404 is asked about once more, through its directory's listing (one
request, on a month's first record only): a new month has no file yet, but a 404 for a file the
commit holds is GitHub failing, and taking it for an empty month would write the new record over
every earlier one. Such a read stops the write instead (issue 13).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

from prpilot.billing.ledger import Ledger, month_key, months_to_read
from prpilot.errors import GitHubError
from prpilot.task import utcnow

LEDGER_REF = "refs/prpilot/ledger"


class RefStore(Protocol):
    """A git ref whose commits hold text files, moved only by compare-and-swap."""

    ref: str

    def head(self) -> str | None:
        """The commit the ref points at; None when there is no ref yet."""

    def read_file(self, commit: str, path: str) -> str | None:
        """The text of ``path`` at ``commit``; None when the store answers that there is no such file."""

    def list_directory(self, commit: str, directory: str) -> list[str] | None:
        """The names in ``directory`` at ``commit``; None when the listing itself is missing."""

    def commit_file(self, parent: str | None, path: str, content: str, message: str) -> str:
        """Make a commit on ``parent`` whose ``path`` holds ``content``; its sha (the ref is not moved)."""

    def move(self, old: str | None, new: str) -> None:
        """Point the ref from ``old`` (None: create it) to ``new``; LedgerConflict if it moved meanwhile."""


class RefLedgerBackend:
    """A :class:`~prpilot.billing.ledger.LedgerBackend` on a :class:`RefStore`, one month file per month.

    Holds what it last read, so use one instance per thread.
    """

    def __init__(self, store: RefStore, *, directory: str = "ledger", clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.directory = directory.strip("/")
        self.clock = clock
        # (commit, month) -> text, from the last read or write. A commit's files never change, so a read
        # that finds the ref where this instance last saw or moved it asks for no file again.
        self._shards: dict[tuple[str, str], str] = {}

    def read(self) -> tuple[str | None, str]:
        version = self.store.head()
        if version is None:
            return None, ""
        known = self._shards
        self._shards = {(version, m): known[version, m] if (version, m) in known else self._shard(version, m)
                        for m in months_to_read(self.clock())}
        return version, "".join(_terminated(text) for text in self._shards.values())

    def write(self, version: str | None, changes: str) -> str:
        month = month_key(self.clock())
        path = self._path(month)
        base = "" if version is None else self._shards.get((version, month))
        if base is None:
            base = self._shard(version, month)  # the month turned since the read
        added = changes.count("\n")
        text = _terminated(base) + changes
        commit = self.store.commit_file(version, path, text, f"prpilot ledger: {added} record(s) to {path}")
        self.store.move(version, commit)
        # The new commit is its parent with this one file changed: the next read need not ask for any.
        self._shards = {(commit, m): shard for (v, m), shard in self._shards.items() if v == version}
        self._shards[commit, month] = text
        return commit

    def _path(self, month: str) -> str:
        return f"{self.directory}/{month}.jsonl" if self.directory else f"{month}.jsonl"

    def read_months(self, months: Iterable[str]) -> str:
        """The records of these months at the ref's head (any month, not only those a decision needs)."""
        version = self.store.head()
        if version is None:
            return ""
        parts = [self._shard(version, month) for month in months]
        return "".join(_terminated(part) for part in parts if part)

    def _shard(self, version: str | None, month: str) -> str:
        if version is None:
            return ""
        text = self.store.read_file(version, self._path(month))
        if text is not None:
            return text
        if self._month_exists(version, month):
            # A commit we just read says the file is there: this 404 is GitHub's, not the ledger's.
            # Treating it as an empty month would write this one record over every earlier one.
            raise GitHubError(
                f"ledger {self.store.ref}: GitHub answered 404 for {self._path(month)} at {version[:12]}, which "
                "holds it; the ledger is left as it is", status=404,
            )
        return ""

    def _month_exists(self, version: str, month: str) -> bool:
        """Whether commit ``version`` has this month's file, from its directory listing (a second opinion).

        Asked only when the file itself answered 404, which a new month's first record does once.
        A listing that fails too cannot be trusted either: the file is then taken to be there.
        """
        names = self.store.list_directory(version, self.directory)
        return names is None or f"{month}.jsonl" in names


def _terminated(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def ref_ledger(store: RefStore, *, clock: Callable[[], datetime] = utcnow) -> Ledger:
    """The ledger kept on ``store``'s ref (for a run: ``ref_ledger(github.ledger_store())``)."""
    return Ledger(RefLedgerBackend(store, clock=clock))
