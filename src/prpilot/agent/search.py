"""search_code: ripgrep when it is on PATH, a Python scan of the listed files otherwise."""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import PurePosixPath

from prpilot.agent.bounds import MAX_BYTES, MAX_LINES, clip_line, take
from prpilot.agent.workspace import ToolError, Workspace, looks_binary

_MAX_COLUMNS = 300
_SCAN_MAX_BYTES = 10_000_000
_TIMEOUT = 60


def search_code(ws: Workspace, pattern: str, glob: str | None = None, *, rg: str | None = None) -> str:
    """Find lines matching the regular expression ``pattern``; answer ``path:line:text`` lines, bounded."""
    if not pattern:
        raise ToolError("give a non-empty pattern")
    rg = rg if rg is not None else shutil.which("rg")
    hits = _ripgrep(ws, rg, pattern, glob) if rg else _scan(ws, pattern, glob)
    found = _collect(hits, MAX_LINES + 1)
    if rg and len(found) > MAX_LINES:
        # Cut short: parallel ripgrep emits in no fixed order, so ask again in path order (single-
        # threaded, but it stops as early) to show the same first matches on every call.
        found = _collect(_ripgrep(ws, rg, pattern, glob, ordered=True), MAX_LINES + 1)
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
        found.append(hit)
        if len(found) >= limit:
            break
    return found


def _ripgrep(ws: Workspace, rg: str, pattern: str, glob: str | None, *, ordered: bool = False) -> Iterator[str]:
    argv = [rg, "--line-number", "--no-heading", "--with-filename", "--color=never", "--hidden"]
    if ordered:
        argv.append("--sort=path")
    argv += [f"--max-columns={_MAX_COLUMNS}", "--max-columns-preview", "--glob=!.git"]
    if glob:
        argv.append(f"--glob={glob}")
    argv += ["--regexp", pattern, "--", "."]
    # stderr goes to a file: a pipe nobody reads could fill up and stall ripgrep.
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(argv, cwd=ws.root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors)
        assert proc.stdout is not None
        produced = False
        try:
            for raw in proc.stdout:
                produced = True
                yield raw.decode("utf-8", "replace").rstrip("\n").removeprefix("./")
        finally:
            # Stop ripgrep once we have enough lines: on a huge result this is what keeps it fast.
            if proc.poll() is None:
                proc.kill()
            proc.stdout.close()
            code = proc.wait(_TIMEOUT)
        errors.seek(0)
        error = errors.read().decode("utf-8", "replace").strip()
    if code == 2 and not produced:
        raise ToolError(f"search failed: {error.splitlines()[0] if error else 'ripgrep exit code 2'}")


def _matches_glob(name: str, glob: str) -> bool:
    # Like ripgrep: a glob without "/" matches the file name at any depth.
    if "/" not in glob:
        return fnmatch.fnmatchcase(PurePosixPath(name).name, glob)
    return fnmatch.fnmatchcase(name, glob.removeprefix("/")) or PurePosixPath(name).match(glob)


def _scan(ws: Workspace, pattern: str, glob: str | None) -> Iterator[str]:
    try:
        regex = re.compile(pattern, re.MULTILINE)  # ^ and $ at line ends, as in ripgrep
    except re.error as exc:
        raise ToolError(f"search failed: invalid regular expression: {exc}") from exc
    for name in ws.files():
        if glob and not _matches_glob(name, glob):
            continue
        path = ws.root / name
        try:
            if path.is_symlink() or not path.is_file() or path.stat().st_size > _SCAN_MAX_BYTES:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if looks_binary(data[:8192]):
            continue
        text = data.decode("utf-8", "replace")
        if not regex.search(text):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if regex.search(line):
                yield f"{name}:{number}:{clip_line(line, _MAX_COLUMNS)}"
