"""Bare repositories driven by git plumbing: the fake's single source of truth for refs and objects."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ZERO_SHA = "0" * 40


class GitError(Exception):
    """A git command failed."""


@dataclass(frozen=True)
class Signature:
    """Author or committer of a commit."""

    name: str
    email: str
    date: str  # ISO 8601


@dataclass(frozen=True)
class CommitInfo:
    """A parsed commit object."""

    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Signature
    committer: Signature
    message: str


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a tree listing."""

    mode: str
    type: str
    sha: str
    path: str
    size: int | None


@dataclass(frozen=True)
class FileChange:
    """One file of a diff between two commits."""

    filename: str
    status: str
    additions: int
    deletions: int
    sha: str | None
    patch: str
    previous_filename: str | None = None


_STATUS = {"A": "added", "D": "removed", "M": "modified", "R": "renamed", "C": "copied", "T": "changed"}


def _git_date(iso: str) -> str:
    return iso  # git accepts ISO 8601 in GIT_*_DATE


class BareRepo:
    """A bare repository at ``path``; every read goes to disk, so git pushes are seen at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.ref_lock = threading.Lock()  # serializes compare-and-swap ref updates from the REST API

    def git(self, *args: str, stdin: bytes | None = None, env: Mapping[str, str] | None = None) -> bytes:
        """Run git in this repository and return stdout; raise GitError on failure."""
        full_env = {**os.environ, "GIT_DIR": str(self.path), **(env or {})}
        proc = subprocess.run(["git", *args], input=stdin, capture_output=True, env=full_env, check=False)
        if proc.returncode != 0:
            raise GitError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace').strip()}")
        return proc.stdout

    def text(self, *args: str, stdin: bytes | None = None, env: Mapping[str, str] | None = None) -> str:
        """Run git and return stripped text output."""
        return self.git(*args, stdin=stdin, env=env).decode().strip()

    @classmethod
    def create(cls, path: Path, default_branch: str) -> BareRepo:
        """Create an empty bare repository with ``default_branch`` as HEAD."""
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "init", "--bare", "-q", f"--initial-branch={default_branch}", str(path)],
            check=True,
            capture_output=True,
        )
        repo = cls(path)
        repo.git("config", "http.receivepack", "true")
        return repo

    @classmethod
    def clone_from(cls, source: BareRepo, path: Path) -> BareRepo:
        """Create a bare clone of ``source`` (a fork)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "clone", "--bare", "-q", str(source.path), str(path)], check=True, capture_output=True
        )
        repo = cls(path)
        repo.git("config", "http.receivepack", "true")
        return repo

    # --- reads -------------------------------------------------------------------------------------

    def resolve(self, ref: str) -> str | None:
        """Return the commit sha ``ref`` (branch, full ref or sha) points at, or None."""
        for candidate in (f"refs/heads/{ref}", ref):
            try:
                return self.text("rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}")
            except GitError:
                continue
        return None

    def ref_sha(self, full_ref: str) -> str | None:
        """Return the sha a fully qualified ref points at, or None when it does not exist."""
        try:
            out = self.text("show-ref", "--verify", full_ref)
        except GitError:
            return None
        return out.split()[0] if out else None

    def object_type(self, sha: str) -> str | None:
        """Return the type of an object (commit, tree, blob), or None when missing."""
        try:
            return self.text("cat-file", "-t", sha)
        except GitError:
            return None

    def read_path(self, commit: str, path: str) -> tuple[str, str, bytes | list[TreeEntry]] | None:
        """Return ``(type, sha, content-or-entries)`` of ``path`` at ``commit``; None when missing."""
        spec = f"{commit}:{path.strip('/')}" if path.strip("/") else f"{commit}^{{tree}}"
        try:
            sha = self.text("rev-parse", "--verify", "--quiet", spec)
        except GitError:
            return None
        kind = self.text("cat-file", "-t", sha)
        if kind == "blob":
            return kind, sha, self.git("cat-file", "blob", sha)
        return kind, sha, self.ls_tree(sha)

    def ls_tree(self, tree: str) -> list[TreeEntry]:
        """List the top-level entries of a tree with blob sizes."""
        entries: list[TreeEntry] = []
        for line in self.git("ls-tree", "-l", "-z", tree).decode().split("\0"):
            if not line:
                continue
            meta, path = line.split("\t", 1)
            mode, kind, sha, size = meta.split()
            entries.append(TreeEntry(mode, kind, sha, path, None if size == "-" else int(size)))
        return entries

    def commit_info(self, sha: str) -> CommitInfo | None:
        """Parse a commit object; None when ``sha`` is not a commit."""
        if self.object_type(sha) != "commit":
            return None
        fmt = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B"
        parts = self.git("show", "-s", f"--format={fmt}", sha).decode().split("\0")
        return CommitInfo(
            sha=parts[0],
            tree=parts[1],
            parents=tuple(parts[2].split()),
            author=Signature(parts[3], parts[4], parts[5]),
            committer=Signature(parts[6], parts[7], parts[8]),
            message=parts[9].rstrip("\n"),
        )

    def is_ancestor(self, old: str, new: str) -> bool:
        """Return True when ``old`` is an ancestor of (or equal to) ``new``."""
        try:
            self.git("merge-base", "--is-ancestor", old, new)
        except GitError:
            return False
        return True

    def count_ahead(self, base: str, head: str) -> int:
        """Count commits in ``head`` that are not in ``base``."""
        return int(self.text("rev-list", "--count", f"{base}..{head}"))

    def branches(self) -> list[str]:
        """List branch names."""
        out = self.text("for-each-ref", "--format=%(refname:strip=2)", "refs/heads")
        return [line for line in out.splitlines() if line]

    def diff_counts(self, base: str, head: str) -> tuple[int, int, int]:
        """Return (additions, deletions, changed files) from the merge base of ``base`` and ``head`` to ``head``.

        One ``git diff --numstat`` for the counts a pull request carries, instead of :meth:`diff`'s
        patch per file.
        """
        lines = self.text("diff", "--numstat", "-M", f"{base}...{head}").splitlines()
        counted = [line.split("\t", 2) for line in lines if line]
        additions = sum(int(added) for added, _, _ in counted if added != "-")
        deletions = sum(int(deleted) for _, deleted, _ in counted if deleted != "-")
        return additions, deletions, len(counted)

    def diff(self, base: str, head: str) -> list[FileChange]:
        """Return the files changed between the merge base of ``base`` and ``head``, and ``head``."""
        merge_base = self.text("merge-base", base, head)
        stats: dict[str, tuple[int, int]] = {}
        for line in self.text("diff", "--numstat", "-M", merge_base, head).splitlines():
            added, deleted, name = line.split("\t", 2)
            name = name.split(" => ")[-1].rstrip("}") if " => " in name else name
            stats[name] = (int(added) if added != "-" else 0, int(deleted) if deleted != "-" else 0)
        changes: list[FileChange] = []
        for line in self.text("diff", "--name-status", "-M", merge_base, head).splitlines():
            fields = line.split("\t")
            code, name, previous = fields[0][0], fields[-1], (fields[1] if len(fields) == 3 else None)
            additions, deletions = stats.get(name, (0, 0))
            blob = None if code == "D" else self.text("rev-parse", f"{head}:{name}")
            patch_out = self.git("diff", "-M", merge_base, head, "--", *([previous] if previous else []), name)
            patch = patch_out.decode(errors="replace")
            hunk = patch.find("\n@@")
            changes.append(
                FileChange(
                    filename=name,
                    status=_STATUS.get(code, "modified"),
                    additions=additions,
                    deletions=deletions,
                    sha=blob,
                    patch=patch[hunk + 1 :] if hunk >= 0 else "",
                    previous_filename=previous,
                )
            )
        return changes

    # --- writes ------------------------------------------------------------------------------------

    def hash_blob(self, content: bytes) -> str:
        """Write a blob and return its sha."""
        return self.text("hash-object", "-w", "--stdin", stdin=content)

    def build_tree(self, base_tree: str | None, entries: Sequence[Mapping[str, object]]) -> str:
        """Write a tree: ``base_tree`` (if any) overlaid with GitHub-style ``entries``; nested paths work."""
        with tempfile.TemporaryDirectory(prefix="fakegh-index-") as tmp:
            env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
            if base_tree:
                self.git("read-tree", base_tree, env=env)
            else:
                self.git("read-tree", "--empty", env=env)
            for entry in entries:
                path = str(entry["path"]).strip("/")
                mode = str(entry.get("mode", "100644"))
                kind = str(entry.get("type", "blob"))
                sha = entry.get("sha")
                if "content" in entry and entry["content"] is not None:
                    sha = self.hash_blob(str(entry["content"]).encode())
                existing = self.git("ls-files", "-z", "--", path, env=env).decode().split("\0")
                stale = [p for p in existing if p]
                if stale:  # mode 0 removes an entry; --index-info needs no work tree (bare repo)
                    removals = "".join(f"0 {ZERO_SHA}\t{p}\0" for p in stale)
                    self.git("update-index", "-z", "--index-info", stdin=removals.encode(), env=env)
                if sha is None:
                    continue  # GitHub: "sha": null deletes the path
                if kind == "tree":
                    self.git("read-tree", f"--prefix={path}/", str(sha), env=env)
                else:
                    self.git("update-index", "--add", "--cacheinfo", f"{mode},{sha},{path}", env=env)
            return self.text("write-tree", env=env)

    def commit_tree(
        self, tree: str, parents: Sequence[str], message: str, author: Signature, committer: Signature
    ) -> str:
        """Write a commit object and return its sha."""
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": _git_date(author.date),
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
            "GIT_COMMITTER_DATE": _git_date(committer.date),
        }
        return self.text(*args, stdin=message.encode(), env=env)

    def update_merge_ref(self, number: int, base: str, head: str, who: Signature) -> str | None:
        """Point ``refs/pull/N/merge`` at a merge of ``head`` into ``base``, as GitHub does for a mergeable pull.

        A conflicting pull has no merge ref (GitHub removes it too); returns the merge commit or None.
        """
        ref = f"refs/pull/{number}/merge"
        try:
            tree = self.text("merge-tree", "--write-tree", base, head)
        except GitError:  # conflicts (exit 1)
            self.git("update-ref", "-d", ref)
            return None
        message = f"Merge {head} into {base}"
        merge = self.commit_tree(tree.splitlines()[0], [base, head], message, who, who)
        self.git("update-ref", ref, merge)
        return merge

    def swap_ref(self, full_ref: str, new: str, old: str | None) -> bool:
        """Atomically move ``full_ref`` from ``old`` (None: must not exist) to ``new``; False if it moved."""
        try:
            self.git("update-ref", full_ref, new, old if old is not None else ZERO_SHA)
        except GitError:
            return False
        return True

    def commit_files(
        self, branch: str, files: Mapping[str, str | bytes], message: str, who: Signature
    ) -> str:
        """Commit ``files`` on top of ``branch`` (created when missing) and move the branch; return sha."""
        parent = self.ref_sha(f"refs/heads/{branch}")
        base_tree = self.text("rev-parse", f"{parent}^{{tree}}") if parent else None
        entries = [
            {"path": path, "mode": "100644", "type": "blob",
             "sha": self.hash_blob(data if isinstance(data, bytes) else data.encode())}
            for path, data in files.items()
        ]
        tree = self.build_tree(base_tree, entries)
        sha = self.commit_tree(tree, [parent] if parent else [], message, who, who)
        if not self.swap_ref(f"refs/heads/{branch}", sha, parent):
            raise GitError(f"branch {branch} moved while committing")
        return sha
