"""Run a program in a bubblewrap sandbox: the workspace is all it can change, and nothing of the runner's it can read.

The sandbox starts from an empty root and adds only what programs need to run: the system
directories and the tool directories on PATH read-only, the workspace writable (its ``.git``
read-only, its config without credentials), a private /tmp, a fresh /proc of its own PID namespace,
no network unless asked. The runner's HOME and temp folder, the action's files, the job's
file-command files ($GITHUB_ENV, $GITHUB_PATH, $GITHUB_OUTPUT...) and the host's /proc are simply
not there. Its environment is built from nothing. When the program ends or its time is up, the
PID namespace ends and takes every process it started with it, daemons included.

bubblewrap: https://github.com/containers/bubblewrap (``man bwrap``).
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from prpilot.agent.limits import rlimit_argv, sizes_tmpfs
from prpilot.command_limits import DEFAULT_LIMITS, CommandLimits

# Read-only system directories (a symlink such as /bin -> usr/bin is recreated as a symlink).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
# Files and folders under /etc that hold secrets on some machines; hidden when this user can read them.
ETC_SECRETS = (
    "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers", "/etc/sudoers.d",
    "/etc/ssh", "/etc/ssl/private", "/etc/security/opasswd",
)
# Where the runner keeps what a command must never see or change.
RUNNER_PRIVATE = ("HOME", "RUNNER_TEMP", "GITHUB_ACTION_PATH", "RUNNER_WORKSPACE")
FILE_COMMANDS = (
    "GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_STATE", "GITHUB_EVENT_PATH",
)
# Passed in from the runner's environment when set; everything else is left out.
_SAFE_VARIABLES = ("LANG", "LC_ALL", "LC_CTYPE", "TZ")
TMP = "/tmp"  # noqa: S108 - the sandbox's own private tmpfs, not the host's /tmp
HOME = f"{TMP}/home"
SHM = "/dev/shm"  # noqa: S108 - the sandbox's own, sized like its /tmp
_HEAD_BYTES = 256 * 1024
_TAIL_BYTES = 256 * 1024
_SYSTEM_PATH = "/usr/bin:/bin:/usr/sbin:/sbin"
_CREDENTIAL_LINE = re.compile(r"^\s*extraheader\s*=", re.IGNORECASE)

INSTALL_HINT = (
    "install the bubblewrap package (sudo apt-get install bubblewrap); on Ubuntu 23.10 and later also "
    "allow it user namespaces (see prpilot's docs/security.md)"
)


@dataclass(frozen=True)
class Ran:
    """How a sandboxed program ended: its exit code (None when stopped at its timeout) and its output."""

    exit_code: int | None
    output: bytes
    timed_out: bool = False


@dataclass(frozen=True)
class Sandbox:
    """Where programs run for one workspace; built by :func:`sandbox_for`."""

    workspace: Path
    readable: tuple[Path, ...]  # bound read-only at the same path
    symlinks: tuple[tuple[str, str], ...]  # (target, path), e.g. ("usr/bin", "/bin")
    masked: tuple[Path, ...]  # hidden under an empty file or folder
    path: str  # PATH inside
    env: Mapping[str, str] = field(default_factory=dict)
    network: bool = False
    secrets: tuple[str, ...] = ()
    bwrap: str | None = None
    limits: CommandLimits = DEFAULT_LIMITS
    prlimit: str | None = None  # util-linux's prlimit, which sets the limits bwrap and all inside inherit

    def argv(self, command: Sequence[str], *, git_config: Path | None = None) -> list[str]:
        """The bwrap command line that runs ``command`` in this sandbox, under its resource limits."""
        assert self.bwrap is not None
        args = [*rlimit_argv(self.prlimit, self.limits), self.bwrap, "--unshare-all"]
        args += ["--share-net"] if self.network else []
        args += ["--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"]
        # Memory-backed places are bounded (bwrap >= 0.7 sizes a tmpfs); /dev itself is read-only.
        sized = sizes_tmpfs(self.bwrap)
        args += [*(["--size", str(self.limits.tmp)] if sized else []), "--tmpfs", TMP, "--dir", HOME]
        args += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev"]
        args += [*(["--size", str(max(1, self.limits.tmp // 4))] if sized else []), "--tmpfs", SHM]
        for target, link in self.symlinks:
            args += ["--symlink", target, link]
        for path in self.readable:
            args += ["--ro-bind", str(path), str(path)]
        for path in self.masked:
            args += ["--tmpfs", str(path)] if path.is_dir() else ["--ro-bind", "/dev/null", str(path)]
        root = str(self.workspace)
        args += ["--bind", root, root]
        dot_git = self.workspace / ".git"
        if dot_git.exists():
            args += ["--ro-bind", str(dot_git), str(dot_git)]
        if git_config is not None:
            args += ["--ro-bind", str(git_config), str(dot_git / "config")]
        for name, value in self.env.items():
            args += ["--setenv", name, value]
        # The sandbox's own root (a tmpfs of bwrap's) is read-only, or it would be an unbounded disk in memory.
        return [*args, "--remount-ro", "/", "--chdir", root, "--", *command]

    @cached_property
    def problem(self) -> str:
        """Why no sandbox can be made here ("" when one can): tried once, with a program that does nothing."""
        if self.bwrap is None:
            return f"bubblewrap (bwrap) is not installed; {INSTALL_HINT}"
        ran = self.run(["true"], timeout=30)
        if ran.exit_code == 0:
            return ""
        said = ran.output.decode("utf-8", "replace").strip().splitlines()
        return f"{said[-1] if said else 'bwrap failed'}; {INSTALL_HINT}"

    def which(self, program: str) -> str | None:
        """Where ``program`` is inside the sandbox (None: not installed there)."""
        if "/" in program:
            return program
        return shutil.which(program, path=self.path)

    def run(self, command: Sequence[str], *, timeout: float) -> Ran:
        """Run ``command``; after ``timeout`` seconds every process it started is killed."""
        with tempfile.TemporaryDirectory(prefix="prpilot-sandbox-") as private:
            config = self._git_config(Path(private))
            process = subprocess.Popen(
                self.argv(command, git_config=config),
                env=dict(self.env),  # bwrap itself holds no secret either: /proc/1/environ inside is its
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                output, timed_out = _read(process, time.monotonic() + timeout)
            finally:
                _kill(process)
        return Ran(None if timed_out else process.returncode, output, timed_out)

    def _git_config(self, private: Path) -> Path | None:
        """The workspace's .git/config without credentials (actions/checkout persists the token there)."""
        try:
            text = (self.workspace / ".git" / "config").read_text(encoding="utf-8", errors="replace")
        except OSError:  # none (not a git checkout), or not ours to read: nor the command's then
            return None
        kept = [
            line for line in text.splitlines(keepends=True)
            if not _CREDENTIAL_LINE.match(line) and not any(secret in line for secret in self.secrets)
        ]
        copy = private / "config"
        copy.write_text("".join(kept), encoding="utf-8")
        return copy


def sandbox_for(
    workspace: Path, runner_env: Mapping[str, str], *, network: bool = False, secrets: Iterable[str] = (),
    limits: CommandLimits = DEFAULT_LIMITS,
) -> Sandbox:
    """The sandbox for ``workspace``, given the environment the runner started prpilot with."""
    workspace = workspace.resolve()
    private = _private_places(workspace, runner_env)
    secret_values = tuple(s for s in secrets if s)
    symlinks: list[tuple[str, str]] = []
    readable: list[Path] = []
    for name in SYSTEM_DIRS:
        path = Path(name)
        if path.is_symlink():
            symlinks.append((os.readlink(path), name))
        elif path.is_dir():
            readable.append(path)
    tool_cache = runner_env.get("RUNNER_TOOL_CACHE", "")
    if tool_cache and Path(tool_cache).is_dir() and _may_show(Path(tool_cache).resolve(), private):
        readable.append(Path(tool_cache).resolve())
    visible_path: list[str] = []
    for entry in runner_env.get("PATH", os.defpath).split(os.pathsep):
        if not entry or not os.path.isabs(entry) or not os.path.isdir(entry):
            continue
        real = Path(entry).resolve()
        if _inside(real, workspace):
            visible_path.append(str(real))
            continue
        if not _covered(real, readable):
            for candidate in (_prefix(real), real):
                if _may_show(candidate, private):
                    readable.append(candidate)
                    break
        if _covered(real, readable):
            visible_path.append(str(real))
            readable += _link_targets(real, readable, private)
    masked = [Path(p) for p in ETC_SECRETS if os.path.lexists(p) and os.access(p, os.R_OK)]
    search_path = os.pathsep.join(dict.fromkeys(visible_path)) or "/usr/bin:/bin"
    env = {"PATH": search_path, "HOME": HOME, "TMPDIR": TMP, "CI": "true", "LANG": "C.UTF-8"}
    env.update({k: runner_env[k] for k in _SAFE_VARIABLES if runner_env.get(k)})
    env = {k: v for k, v in env.items() if not any(secret in v for secret in secret_values)}
    if network:
        resolv = Path("/etc/resolv.conf")
        if resolv.is_symlink() and resolv.resolve().exists():  # systemd-resolved keeps it under /run
            readable.append(resolv.resolve().parent)
    return Sandbox(
        workspace=workspace,
        readable=tuple(dict.fromkeys(readable)),
        symlinks=tuple(symlinks),
        masked=tuple(masked),
        path=search_path,
        env=env,
        network=network,
        secrets=secret_values,
        bwrap=shutil.which("bwrap", path=runner_env.get("PATH", os.defpath)) or shutil.which("bwrap"),
        limits=limits,
        prlimit=shutil.which("prlimit", path=_SYSTEM_PATH),
    )


def _private_places(workspace: Path, env: Mapping[str, str]) -> list[Path]:
    """The runner's places no command may see: its HOME, temp, the action, the job's files, the workspace's parent."""
    places = [Path(env[name]) for name in RUNNER_PRIVATE if env.get(name)]
    places += [Path(env[name]).parent for name in FILE_COMMANDS if env.get(name)]
    places.append(workspace.parent)
    return [p.resolve() for p in places if p.is_absolute() and p.resolve() != Path("/")]  # / would hide all


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _covered(path: Path, roots: Sequence[Path]) -> bool:
    return any(_inside(path, root) for root in roots) or any(_inside(path, Path(d)) for d in SYSTEM_DIRS)


def _may_show(path: Path, private: Sequence[Path]) -> bool:
    """A folder may be shown read-only unless it is /, or holds or lies in a private place."""
    return path != Path("/") and not any(_inside(path, p) or _inside(p, path) for p in private)


def _prefix(directory: Path) -> Path:
    """A program's installation: the folder above ``bin`` (where its ``lib`` is), else its own folder."""
    return directory.parent if directory.name in ("bin", "sbin") and directory.parent != Path("/") else directory


def _link_targets(directory: Path, readable: Sequence[Path], private: Sequence[Path]) -> list[Path]:
    """Installations that symlinks in a PATH folder point to (a venv's python -> its base interpreter)."""
    found: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return found
    for entry in entries:
        if not entry.is_symlink():
            continue
        target = Path(os.path.realpath(entry.path))
        if not target.exists() or _covered(target, [*readable, *found]):
            continue
        prefix = _prefix(target.parent)
        if _may_show(prefix, private):
            found.append(prefix)
    return found


def _read(process: subprocess.Popen[bytes], deadline: float) -> tuple[bytes, bool]:
    """Read ``process``'s output until it closes or ``deadline``; keep the head and the tail only."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    head, tail, dropped = bytearray(), bytearray(), 0
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return _joined(head, tail, dropped), True
            if not selector.select(min(left, 1.0)):
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            room = _HEAD_BYTES - len(head)
            head += chunk[:room]
            tail += chunk[room:] if room > 0 else chunk
            if len(tail) > _TAIL_BYTES:
                dropped += len(tail) - _TAIL_BYTES
                del tail[: len(tail) - _TAIL_BYTES]
    # The output closed: the sandbox's PID namespace is gone, so this wait is short.
    try:
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return _joined(head, tail, dropped), True
    return _joined(head, tail, dropped), False


def _joined(head: bytearray, tail: bytearray, dropped: int) -> bytes:
    middle = f"\n[... {dropped} bytes of output omitted ...]\n".encode() if dropped else b""
    return bytes(head) + middle + bytes(tail)


def reap_orphans(workspace: Path) -> list[int]:
    """Kill every sandbox still running on ``workspace``; return their process ids. For after the engine died.

    ``--die-with-parent`` is a convenience, not a guarantee: the sandbox's inner bwrap sets its
    parent-death signal late, so an engine killed outright can leave it and the command running, still
    writing to the workspace (containers/bubblewrap#633 and #700, both open; seen here with bwrap 0.8.0
    when the engine was SIGKILLed). Only the engine starts sandboxes on the workspace, so once it is
    gone every bwrap bound to it is an orphan, and killing a PID namespace's first process ends all of it.
    """
    root = os.fsencode(str(workspace))
    killed: list[int] = []
    with contextlib.suppress(OSError):  # no /proc: no Linux, no bwrap
        entries = list(Path("/proc").iterdir())
        for entry in entries:
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue  # gone meanwhile, or not ours to read
            if os.path.basename(argv[0]) != b"bwrap" or not _binds(argv, root):
                continue
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
    return killed


def _binds(argv: list[bytes], root: bytes) -> bool:
    """Whether a bwrap command line binds ``root`` read-write, as every sandbox on that workspace does."""
    return any(argv[i : i + 3] == [b"--bind", root, root] for i in range(len(argv) - 2))


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill bwrap's process group; --die-with-parent and the PID namespace take everything inside with it."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    if process.stdout is not None:
        process.stdout.close()
