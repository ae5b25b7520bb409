"""Git, through GitPython: the working branch, the commit and an authenticated push.

The token reaches git through ``GIT_CONFIG_*`` environment variables (git >= 2.31), so it is
never on a command line, in a URL, or written to .git/config, whether or not actions/checkout
persisted its own credentials.

Every command here is chosen so that its cost does not grow with the repository where that can
be avoided: on a 20,000-file checkout, anything that stats the whole tree (``git status``,
``git add -A``, ``git commit``, ``git checkout <start>``) costs tens of milliseconds, so the
working branch is created without touching the tree, and only the paths the agent changed are
looked at and staged when they are known.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import git
from git.refs.symbolic import SymbolicReference

from prpilot.errors import GitError, PushRejected
from prpilot.github.untrusted_git import IGNORE_SUBMODULES, nested_repository, untrusted_options
from prpilot.tuning import current as current_tuning

log = logging.getLogger(__name__)
T = TypeVar("T")

# Beyond this many paths, one whole-tree `git status` is cheaper than a huge pathspec (and
# stays clear of the command line's length limit).
_MAX_PATHSPECS = 1_000
# How a server reports losing a race for a ref (another push got there between the advertisement
# and the update), as opposed to refusing the push on principle.
_RACES = ("failed to update ref", "cannot lock ref", "incorrect old value", "stale info")
# How git reports a server that failed for a passing reason (a 5xx, a dropped or timed-out connection),
# which a second try may get through; a 4xx (no access, no such repository) is an answer and stays.
_PASSING = re.compile(r"returned error: 5\d\d|HTTP 5\d\d|RPC failed|empty reply|timed out|connection reset|"
                      r"hung up unexpectedly|transfer closed|failed to connect|early eof", re.IGNORECASE)
_ANSWERED = re.compile(r"returned error: 4\d\d|HTTP 4\d\d", re.IGNORECASE)
_NETWORK_ATTEMPTS = 3
# A whole-tree git command (status, add, checkout) that takes longer than this may be waiting on a FIFO
# an agent's command left where git opens a file by name (.gitignore, .gitattributes, a nested .git/HEAD):
# git opens it for reading, which waits for a writer that never comes. It is stopped, the FIFOs,
# sockets and devices of the tree (git can commit none of them) are removed, and it runs again.
LOOK_SECONDS = 30.0
_SHA = re.compile(rb"[0-9a-f]{40}|[0-9a-f]{64}")
_BATCH_BYTES = 32 << 20  # staged files read at once for the secret scan (one file is at most 10 MB)


def remove_special_files(root: Path) -> list[str]:
    """Remove the FIFOs, sockets and device files under ``root`` (not in its own .git); return their paths.

    The walk follows no symlink, so it stays in the tree.
    """
    removed: list[str] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode):
                if not (folder == root and entry.name == ".git"):
                    pending.append(Path(entry.path))
            elif stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
                try:
                    os.unlink(entry.path)
                    removed.append(os.path.relpath(entry.path, root))
                except OSError:
                    continue
    return sorted(removed)


def passing_failure(stderr: str) -> bool:
    """Whether git's ``stderr`` tells of a server or network failure that trying again may get through."""
    return bool(_PASSING.search(stderr)) and not _ANSWERED.search(stderr)


@dataclass(frozen=True)
class Identity:
    """A git author or committer."""

    name: str
    email: str


BOT_NAME = "prpilot[bot]"  # the author of every commit; its address depends on the server (naming.noreply_email)


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


def parse_status(porcelain: str) -> list[str]:
    """The paths in ``git status --porcelain -z`` output (a rename names its new and old path)."""
    paths: list[str] = []
    entries = iter(porcelain.split("\0"))
    for entry in entries:
        if len(entry) < 4:
            continue
        paths.append(entry[3:])
        if entry[0] in "RC":  # "R  new\0old\0": the old path follows as its own entry
            paths.append(next(entries, ""))
    return sorted({path for path in paths if path})


def parse_push(porcelain: str) -> list[tuple[str, str]]:
    """The refused refs of ``git push --porcelain`` output, as (ref, reason) pairs.

    Each ref's line is ``<flag>\\t<from>:<to>\\t<summary> (<reason>)``; ``!`` marks a refused one.
    """
    refused = []
    for line in porcelain.splitlines():
        flag, _, rest = line.partition("\t")
        if flag == "!":
            refs, _, summary = rest.partition("\t")
            refused.append((refs.partition(":")[2] or refs, summary.strip()))
    return refused


# remote.<name>.receivepack/uploadpack run locally for a local remote, and the first value given wins
# over a later ``-c``: the command-line options below name them instead.
_PACK_PROGRAMS = ("--receive-pack=git-receive-pack",)
_FETCH_PROGRAMS = ("--upload-pack=git-upload-pack",)


class Checkout:
    """The user's checkout (the workspace) as a git repository."""

    def __init__(
        self, root: Path, *, server_url: str, token: str, remote: str = "origin",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        try:
            self.repo = git.Repo(root)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
            raise GitError(f"{root} is not a git checkout; run actions/checkout before prpilot") from exc
        self.root = root
        self.remote = remote
        self.server_url = server_url
        self._auth = auth_config(server_url, token)
        # An empty GIT_ASKPASS runs no program and, with prompts off, makes a credential request fail.
        self.repo.git.update_environment(GIT_ASKPASS="", GIT_TERMINAL_PROMPT="0")
        self._hardened: bytes | None = None  # the local config's bytes when the options were last set
        self._harden()
        self.sleep = sleep

    def _harden(self) -> None:
        """Set the ``-c`` options of every later git command from the repository's config as it is now.

        The keys listed depend on the local config file alone, so while its bytes are those of the last
        listing the options already set still hold, and the ``git config`` process is spared.
        """
        try:
            config = (Path(self.repo.common_dir) / "config").read_bytes()
        except OSError:
            config = None  # unreadable here: let git read it, every time
        if config is not None and config == self._hardened:
            return
        self._hardened = None
        self.repo.git.set_persistent_git_options(c=untrusted_options())
        try:
            keys = str(self.repo.git.config("--local", "--no-includes", "--name-only", "--list")).splitlines()
        except git.GitCommandError:
            keys = []
            config = None  # not listed: list again next time
        self.repo.git.set_persistent_git_options(c=untrusted_options(keys))
        self._hardened = config

    def _in_tree(self, call: Callable[[float | None], T]) -> T:
        """Run ``call`` (a git command that reads the whole working tree, given its time limit) so that
        it cannot hang on what an agent's command left: past :data:`LOOK_SECONDS` it is stopped, the
        tree's FIFOs, sockets and devices are removed, and it runs again, without a limit."""
        started = time.monotonic()
        try:
            return call(LOOK_SECONDS)
        except git.GitCommandError:
            if time.monotonic() - started < LOOK_SECONDS:
                raise
        # The command was killed: the index lock it held (add, checkout) would refuse the next one.
        Path(self.repo.git_dir, "index.lock").unlink(missing_ok=True)
        removed = remove_special_files(self.root)
        if removed:
            log.warning("git waited on what a command left in the workspace; removed %s", ", ".join(removed[:10]))
        return call(None)

    def _over_network(self, what: str, call: Callable[[], T]) -> T:
        """Run a git command that talks to the remote; try again, within a bound, when it failed in passing."""
        for attempt in range(1, _NETWORK_ATTEMPTS + 1):
            try:
                with self._authenticated():
                    return call()
            except git.GitCommandError as exc:
                if attempt == _NETWORK_ATTEMPTS or not passing_failure(str(exc.stderr or exc)):
                    raise
                log.warning("git could not %s (%s); trying again", what, _stderr(exc))
                self._pause(attempt)
        raise AssertionError("unreachable")

    def _ls_remote(self, *patterns: str, heads: bool = False) -> str:
        """``git ls-remote`` with our own --upload-pack (the stock program): one named in the repository's
        config would run otherwise, and GitPython wants such an option allowed explicitly."""
        options = [*_FETCH_PROGRAMS, *(["--heads"] if heads else [])]
        return str(self.repo.git.ls_remote(*options, self.remote, *patterns, allow_unsafe_options=True))

    def _pause(self, attempt: int) -> None:
        self.sleep(current_tuning().backoff * 2 ** (attempt - 1))

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
            # Our own --upload-pack (the stock program), which GitPython asks to be allowed explicitly.
            listing = self._over_network("list the remote's branches", lambda: self._ls_remote(heads=True))
        except git.GitCommandError as exc:
            raise GitError(f"could not list the remote's branches: {_stderr(exc)}") from exc
        return {line.split("refs/heads/", 1)[1] for line in listing.splitlines() if "refs/heads/" in line}

    def head_sha(self) -> str | None:
        """HEAD's commit, or None in a repository without commits."""
        return self._local_sha("HEAD")

    def _local_sha(self, ref: str) -> str | None:
        # Read from the ref files: GitPython's object database would keep a `git cat-file` process
        # alive, which a cancelled job's SIGINT kills, breaking the pipe of every later call.
        try:
            return str(SymbolicReference.dereference_recursive(self.repo, ref))
        except ValueError:
            return None

    def start_branch(self, name: str, base: str | None) -> None:
        """Create ``name`` from ``base`` (a remote branch) or from HEAD, and check it out.

        When HEAD already is the base's tip as actions/checkout fetched it, the branch is created
        in place (``git switch -C``: no tree to compare, no fetch; a local branch of that name is
        reset); the pull request then starts from the commit the workflow checked out, even if the
        base moved on since.
        """
        try:
            tracking = f"refs/remotes/{self.remote}/{base}" if base else None
            if tracking is None or self._local_sha(tracking) == self.head_sha():
                self.repo.git.switch("--quiet", "--force-create", name)
                return
            self._over_network(f"fetch {base}", lambda: self.repo.git.fetch(
                *_FETCH_PROGRAMS, "--no-tags", self.remote, f"+refs/heads/{base}:{tracking}"))
            self.repo.git.checkout("--quiet", "-B", name, tracking)
        except git.GitCommandError as exc:
            raise GitError(f"could not create the branch {name}: {_stderr(exc)}") from exc

    def checkout_pull_head(self, number: int) -> str:
        """Check out pull request ``number``'s head detached and return its sha (``refs/pull/N/head``: forks too)."""
        tracking = f"refs/remotes/{self.remote}/pull/{number}/head"
        try:
            self._over_network(f"fetch pull request #{number}", lambda: self.repo.git.fetch(
                *_FETCH_PROGRAMS, "--no-tags", self.remote, f"+refs/pull/{number}/head:{tracking}"))
            self.repo.git.checkout("--quiet", "--detach", tracking)
        except git.GitCommandError as exc:
            raise GitError(f"could not check out pull request #{number}: {_stderr(exc)}") from exc
        return self.head_sha() or ""

    def return_to(self, ref: str) -> None:
        """Check ``ref`` (a branch or a commit) out again, as it was before a review read another head."""
        try:
            self._in_tree(lambda limit: self.repo.git.checkout("--quiet", "--force", ref, kill_after_timeout=limit))
        except git.GitCommandError as exc:
            raise GitError(f"could not check out {ref} again: {_stderr(exc)}") from exc

    def checkout_remote_branch(self, name: str) -> None:
        """Check out the remote branch ``name`` (a pull request's head) as a local branch."""
        self.start_branch(name, name)

    def changed_paths(self, among: Sequence[str] | None = None) -> list[str]:
        """Paths that differ from HEAD (modified, added, deleted or untracked, ignored ones left out).

        With ``among``, git looks at those paths alone instead of statting the whole tree.
        """
        self._harden()  # after the agent: whatever its commands may have written
        if among is not None and not among:
            return []
        # Files one by one, so that a folder in the answer (``dir/``) is a nested repository git did not enter.
        args = ["--porcelain", "-z", "--untracked-files=all", IGNORE_SUBMODULES]
        if among is not None and len(among) <= _MAX_PATHSPECS:
            args += ["--", *among]
        try:
            with self.repo.git.custom_environment(GIT_LITERAL_PATHSPECS="1", GIT_OPTIONAL_LOCKS="0"):
                return parse_status(str(self._in_tree(lambda limit: self.repo.git.status(
                    *args, strip_newline_in_stdout=False, kill_after_timeout=limit))))
        except git.GitCommandError as exc:
            raise GitError(f"could not list the changes: {_stderr(exc)}") from exc

    def commit(self, message: str, author: Identity, paths: Sequence[str], *,
               check: Callable[[Iterator[tuple[str, bytes]]], None] | None = None) -> str:
        """Stage ``paths`` and commit them on HEAD; return the new commit's sha.

        ``check`` sees what is staged, path by path, as git will record it (after its attributes'
        conversions, such as ``working-tree-encoding``); when it raises, the index is put back as
        HEAD has it and nothing is committed.

        Only the paths named are staged, never the whole tree: ``git add --all`` would record a nested
        repository as a gitlink, and look into it after.

        The commit is made with plumbing (write-tree, commit-tree, update-ref): ``git commit``
        would refresh the whole index first, and it runs the repository's hooks.
        """
        identity = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": author.name,
            "GIT_COMMITTER_EMAIL": author.email,
        }
        self._harden()  # after the agent: whatever its commands may have written
        paths = [path for path in paths if not nested_repository(path)]  # a gitlink is never recorded
        parent = self.head_sha()
        try:
            with self.repo.git.custom_environment(GIT_LITERAL_PATHSPECS="1"):
                for start in range(0, len(paths), _MAX_PATHSPECS):  # within the command line's length limit
                    self._stage(paths[start:start + _MAX_PATHSPECS])
            if check is not None:
                try:
                    check(self._staged(paths))
                except BaseException:
                    self.repo.git.read_tree(*([parent] if parent else ["--empty"]))
                    raise
            tree = str(self.repo.git.write_tree()).strip()
            with self.repo.git.custom_environment(**identity):
                sha = str(self.repo.git.commit_tree(tree, *(["-p", parent] if parent else []), "-m", message)).strip()
            self.repo.git.update_ref("-m", f"commit: {message.splitlines()[0]}", "HEAD", sha, parent or "")
        except git.GitCommandError as exc:
            raise GitError(f"could not commit: {_stderr(exc)}") from exc
        return sha

    def _staged(self, paths: Sequence[str]) -> Iterator[tuple[str, bytes]]:
        """The staged content of ``paths`` (files and symlinks; a path removed has none), a file at a time.

        ``git cat-file --batch`` reads ``:0:path`` (the index's entry) a line each, for batches of about
        :data:`_BATCH_BYTES` (as the files stand on disk), so no more than a batch is held at once; a path
        with a line break in it cannot be named so, and is looked up through ``git ls-files -s`` instead.
        """
        odd = [path for path in paths if "\n" in path or "\r" in path]
        batch: list[str] = []
        size = 0
        for path in (path for path in paths if "\n" not in path and "\r" not in path):
            with contextlib.suppress(OSError):
                size += os.lstat(self.root / path).st_size
            batch.append(path)
            if size >= _BATCH_BYTES:
                yield from self._read_batch(batch)
                batch, size = [], 0
        yield from self._read_batch(batch)
        for path in odd:
            listing = str(self.repo.git.ls_files("-s", "-z", "--", path, strip_newline_in_stdout=False))
            for entry in filter(None, listing.split("\0")):
                info, _, name = entry.partition("\t")
                mode, sha, _ = info.split(" ", 2)
                if mode.startswith(("100", "120")):
                    yield name, self.repo.git.cat_file("blob", sha, stdout_as_string=False,
                                                       strip_newline_in_stdout=False)

    def _read_batch(self, paths: list[str]) -> Iterator[tuple[str, bytes]]:
        if not paths:
            return
        with tempfile.TemporaryFile() as names:
            names.write("".join(f":0:{path}\n" for path in paths).encode())  # stage 0: "1:x" is a name
            names.seek(0)
            out = self.repo.git.cat_file("--batch", istream=names, stdout_as_string=False,
                                         strip_newline_in_stdout=False)
        at = 0
        for path in paths:
            end = out.index(b"\n", at)
            header, at = out[at:end].split(b" "), end + 1
            if len(header) == 3 and _SHA.fullmatch(header[0]) and header[2].isdigit():  # then the content
                size = int(header[2])
                if header[1] == b"blob":
                    yield path, out[at:at + size]
                at += size + 1

    def _stage(self, paths: Sequence[str]) -> None:
        self._in_tree(lambda limit: self.repo.git.add("--all", "--", *paths, kill_after_timeout=limit))

    def patch(self, sha: str) -> str:
        """The commit ``sha`` as a mailbox patch that ``git am`` applies."""
        try:
            patch = self.repo.git.format_patch("-1", "--stdout", "--no-signature", sha, strip_newline_in_stdout=False)
        except git.GitCommandError as exc:
            raise GitError(f"could not write the change as a patch: {_stderr(exc)}") from exc
        return str(patch)

    def push(self, branch: str, *, create: bool = False) -> None:
        """Push ``branch``; with ``create``, only if the remote has no branch of that name yet.

        A refused ref (taken name, moved branch) raises PushRejected; anything else GitError.
        """
        self._harden()  # after the agent: whatever its commands may have written
        target = f"refs/heads/{branch}"
        args = [*_PACK_PROGRAMS, "--porcelain", self.remote, f"{target}:{target}"]
        if create:
            # An empty expected value: push only if the ref does not exist there (checked by git
            # against the remote's advertisement, before any object is sent).
            args.insert(0, f"--force-with-lease={target}:")
        for attempt in range(1, _NETWORK_ATTEMPTS + 1):
            with self._authenticated():
                status, out, err = self.repo.git.push(*args, with_extended_output=True, with_exceptions=False)
            refused = parse_push(str(out))
            if refused:
                _, reason = refused[0]
                if "remote rejected" in reason and not any(race in reason for race in _RACES):
                    # The server's policy (a protected branch, a hook, the workflows scope): a new name won't help.
                    raise GitError(f"the remote refused the push of {branch}: {reason}")
                raise PushRejected(f"the push of {branch} was rejected ({reason})")
            if status == 0:
                return
            last = str(err).strip().splitlines()[-1:] or ["git failed"]
            if attempt == _NETWORK_ATTEMPTS or not passing_failure(str(err)):
                raise GitError(f"could not push {branch}: {last[0]}")
            if self._landed(target):
                return  # the push was carried out; only its answer was lost
            log.warning("git could not push %s (%s); trying again", branch, last[0])
            self._pause(attempt)

    def commit_beyond(self, branch: str, base: str | None) -> str | None:
        """The local ``branch``'s tip when it holds a commit beyond the remote ``base`` it started from, else None."""
        local = self._local_sha(f"refs/heads/{branch}")
        start = self._local_sha(f"refs/remotes/{self.remote}/{base}") if base else None
        return local if local is not None and start is not None and local != start else None

    def pushed(self, branch: str) -> bool:
        """Whether the remote's ``branch`` is our local one (one ls-remote)."""
        return self._landed(f"refs/heads/{branch}")

    def _landed(self, ref: str) -> bool:
        """Whether the remote's ``ref`` already is our local one (None-safe: unknown counts as no)."""
        try:
            with self._authenticated():
                listing = self._ls_remote(ref)
        except git.GitCommandError:
            return False
        remote = next((line.split()[0] for line in listing.splitlines() if line.endswith(f"\t{ref}")), None)
        return remote is not None and remote == self._local_sha(ref)


def _stderr(exc: git.GitCommandError) -> str:
    text = str(exc.stderr or exc).strip().strip("'").strip()
    return text.splitlines()[-1] if text else "git failed"
