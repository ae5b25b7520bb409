"""The checkout the agent works in: every path confined to it, every change recorded."""

from __future__ import annotations

import mimetypes
import os
import stat
import subprocess
from collections.abc import Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath

from prpilot.agent.sanitize import Redactor
from prpilot.github.untrusted_git import untrusted_argv

_PROBE_BYTES = 8192
# The most one write may put in a file: source files are far smaller, and every byte written is
# committed, pushed and shown in the model's history.
MAX_WRITE_BYTES = 1_000_000
# The most a file tool reads of one file: a source file is far smaller, and what is read goes to the model.
MAX_READ_BYTES = 4_000_000
_WORKFLOWS = (".github", "workflows")
_MAGIC = {
    b"\x89PNG": "PNG image",
    b"GIF8": "GIF image",
    b"\xff\xd8\xff": "JPEG image",
    b"%PDF": "PDF document",
    b"PK\x03\x04": "zip archive",
    b"\x7fELF": "ELF executable",
    b"\x1f\x8b": "gzip archive",
}


class ToolError(Exception):
    """A tool could not do what was asked; the message goes back to the model as the result."""


class PathRefused(ToolError):
    """A path points outside the workspace, into .git, or at a protected file."""


def describe_binary(name: str, data: bytes, size: int) -> str:
    """Say what a binary file is instead of dumping it."""
    kind = next((k for magic, k in _MAGIC.items() if data.startswith(magic)), None)
    kind = kind or mimetypes.guess_type(name)[0] or "unknown binary type"
    return f"{name} is a binary file ({size} bytes, {kind}); its content is not shown."


def looks_binary(data: bytes) -> bool:
    """Whether ``data`` (the start of a file) is binary: a NUL byte or invalid UTF-8."""
    if b"\0" in data:
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the probe's end is still text.
        return exc.start < len(data) - 3
    return False


class Workspace:
    """A checkout the tools act on. Paths are relative to ``root``; anything escaping it is refused."""

    def __init__(self, root: Path, *, allow_workflow_edits: bool = False, secrets: Sequence[str] = ()) -> None:
        self.root = Path(root).resolve()
        self.allow_workflow_edits = allow_workflow_edits
        self.secrets = tuple(s for s in secrets if s)
        self.redact = Redactor(self.secrets)
        self._changed: set[str] = set()
        self._deleted: set[str] = set()

    @property
    def changed_files(self) -> list[str]:
        """Paths (relative, POSIX) the tools wrote or deleted, sorted."""
        return sorted(self._changed)

    @property
    def is_git(self) -> bool:
        return (self.root / ".git").exists()

    def resolve(self, path: str, *, write: bool = False) -> Path:
        """Map a tool's ``path`` to a real path inside the root, or raise PathRefused saying why."""
        if not path or path.strip() == "":
            path = "."
        if "\0" in path:
            raise PathRefused("the path contains a NUL byte")
        if PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute() or path.startswith("~"):
            raise PathRefused(f"{path}: use a path relative to the repository root, not an absolute path")
        lexical = PurePosixPath(path.replace("\\", "/"))
        self._refuse_protected(lexical.parts, path, write=write)
        try:
            resolved = (self.root / lexical).resolve()
        except (RuntimeError, OSError) as exc:  # a symlink loop (RuntimeError before Python 3.13), a name too long
            why = exc.strerror if isinstance(exc, OSError) else exc
            raise PathRefused(f"{path}: cannot be resolved ({why})") from exc
        if resolved != self.root and not resolved.is_relative_to(self.root):
            raise PathRefused(f"{path}: points outside the repository (through '..' or a symlink)")
        self._refuse_protected(resolved.relative_to(self.root).parts, path, write=write)
        return resolved

    def _refuse_protected(self, parts: Sequence[str], path: str, *, write: bool) -> None:
        folded = [part.casefold() for part in parts]
        if ".git" in folded:
            raise PathRefused(f"{path}: the .git directory is off limits; the engine handles git itself")
        if write and not self.allow_workflow_edits and tuple(folded[:2]) == _WORKFLOWS:
            raise PathRefused(
                f"{path}: editing .github/workflows is not allowed here "
                "(the repository can enable it with the allow-workflow-edits input)"
            )

    def relative(self, path: Path) -> str:
        """The POSIX path of ``path`` relative to the root ("." for the root itself)."""
        return path.relative_to(self.root).as_posix() or "."

    def read_text(self, path: str) -> str:
        """Return a text file's content; raise ToolError for a directory, a missing or binary file."""
        target = self.resolve(path)
        if target.is_dir():
            raise ToolError(f"{path} is a directory; use list_files to see what it holds")
        if not target.is_file():
            raise ToolError(f"{path} does not exist; use list_files or search_code to find the right path")
        size = target.stat().st_size
        if size > MAX_READ_BYTES:  # a command may have made it (a sparse 1 TiB file): never read it whole
            raise ToolError(
                f"{path}: {size:,} bytes is more than a file tool reads ({MAX_READ_BYTES:,} bytes); "
                "use search_code to find what you need in it"
            )
        data = self.read_regular(path, MAX_READ_BYTES + 1)
        if data is None:  # replaced (by a link, a FIFO) or removed since the checks above
            raise ToolError(f"{path} is no longer a regular file; read it again")
        if len(data) > MAX_READ_BYTES:
            raise ToolError(f"{path} grew past {MAX_READ_BYTES:,} bytes while it was read")
        if looks_binary(data[:_PROBE_BYTES]):
            raise ToolError(describe_binary(self.relative(target), data[:16], len(data)))
        return data.decode("utf-8", "replace")

    def read_regular(self, path: str, limit: int) -> bytes | None:
        """At most ``limit`` bytes of the regular file ``path``; None when it is refused, missing or not one.

        The one read of a file the agent may have written, for the tools and for prpilot's own code: the
        path is confined as :meth:`resolve` confines it (never through a link out of the checkout or into
        .git), the open follows no link and waits on no FIFO swapped in since (O_NOFOLLOW, O_NONBLOCK),
        and only a regular file is read. Ask for one byte more than you take to tell a file too big.
        """
        try:
            target = self.resolve(path)
            with open(os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return None
                return handle.read(limit)
        except (PathRefused, OSError):
            return None

    def write_text(self, path: str, content: str) -> bool:
        """Write ``content`` to ``path``, creating folders; return whether the file is new."""
        target = self.resolve(path, write=True)
        if target == self.root or target.is_dir():
            raise ToolError(f"{path} is a directory; give the path of a file")
        size = len(content.encode("utf-8", "surrogatepass"))
        if size > MAX_WRITE_BYTES:
            raise ToolError(
                f"{path}: {size:,} bytes is more than one write may hold ({MAX_WRITE_BYTES:,} bytes); "
                "write a smaller file"
            )
        created = not target.exists()
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8", newline="")
        except OSError as exc:
            raise ToolError(f"could not write {path}: {exc.strerror or exc}") from exc
        self._record(target)
        return created

    def delete(self, path: str) -> None:
        """Delete one file (a symlink is removed itself, not its target)."""
        target = self.resolve(path, write=True)
        # Unlink the name the model gave, so deleting a symlink never deletes what it points to.
        link = self.root / PurePosixPath(path.replace("\\", "/"))
        if link.is_symlink() and link.parent.resolve().is_relative_to(self.root):
            target = link.parent.resolve() / link.name
        elif target.is_dir():
            raise ToolError(f"{path} is a directory; delete the files in it one by one")
        elif not target.exists():
            raise ToolError(f"{path} does not exist")
        try:
            target.unlink()
        except OSError as exc:
            raise ToolError(f"could not delete {path}: {exc.strerror or exc}") from exc
        self._record(target, deleted=True)

    def _record(self, target: Path, *, deleted: bool = False) -> None:
        rel = self.relative(target)
        self._changed.add(rel)
        if deleted:
            self._deleted.add(rel)
        else:
            self._deleted.discard(rel)

    def files(self, under: str = ".") -> list[str]:
        """Files under ``under`` (relative POSIX paths, sorted): the git index plus untracked, unignored."""
        base = self.resolve(under)
        prefix = self.relative(base)
        if base.is_file():
            return [prefix]
        names = self._git_files(prefix) if self.is_git else None
        if names is None:
            names = self._walk()
        if prefix != ".":
            names = [n for n in names if n.startswith(prefix + "/")]
        return sorted(n for n in names if n not in self._deleted)

    def _git_files(self, prefix: str = ".") -> list[str] | None:
        # `git ls-files` answers from the index: fast on big repositories, and honours .gitignore.
        # A literal pathspec limits it to the folder, so listing a subfolder costs what the folder does.
        pathspec = ["--", f":(literal){prefix}"] if prefix != "." else []
        try:
            done = subprocess.run(
                untrusted_argv("-c", "core.quotepath=off", "ls-files", "-co", "--exclude-standard", "-z", *pathspec),
                cwd=self.root,
                capture_output=True,
                timeout=60,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        names = done.stdout.decode("utf-8", "replace").split("\0")
        return list(dict.fromkeys(n for n in names if n and not n.endswith("/")))

    def _walk(self) -> list[str]:
        names: list[str] = []
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if d.casefold() != ".git"]
            rel = Path(folder).relative_to(self.root)
            names.extend((rel / f).as_posix() for f in files if f.casefold() != ".git")
        return names
