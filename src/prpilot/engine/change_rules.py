"""The rules on the change prpilot commits, whoever wrote it: a file tool, a command, ``setup`` or ``verify``.

The file tools refuse a protected path as the agent asks for it, but a command can write anything in
the workspace. So the same rules are applied once more to the final change set, from the files as
they are: a path that breaks one is left out of the commit and named on the thread, the rest goes
ahead. Every file is looked at with ``lstat`` and read in bounded chunks, so nothing the agent wrote
(a 1 TiB sparse file, a FIFO, a symlink loop) can stall or exhaust prpilot.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from prpilot.github.untrusted_git import nested_repository

# One file larger than this is no source file: it is left out (GitHub itself refuses files over 100 MB).
MAX_FILE_BYTES = 10_000_000
# More files than this in one task's change is not a reviewable pull request.
MAX_FILES = 1_000
_WORKFLOWS = (".github", "workflows")
_EMBEDDED = "a git repository's own folder (HEAD, objects, refs): prpilot commits no embedded repository"


@dataclass(frozen=True)
class LeftOut:
    """A path the rules kept out of the commit, and why."""

    path: str
    why: str


@dataclass(frozen=True)
class ChangeRules:
    """What a change may hold (the workflow's settings decide the first)."""

    allow_workflow_edits: bool = False
    protected: tuple[str, ...] = ()  # workspace-relative paths prpilot keeps (a file ledger): never committed
    max_file_bytes: int = MAX_FILE_BYTES
    max_files: int = MAX_FILES


def is_workflow(path: str) -> bool:
    """Whether ``path`` is under ``.github/workflows/`` (case folded, as GitHub on a case-insensitive disk)."""
    return tuple(part.casefold() for part in path.split("/")[:2]) == _WORKFLOWS


def sort_change(root: Path, changed: Sequence[str], rules: ChangeRules) -> tuple[list[str], list[LeftOut]]:
    """Split ``changed`` (``git status`` paths under ``root``) into the paths to commit and those left out."""
    kept: list[str] = []
    left: list[LeftOut] = []
    named: set[str] = set()
    for path in changed:
        folder = _git_folder(root, path)
        why: str | None = _EMBEDDED if folder is not None else _why_not(root, path, rules)
        if folder is not None:  # one line for a whole embedded repository, not one per file in it
            path = f"{folder}/"
        if why is None and len(kept) >= rules.max_files:
            why = f"the change already holds the {rules.max_files:,} files one task may commit"
        if why is None:
            kept.append(path)
        elif path not in named:
            named.add(path)
            left.append(LeftOut(path, why))
    return kept, left


def _why_not(root: Path, path: str, rules: ChangeRules) -> str | None:
    if nested_repository(path):
        return "a nested git repository or submodule: prpilot commits no gitlink and no .git folder"
    if is_workflow(path) and not rules.allow_workflow_edits:
        return "a workflow file, and this repository does not allow workflow edits (allow-workflow-edits)"
    if any(path == p or path.startswith(f"{p.rstrip('/')}/") for p in rules.protected):
        return "a file prpilot keeps for itself"
    target = root / path
    try:
        info = target.lstat()
    except FileNotFoundError:
        return None  # deleted: the deletion is the change
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISLNK(info.st_mode):
        return _link_problem(root, target)
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a FIFO, socket or device)"
    if info.st_size > rules.max_file_bytes:
        return f"{info.st_size:,} bytes, over the {rules.max_file_bytes:,} bytes one committed file may hold"
    return None


def _git_folder(root: Path, path: str) -> str | None:
    """The folder above ``path`` that is a git directory (a bare repository, a ``--separate-git-dir``), if any."""
    parts = path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        if _is_git_folder(root.joinpath(*parts[:depth])):
            return "/".join(parts[:depth])
    return None


@functools.lru_cache(maxsize=4096)
def _is_git_folder(folder: Path) -> bool:
    return (folder / "HEAD").is_file() and (folder / "objects").is_dir() and (folder / "refs").is_dir()


def _link_problem(root: Path, link: Path) -> str | None:
    try:
        target = os.readlink(link)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if os.path.isabs(target):
        return "a symlink that points outside the repository"
    # Judged twice: by its text (where it points on any machine) and as the system resolves it here,
    # through the other links of the tree (a chain of links can climb out where the text stays in).
    real_root = root.resolve()
    for resolved, base in ((Path(os.path.normpath(link.parent / target)), root),
                           (Path(os.path.realpath(link)), real_root)):
        if not resolved.is_relative_to(base):
            return "a symlink that points outside the repository"
        if ".git" in resolved.relative_to(base).parts:
            return "a symlink that points into git's own files"
    return None
