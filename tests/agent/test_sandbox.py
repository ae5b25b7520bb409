"""The command sandbox, with the real bubblewrap: an attacker's program reaches nothing of the runner's.

Each test plays one of issue 14's attacks from inside a command and asserts the safe outcome.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from prpilot.agent.programs import CommandPolicy
from prpilot.agent.sandbox import Sandbox, reap_orphans, sandbox_for
from prpilot.agent.tools import Toolbox
from prpilot.agent.workspace import Workspace

CANARY = "canary-7f3a9c1e5b"


@pytest.fixture
def runner(tmp_path: Path) -> dict[str, str]:
    """A runner's layout, as on a hosted runner: HOME, work/_temp, the action, the file-command files."""
    home = tmp_path / "home"
    temp = home / "work" / "_temp"
    files = temp / "_runner_file_commands"
    files.mkdir(parents=True)
    action = home / "work" / "_actions" / "prpilot"
    action.mkdir(parents=True)
    workspace = home / "work" / "repo" / "repo"
    workspace.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=workspace, check=True)
    subprocess.run(["git", "config", "http.https://github.com/.extraheader", f"AUTHORIZATION: basic {CANARY}"],
                   cwd=workspace, check=True)
    for folder in (home, temp, action, home / "work", home / "work" / "repo"):
        (folder / "canary.txt").write_text(CANARY)
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(home),
        "RUNNER_TEMP": str(temp),
        "GITHUB_ACTION_PATH": str(action),
        "GITHUB_WORKSPACE": str(workspace),
        "INPUT_GITHUB-TOKEN": CANARY,
        "CANARY_VARIABLE": CANARY,
    }
    for name in ("GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
        (files / name).write_text("")
        env[name] = str(files / name)
    return env


def _sandbox(env: dict[str, str], **kwargs: object) -> Sandbox:
    sandbox = sandbox_for(Path(env["GITHUB_WORKSPACE"]), env, secrets=[CANARY], **kwargs)  # type: ignore[arg-type]
    assert sandbox.problem == "", sandbox.problem
    return sandbox


def _python(sandbox: Sandbox, script: str, timeout: float = 30) -> str:
    ran = sandbox.run(["python", "-c", script], timeout=timeout)
    return ran.output.decode()


def test_no_secret_in_any_environment_or_file_a_command_can_read(runner: dict[str, str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INPUT_OPENAI-API-KEY", CANARY)  # held by the process that starts the sandbox
    script = """
import os, codecs
found = []
for pid in os.listdir('/proc'):
    if pid.isdigit():
        try: found.append(open(f'/proc/{pid}/environ', 'rb').read().decode(errors='replace'))
        except OSError as e: found.append(repr(e))
found.append(repr(dict(os.environ)))
for top in ('/', '/tmp', os.path.dirname(os.getcwd()), os.path.expanduser('~')):
    for root, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in SKIP]
        for name in files:
            try: found.append(open(os.path.join(root, name), errors='replace').read(100000))
            except OSError: pass
text = '\\n'.join(found)
print(len(found), text[::-1], text.encode().hex())
"""
    sandbox = _sandbox(runner)
    skip = ["/proc", "/sys", "/dev", *(str(p) for p in sandbox.readable)]  # read-only installs: no canary there
    out = _python(sandbox, f"SKIP = {skip!r}\n" + script, timeout=120)
    assert "Traceback" not in out, out[-2000:]
    assert CANARY not in out
    assert CANARY[::-1] not in out
    assert CANARY.encode().hex() not in out
    assert "extraheader" not in out  # the workspace's git config is shown without its credentials


def test_read_only_commands_cannot_read_or_write_outside_the_workspace(runner: dict[str, str]) -> None:
    sandbox = _sandbox(runner)
    outside = Path(runner["HOME"]) / "work" / "pwned.txt"
    home_canary = Path(runner["HOME"]) / "canary.txt"
    read = sandbox.run(["git", "diff", "--no-index", str(home_canary), "/dev/null"], timeout=30)
    assert CANARY not in read.output.decode()
    assert read.exit_code != 0
    sandbox.run(["git", "log", f"--output={outside}"], timeout=30)
    sandbox.run(["git", "diff", f"--output={Path(runner['RUNNER_TEMP']) / 'x'}"], timeout=30)
    assert not outside.exists()
    assert not (Path(runner["RUNNER_TEMP"]) / "x").exists()
    # .git is read-only: no fsmonitor, hook or filter for prpilot's own git to run later.
    config = Path(runner["GITHUB_WORKSPACE"]) / ".git" / "config"
    before = config.read_text()
    planted = sandbox.run(["git", "config", "core.fsmonitor", "touch /tmp/owned"], timeout=30)
    assert planted.exit_code != 0
    hook = sandbox.run(["sh", "-c", "echo 'touch pwned' > .git/hooks/pre-push"], timeout=30)
    assert hook.exit_code != 0
    assert config.read_text() == before
    assert not (Path(runner["GITHUB_WORKSPACE"]) / ".git" / "hooks" / "pre-push").exists()
    # ...while the workspace itself is the agent's to change.
    wrote = sandbox.run(["sh", "-c", "echo made > made.txt"], timeout=30)
    assert wrote.exit_code == 0
    assert (Path(runner["GITHUB_WORKSPACE"]) / "made.txt").read_text() == "made\n"


def test_later_job_steps_cannot_be_poisoned(runner: dict[str, str]) -> None:
    sandbox = _sandbox(runner)
    script = f"""
import os
for path in {[runner[n] for n in ("GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")]!r}:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'a') as f: f.write('LD_PRELOAD=/tmp/evil.so\\nBASH_ENV=/tmp/evil.sh\\n')
        print('wrote', path)
    except OSError as e: print('refused', path, e)
"""
    out = _python(sandbox, script)
    assert "refused" in out or "wrote" in out
    for name in ("GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
        assert Path(runner[name]).read_text() == "", name


def _sleepers(marker: str) -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline:
            found.append(f"{pid}: {cmdline}")
    return found


def test_no_process_outlives_its_command_and_a_held_stdout_does_not_block(runner: dict[str, str]) -> None:
    sandbox = _sandbox(runner)
    daemon = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(3600.5)  # holds stdout, in a session of its own\n"
        "    os._exit(0)\n"
        "print('started')\n"
    )
    started = time.monotonic()
    ran = sandbox.run(["python", "-c", daemon], timeout=60)
    assert ran.exit_code == 0
    assert ran.output.decode().strip() == "started"
    assert time.monotonic() - started < 15
    time.sleep(0.3)
    assert _sleepers("3600.5") == []


def test_the_timeout_kills_every_process_the_command_started(runner: dict[str, str]) -> None:
    sandbox = _sandbox(runner)
    script = "import subprocess, time\nsubprocess.Popen(['sleep', '3601'], start_new_session=True)\ntime.sleep(3602)"
    started = time.monotonic()
    ran = sandbox.run(["python", "-c", script], timeout=2)
    assert ran.timed_out
    assert ran.exit_code is None
    assert time.monotonic() - started < 10
    time.sleep(0.3)
    assert _sleepers("sleep 3601") + _sleepers("time.sleep(3602)") == []


def test_commands_share_max_minutes(runner: dict[str, str]) -> None:
    workspace = Workspace(Path(runner["GITHUB_WORKSPACE"]))
    # Four seconds left: on a busy machine (tests run in parallel) the command may start a second or two late.
    soon = CommandPolicy(("python",), env=runner, timeout=300, deadline=time.monotonic() + 4)
    result = Toolbox(workspace, commands=soon).call(
        "run_command", json.dumps({"command": "python -c 'import time; time.sleep(60)'"})
    )
    assert re.match(r"timed out after [1-4](\.\d+)? s \(what was left of max-minutes\)", result.output), result.output
    over = CommandPolicy(("python",), env=runner, timeout=300, deadline=time.monotonic() - 1)
    refused = Toolbox(workspace, commands=over).call("run_command", json.dumps({"command": "python -V"}))
    assert refused.is_error
    assert "no time is left under max-minutes" in refused.output


def test_no_network_unless_allowed(runner: dict[str, str]) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted: list[bool] = []
    threading.Thread(target=lambda: (server.accept(), accepted.append(True)), daemon=True).start()
    script = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=5); print('connected')"
    try:
        assert "connected" not in _python(_sandbox(runner), script)
        assert "connected" in _python(_sandbox(runner, network=True), script)
    finally:
        server.close()


def test_no_sandbox_no_command(runner: dict[str, str], tmp_path: Path) -> None:
    """Fail closed: without bwrap, or where it may not make namespaces, run_command refuses in one clear message."""
    denied = tmp_path / "bwrap"
    denied.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    denied.chmod(0o755)
    workspace = Workspace(Path(runner["GITHUB_WORKSPACE"]))
    for bwrap, why in ((None, "bubblewrap (bwrap) is not installed"), (str(denied), "uid map: Permission denied")):
        box = Toolbox(workspace, commands=CommandPolicy(("python",), env=runner))
        assert box.sandbox is not None
        box._sandbox = replace(box.sandbox, bwrap=bwrap)
        result = box.call("run_command", json.dumps({"command": "python -c 'open(\"ran\", \"w\")'"}))
        assert result.is_error
        assert "run_command is unavailable on this runner" in result.output
        assert why in result.output
        assert "install the bubblewrap package" in result.output
        assert not (workspace.root / "ran").exists()


def test_what_the_sandbox_shows_of_the_runner(runner: dict[str, str], tmp_path: Path) -> None:
    """System folders and tool folders read-only; nothing in or above HOME, RUNNER_TEMP or the action."""
    home = Path(runner["HOME"])
    in_home = home / ".local" / "bin"
    in_home.mkdir(parents=True)
    cache = tmp_path / "toolcache"
    (cache / "Python" / "3.12" / "x64" / "bin").mkdir(parents=True)
    tool = tmp_path / "opt" / "node" / "bin"
    tool.mkdir(parents=True)
    linked = tmp_path / "linkfarm"
    linked.mkdir()
    (linked / "node").symlink_to(tool / "node")
    (tool / "node").write_text("")
    env = {**runner, "RUNNER_TOOL_CACHE": str(cache),
           "PATH": f"{in_home}:{cache}/Python/3.12/x64/bin:{linked}:{runner['RUNNER_TEMP']}:/usr/bin:/bin"}
    sandbox = sandbox_for(Path(runner["GITHUB_WORKSPACE"]), env)
    shown = set(sandbox.readable)
    assert {Path("/usr"), Path("/etc"), cache, linked, tool.parent} <= shown  # node's install, for its lib/
    for private in (home, in_home, Path(runner["RUNNER_TEMP"]), Path(runner["GITHUB_ACTION_PATH"])):
        assert not any(private == p or private in p.parents or p in private.parents for p in shown), private
    assert str(in_home) not in sandbox.path
    assert runner["RUNNER_TEMP"] not in sandbox.path
    assert f"{cache}/Python/3.12/x64/bin" in sandbox.path.split(":")
    assert set(sandbox.env) == {"PATH", "HOME", "TMPDIR", "CI", "LANG"}


_AS_A_RUNNER_USER = """
import sys
from pathlib import Path
from prpilot.agent.sandbox import sandbox_for
sandbox = sandbox_for(Path(sys.argv[1]), {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})
assert sandbox.problem == "", sandbox.problem
ran = sandbox.run(["sh", "-c", "id -u; ls /proc | grep -c '^[0-9]'; echo made > made.txt"], timeout=30)
print(ran.exit_code, ran.output.decode().split())
"""


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv") or not Path("/usr/bin/python3").exists(),
                    reason="plays a hosted runner's unprivileged user from root")
def test_the_sandbox_works_for_an_unprivileged_user() -> None:
    """GitHub-hosted runners run as a plain user: bwrap then makes a user namespace of its own."""
    with tempfile.TemporaryDirectory() as folder:  # in /tmp itself: pytest's tmp_path is root's alone
        workspace = Path(folder)
        workspace.chmod(0o777)
        _run_as_nobody(workspace)


def _run_as_nobody(workspace: Path) -> None:
    # The checkout and its virtualenv may sit in a folder only root can read (CI clones into a mktemp
    # -d): give the unprivileged user a readable copy of prpilot and of what it imports from site-packages.
    code = workspace.parent / f"{workspace.name}-code"
    shutil.copytree(Path(__file__).resolve().parents[2] / "src" / "prpilot", code / "prpilot")
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    for name in ("pydantic", "pydantic_core", "annotated_types", "typing_inspection", "typing_extensions.py"):
        source = site / name
        if source.is_dir():
            shutil.copytree(source, code / name)
        elif source.exists():
            shutil.copy2(source, code / name)
    try:
        done = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c",
             f"import sys; sys.path[:0] = [{str(code)!r}]\n" + _AS_A_RUNNER_USER, str(workspace)],
            env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60, check=False,
        )
    finally:
        shutil.rmtree(code, ignore_errors=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(None, 1)[0] == "0"
    assert "'65534'" in done.stdout
    assert (workspace / "made.txt").read_text() == "made\n"


# The runner's secrets under /etc that the README promises a command never reads: shadow, sudoers, ssh keys.
ETC_SECRETS = ("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers", "/etc/sudoers.d",
               "/etc/ssh", "/etc/ssl/private", "/etc/security/opasswd")
# What a command sees of each path: a file's bytes, a folder's files with theirs, or why it could not.
_LOOK = """
import json, os, sys
seen = {}
for path in sys.argv[1:]:
    found = {}
    for root, dirs, files in os.walk(path) if os.path.isdir(path) else [(os.path.dirname(path), [], [path])]:
        found.update({os.path.join(root, d) + '/': '' for d in dirs})
        for name in files:
            try:
                with open(os.path.join(root, name), 'rb') as f: found[os.path.join(root, name)] = f.read().hex()
            except OSError as e: found[os.path.join(root, name)] = type(e).__name__
    seen[path] = found
print(json.dumps(seen))
"""
# Nothing to read: an empty file, /dev/null bound over it (a read-only bind, nodev, refuses to open it), or none.
_NOTHING = ("", "PermissionError", "FileNotFoundError")


def _look(sandbox: Sandbox, paths: Sequence[str]) -> dict[str, dict[str, str]]:
    ran = sandbox.run(["python", "-c", _LOOK, *paths], timeout=30)
    assert ran.exit_code == 0, ran.output.decode()
    seen: dict[str, dict[str, str]] = json.loads(ran.output)
    return seen


@pytest.mark.parametrize("path", ETC_SECRETS)
def test_the_runners_shadow_sudoers_and_ssh_keys_are_not_readable(runner: dict[str, str], path: str) -> None:
    """On this machine as it is: each secret path that exists reads as an empty file or an empty folder."""
    if not os.path.lexists(path):
        pytest.skip(f"{path} does not exist on this machine")
    seen = _look(_sandbox(runner), [path])[path]
    assert all(content in _NOTHING for content in seen.values()), seen
    assert not [name for name in seen if name != path], seen  # a folder shows nothing inside it


_STAND_INS = {
    "shadow": "root:$6$canary:19000:0:99999:7:::\n", "shadow-": "", "gshadow": "", "gshadow-": "",
    "sudoers": "runner ALL=(ALL) NOPASSWD:ALL\n", "sudoers.d/90-runner": "runner ALL=(ALL) NOPASSWD:ALL\n",
    "ssh/ssh_host_ed25519_key": "-----BEGIN OPENSSH PRIVATE KEY-----\n", "ssh/ssh_host_rsa_key": "",
    "ssl/private/runner.key": "-----BEGIN PRIVATE KEY-----\n", "security/opasswd": "",
}
_IN_A_STAND_IN_ETC = """
import json, sys
from pathlib import Path
from prpilot.agent.sandbox import sandbox_for
workspace, home, look, paths = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
sandbox = sandbox_for(workspace, {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": home})
ran = sandbox.run(["python", "-c", look, *paths], timeout=30)
print(ran.output.decode())
"""


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("mount"),
                    reason="stands in the runner's /etc in a private mount namespace, which takes root")
def test_stand_ins_for_shadow_sudoers_and_ssh_keys_are_not_readable(runner: dict[str, str], tmp_path: Path) -> None:
    """Every secret path under /etc (and a user key in HOME) holds a canary, in a copy of /etc that only a
    private mount namespace of this test sees: a command reads none of them, and the rest of /etc as it is."""
    etc = tmp_path / "etc"
    shutil.copytree("/etc", etc, symlinks=True)
    for name, text in _STAND_INS.items():
        if (etc / name).is_dir() and not (etc / name).is_symlink():
            shutil.rmtree(etc / name)
        (etc / name).parent.mkdir(parents=True, exist_ok=True)
        (etc / name).write_text(f"{text}{CANARY}\n")
        (etc / name).chmod(0o440 if "sudoers" in name else 0o600)
    user_key = Path(runner["HOME"]) / ".ssh" / "id_ed25519"
    user_key.parent.mkdir(mode=0o700)
    user_key.write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{CANARY}\n")
    (etc / "prpilot-visible").write_text(f"{CANARY}-visible\n")  # the control: the rest of /etc is shown
    paths = [*ETC_SECRETS, str(user_key), "/etc/prpilot-visible"]
    script = "mount --bind \"$1\" /etc && shift && exec \"$@\""
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", str(etc),
         sys.executable, "-c", _IN_A_STAND_IN_ETC, runner["GITHUB_WORKSPACE"], runner["HOME"], _LOOK, *paths],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    seen: dict[str, dict[str, str]] = json.loads(done.stdout)
    assert seen.pop("/etc/prpilot-visible") == {"/etc/prpilot-visible": f"{CANARY}-visible\n".encode().hex()}
    assert CANARY.encode().hex() not in json.dumps(seen)
    for path, found in seen.items():
        assert all(content in _NOTHING for content in found.values()), (path, found)
        assert not [name for name in found if name != path], (path, found)
    assert not Path("/etc/sudoers.d/90-runner").exists()  # the host's /etc was never touched


def test_each_command_has_a_private_tmp_and_an_empty_home_gone_when_it_ends(runner: dict[str, str]) -> None:
    """What one command leaves in /tmp or $HOME, the next does not see, nor does the host's /tmp hold it."""
    sandbox = _sandbox(runner)
    name = f"left-by-a-command-{os.getpid()}-{time.monotonic_ns()}"
    # What else /tmp shows depends on where the checkout and the interpreter lie (under the host's /tmp in a
    # CI clone): only the files the commands write are looked at.
    first = sandbox.run(["sh", "-c", f'echo "home=$HOME"; ls -A "$HOME"; echo left > /tmp/{name} && '
                                     f'echo left > "$HOME/{name}" && cat /tmp/{name} "$HOME/{name}"'], timeout=30)
    assert first.exit_code == 0, first.output.decode()
    assert first.output.decode().splitlines() == ["home=/tmp/home", "left", "left"]  # HOME was empty
    second = sandbox.run(["sh", "-c", f'test ! -e /tmp/{name} && test ! -e "$HOME/{name}" && '
                                      '[ -z "$(ls -A "$HOME")" ] && echo clean'], timeout=30)
    assert second.output.decode().splitlines() == ["clean"], second.output.decode()
    for host in (Path("/tmp"), Path("/tmp/home"), Path(runner["HOME"]), Path(runner["RUNNER_TEMP"])):
        assert not (host / name).exists(), host


def _running(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
    return found


def test_reaping_kills_the_sandboxes_left_on_a_workspace_and_no_other(runner: dict[str, str],
                                                                       tmp_path: Path) -> None:
    # What the finish step does once the engine was killed: bwrap's --die-with-parent can miss that.
    sandbox = _sandbox(runner)
    other_workspace = tmp_path / "other"
    other_workspace.mkdir()
    other = _sandbox({**runner, "GITHUB_WORKSPACE": str(other_workspace)})
    started = [subprocess.Popen(s.argv(["python3", "-c", f"import time; time.sleep({seconds})"]),
                                stdin=subprocess.DEVNULL, start_new_session=True)
               for s, seconds in ((sandbox, "300.125"), (other, "300.375"))]
    try:
        deadline = time.monotonic() + 30
        while not (_running("300.125") and _running("300.375")) and time.monotonic() < deadline:
            time.sleep(0.05)

        killed = reap_orphans(Path(runner["GITHUB_WORKSPACE"]))

        assert killed
        started[0].wait(timeout=10)
        deadline = time.monotonic() + 10
        while _running("300.125") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _running("300.125") == []
        assert _running("300.375") != []  # another workspace's sandbox is not this job's to end
    finally:
        reap_orphans(other_workspace)
        for process in started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
