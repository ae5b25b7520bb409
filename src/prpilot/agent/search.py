"""search_code: ripgrep when it is on PATH, a Python scan of the listed files otherwise.

Both run in a child process killed at a deadline: ripgrep's engine is linear-time, but Python's
``re`` backtracks, and a pattern like ``(a+)+$`` would otherwise hold the task past max-minutes.
Neither ever reads ``.git``, whatever glob the model passes.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import IO

from prpilot.agent.bounds import MAX_BYTES, MAX_LINES, clip_line, take
from prpilot.agent.workspace import ToolError, Workspace, looks_binary

_MAX_COLUMNS = 300
_SCAN_MAX_BYTES = 10_000_000
_REGEX_SYNTAX = frozenset(".^$*+?{}[]\\|()")
_TIMEOUT = 60
SEARCH_SECONDS = 60.0  # the most one search may take (less when the task's time runs out first)


def search_code(
    ws: Workspace, pattern: str, glob: str | None = None, *, rg: str | None = None, seconds: float = SEARCH_SECONDS
) -> str:
    """Find lines matching the regular expression ``pattern``; answer ``path:line:text`` lines, bounded."""
    if not pattern:
        raise ToolError("give a non-empty pattern")
    if seconds <= 0:
        raise ToolError("no time is left for a search (max-minutes)")
    rg = rg if rg is not None else shutil.which("rg")
    hits = _ripgrep(ws, rg, pattern, glob, seconds) if rg else _scan_in_child(ws, pattern, glob, seconds)
    found = _collect(hits, MAX_LINES + 1)
    if rg and len(found) > MAX_LINES:
        # Cut short: parallel ripgrep emits in no fixed order, so ask again in path order (single-
        # threaded, but it stops as early) to show the same first matches on every call.
        found = _collect(_ripgrep(ws, rg, pattern, glob, seconds, ordered=True), MAX_LINES + 1)
    found = sorted(found, key=_sort_key)
    if not found:
        where = f" in files matching {glob}" if glob else ""
        return f"no matches for {pattern!r}{where}"
    shown = take(found, MAX_LINES, MAX_BYTES)
    if len(found) > len(shown):
        shown.append(
            f"[showing the first {len(shown)} matches; more exist. Narrow the pattern, pass a glob "
            "such as 'src/**/*.py', or read_file around a match]"
        )
    return "\n".join(shown)


def _sort_key(line: str) -> tuple[str, int]:
    path, _, rest = line.partition(":")
    number, _, _ = rest.partition(":")
    return (path, int(number) if number.isdigit() else 0)


def _collect(hits: Iterator[str], limit: int) -> list[str]:
    found: list[str] = []
    for hit in hits:
        if _in_git_dir(hit.partition(":")[0]):
            continue  # a second guard behind the exclusion glob: .git holds the checkout's token
        found.append(hit)
        if len(found) >= limit:
            break
    return found


def _in_git_dir(name: str) -> bool:
    # Split by hand: the scan asks this of every file, and pathlib's parsing was a third of its time.
    return ".git" in (part.casefold() for part in name.split("/"))


def _ripgrep(
    ws: Workspace, rg: str, pattern: str, glob: str | None, seconds: float, *, ordered: bool = False
) -> Iterator[str]:
    argv = [rg, "--line-number", "--no-heading", "--with-filename", "--color=never", "--hidden"]
    if ordered:
        argv.append("--sort=path")
    argv += [f"--max-columns={_MAX_COLUMNS}", "--max-columns-preview"]
    if glob:
        argv.append(f"--glob={glob}")
    # Last: ripgrep lets the last matching glob win, so a model's "*" or ".git/**" cannot undo it.
    argv += ["--glob=!.git", "--glob=!**/.git/**", "--regexp", pattern, "--", "."]
    code, error = 0, ""
    for line in _lines_until(argv, ws.root, None, seconds, "ripgrep"):
        if isinstance(line, tuple):
            code, error = line
        else:
            yield line.removeprefix("./")
    if code == 2:
        raise ToolError(f"search failed: {error.splitlines()[0] if error else 'ripgrep exit code 2'}")


def _lines_until(
    argv: Sequence[str], cwd: Path, given: IO[bytes] | None, seconds: float, what: str
) -> Iterator[str | tuple[int, str]]:
    """The lines ``argv`` prints, then (exit code, stderr) when it produced none; killed after ``seconds``."""
    # stderr goes to a file: a pipe nobody reads could fill up and stall the child.
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            argv, cwd=cwd, stdin=given or subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors
        )
        assert proc.stdout is not None
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            proc.kill()

        timer = threading.Timer(seconds, expire)
        timer.start()
        produced = False
        try:
            for raw in proc.stdout:
                produced = True
                yield raw.decode("utf-8", "replace").rstrip("\n")
        finally:
            timer.cancel()
            # Stop the child once we have enough lines: on a huge result this is what keeps it fast.
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            code = proc.wait(_TIMEOUT)
        if expired.is_set():
            raise ToolError(
                f"the search was stopped after {seconds:.0f} s without finishing ({what}): a pattern with nested "
                "repetition such as (a+)+ can take forever on some text; simplify the pattern or narrow the glob"
            )
        errors.seek(0)
        error = errors.read().decode("utf-8", "replace").strip()
    if not produced:
        yield code, error


def _matches_glob(name: str, glob: str) -> bool:
    # Like ripgrep: a glob without "/" matches the file name at any depth.
    if "/" not in glob:
        return fnmatch.fnmatchcase(name.rpartition("/")[2], glob)
    return fnmatch.fnmatchcase(name, glob.removeprefix("/")) or PurePosixPath(name).match(glob)


def _scan_in_child(ws: Workspace, pattern: str, glob: str | None, seconds: float) -> Iterator[str]:
    """The Python scan, in a child process that can be killed at the deadline (``re`` cannot be stopped)."""
    try:
        re.compile(pattern, re.MULTILINE)
    except re.error as exc:
        raise ToolError(f"search failed: invalid regular expression: {exc}") from exc
    job = {"root": str(ws.root), "names": ws.files(), "pattern": pattern, "glob": glob}
    with tempfile.TemporaryFile() as given:
        given.write(json.dumps(job).encode())
        given.seek(0)
        # Isolated (-I): "-m" would otherwise put the checkout first on sys.path, and a prpilot/ folder
        # the agent wrote there would run in place of this module.
        argv = [sys.executable, "-I", "-m", "prpilot.agent.search"]
        for line in _lines_until(argv, ws.root, given, seconds, "Python regular expressions"):
            if isinstance(line, tuple):
                if line[0] != 0:
                    raise ToolError(f"search failed: {line[1].splitlines()[-1] if line[1] else line[0]}")
            else:
                yield line


def _scan(root: Path, names: Sequence[str], pattern: str, glob: str | None) -> Iterator[str]:
    regex = re.compile(pattern, re.MULTILINE)  # ^ and $ at line ends, as in ripgrep
    # A plain ASCII literal (a name, most searches) is looked for in the bytes first: a file without it
    # is neither decoded nor run through the regex.
    needle = pattern.encode() if pattern.isascii() and not _REGEX_SYNTAX.intersection(pattern) else None
    for name in names:
        if _in_git_dir(name) or (glob and not _matches_glob(name, glob)):
            continue
        path = os.path.join(root, name)
        try:
            found = os.lstat(path)  # one call: a symlink is not a regular file here, and is never followed
            if not stat.S_ISREG(found.st_mode) or found.st_size > _SCAN_MAX_BYTES:
                continue
            with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as handle:  # swapped for a link since: no
                data = handle.read(_SCAN_MAX_BYTES + 1)  # bounded even if it grew since the lstat
        except OSError:
            continue
        if needle is not None and needle not in data:
            continue
        if looks_binary(data[:8192]):
            continue
        text = data.decode("utf-8", "replace")
        if not regex.search(text):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if regex.search(line):
                yield f"{name}:{number}:{clip_line(line, _MAX_COLUMNS)}"


def _scan_main() -> None:
    """The child's side of :func:`_scan_in_child`: the job on stdin, one hit per line on stdout."""
    job = json.load(sys.stdin)
    out = sys.stdout
    for hit in _scan(Path(job["root"]), job["names"], job["pattern"], job["glob"]):
        out.write(hit.replace("\n", " ") + "\n")
    out.flush()


if __name__ == "__main__":
    _scan_main()
