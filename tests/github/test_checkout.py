"""Checkout against real repositories in tmp_path: a bare origin and a clone of it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from prpilot.errors import GitError, PushRejected
from prpilot.github.checkout import BOT_NAME, Checkout, Identity, parse_push, parse_status, passing_failure
from prpilot.testing.git_traps import finishes
from prpilot.testing.github import FakeGitHub

BOT = Identity(BOT_NAME, "prpilot[bot]@users.noreply.127.0.0.1")

Git = Callable[..., str]

def test_parse_status_reads_every_kind_of_entry() -> None:
    porcelain = " M app.py\0?? new file.txt\0 D gone.py\0R  renamed.py\0old.py\0A  added.py\0"
    assert parse_status(porcelain) == ["added.py", "app.py", "gone.py", "new file.txt", "old.py", "renamed.py"]
    assert parse_status("") == []


def test_parse_push_returns_only_refused_refs() -> None:
    porcelain = (
        "To http://example/repo\n"
        "*\trefs/heads/a:refs/heads/a\t[new branch]\n"
        "!\trefs/heads/b:refs/heads/b\t[rejected] (stale info)\n"
        "!\trefs/heads/c:refs/heads/c\t[remote rejected] (pre-receive hook declined)\n"
        "Done\n"
    )
    assert parse_push(porcelain) == [
        ("refs/heads/b", "[rejected] (stale info)"),
        ("refs/heads/c", "[remote rejected] (pre-receive hook declined)"),
    ]


def test_changed_paths_among_the_agents_paths_leave_other_dirt_out(checkout: Checkout) -> None:
    root = checkout.root
    (root / "build.txt").write_text("left by an earlier workflow step\n")
    (root / "README.md").write_text("hello, world\n")
    (root / "app.py").write_text("print('app')\n")  # rewritten with the same text: no change
    (root / "debug.log").write_text("ignored by .gitignore\n")
    (root / "pkg").mkdir()
    (root / "pkg" / "new.py").write_text("x = 1\n")

    among = ["README.md", "app.py", "debug.log", "pkg/new.py", "created-then-deleted.txt"]
    assert checkout.changed_paths(among) == ["README.md", "pkg/new.py"]
    assert checkout.changed_paths([]) == []
    assert checkout.changed_paths(None) == ["README.md", "build.txt", "pkg/new.py"]  # files, never a folder


def test_changed_paths_take_special_characters_literally(checkout: Checkout) -> None:
    (checkout.root / "*.py").write_text("a file named like a glob\n")
    (checkout.root / "app.py").write_text("changed\n")
    assert checkout.changed_paths(["*.py"]) == ["*.py"]


def test_commit_records_only_the_given_paths_with_their_deletions(checkout: Checkout, git: Git) -> None:
    root = checkout.root
    before = checkout.head_sha()
    (root / "build.txt").write_text("not the agent's\n")
    (root / "README.md").write_text("hello, world\n")
    (root / "app.py").unlink()

    sha = checkout.commit("Say hello to the world\n\nbody", BOT, ["README.md", "app.py"])

    assert checkout.head_sha() == sha
    assert git(root, "rev-parse", f"{sha}^") == before
    assert git(root, "show", "--name-status", "--format=%an <%ae>|%s", sha).splitlines() == [
        f"{BOT.name} <{BOT.email}>|Say hello to the world", "", "M\tREADME.md", "D\tapp.py"]
    assert git(root, "status", "--porcelain") == "?? build.txt"
    assert git(root, "symbolic-ref", "HEAD") == "refs/heads/main"  # the branch moved, not a detached HEAD


def test_commit_in_a_repository_without_commits(tmp_path: Path, git: Git) -> None:
    git(tmp_path, "init", "-q", "-b", "main", "empty")
    checkout = Checkout(tmp_path / "empty", server_url="http://127.0.0.1:9", token="t")
    (checkout.root / "first.txt").write_text("first\n")
    assert checkout.head_sha() is None
    sha = checkout.commit("First", BOT, ["first.txt"])
    assert git(checkout.root, "rev-list", "--count", sha) == "1"


def test_start_branch_at_the_checked_out_tip_needs_no_remote(checkout: Checkout, git: Git) -> None:
    git(checkout.root, "remote", "set-url", "origin", "http://127.0.0.1:9/unreachable.git")
    (checkout.root / "README.md").write_text("edited before branching\n")
    checkout.start_branch("pilot/work", "main")
    assert checkout.current_branch() == "pilot/work"
    assert (checkout.root / "README.md").read_text() == "edited before branching\n"


def test_start_branch_fetches_a_base_the_checkout_is_not_on(
    checkout: Checkout, origin: Path, tmp_path: Path, git: Git
) -> None:
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(origin), str(other))
    git(other, "switch", "-q", "-c", "release")
    (other / "RELEASE.md").write_text("1.0\n")
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "release notes")
    git(other, "push", "-q", "origin", "release")

    checkout.start_branch("pilot/on-release", "release")

    assert checkout.current_branch() == "pilot/on-release"
    assert (checkout.root / "RELEASE.md").read_text() == "1.0\n"


def test_push_create_refuses_a_name_taken_on_the_remote(checkout: Checkout, origin: Path, git: Git) -> None:
    taken_sha = git(origin, "rev-parse", "main")
    git(origin, "branch", "pilot/taken", "main")
    checkout.start_branch("pilot/taken", "main")
    (checkout.root / "README.md").write_text("mine\n")
    checkout.commit("Mine", BOT, ["README.md"])

    with pytest.raises(PushRejected, match="stale info"):
        checkout.push("pilot/taken", create=True)
    assert git(origin, "rev-parse", "pilot/taken") == taken_sha

    checkout.start_branch("pilot/free", None)
    checkout.push("pilot/free", create=True)
    assert git(origin, "rev-parse", "pilot/free") == checkout.head_sha()


def test_push_refused_by_a_hook_is_a_git_error_not_a_race(checkout: Checkout, origin: Path) -> None:
    hook = origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho frozen >&2\nexit 1\n")
    hook.chmod(0o755)
    checkout.start_branch("pilot/x", "main")
    (checkout.root / "README.md").write_text("mine\n")
    checkout.commit("Mine", BOT, ["README.md"])

    with pytest.raises(GitError, match="pre-receive hook declined") as raised:
        checkout.push("pilot/x", create=True)
    assert not isinstance(raised.value, PushRejected)


def test_push_to_an_unreachable_remote_is_a_git_error(checkout: Checkout, git: Git) -> None:
    git(checkout.root, "remote", "set-url", "origin", "http://127.0.0.1:9/unreachable.git")
    with pytest.raises(GitError, match="could not push main"):
        checkout.push("main")


def test_start_branch_resets_a_local_branch_of_that_name(checkout: Checkout, git: Git) -> None:
    # A pull request's branch left from an earlier task in the same workspace: start it afresh.
    git(checkout.root, "branch", "feature", "HEAD")
    git(checkout.root, "switch", "-q", "feature")
    (checkout.root / "OLD.md").write_text("old\n")
    git(checkout.root, "add", "-A")
    git(checkout.root, "commit", "-q", "-m", "old local work")
    git(checkout.root, "switch", "-q", "main")

    checkout.start_branch("feature", None)

    assert checkout.current_branch() == "feature"
    assert checkout.head_sha() == git(checkout.root, "rev-parse", "main")


def test_a_planted_config_runs_no_program_in_prpilots_git(checkout: Checkout, tmp_path: Path, git: Git) -> None:
    """An agent's command that rewrote .git/config and planted hooks gets none of them run by prpilot's git."""
    ran = tmp_path / "ran"
    ran.mkdir()
    root = checkout.root

    def program(name: str, then: str = "") -> str:
        script = tmp_path / f"{name}.sh"
        script.write_text(f"#!/bin/sh\ntouch {ran / name}\n{then}\n")
        script.chmod(0o755)
        return str(script)

    settings = {
        "core.fsmonitor": program("fsmonitor"),
        "core.pager": program("pager"),
        "core.sshCommand": program("ssh"),
        "core.askPass": program("askpass"),
        "filter.evil.clean": program("clean", "cat"),
        "filter.evil.smudge": program("smudge", "cat"),
        "filter.evil.process": program("process"),
        "diff.evil.textconv": program("textconv", "cat \"$1\""),
        "diff.external": program("external"),
        "merge.evil.driver": program("merge", "exit 0") + " %O %A %B",
        "credential.helper": "!" + program("credential"),
        "remote.origin.receivepack": program("receivepack", 'exec git-receive-pack "$@"'),
        "remote.origin.uploadpack": program("uploadpack", 'exec git-upload-pack "$@"'),
    }
    for key, value in settings.items():
        git(root, "config", key, value)
    for hook in ("pre-push", "post-checkout", "pre-commit", "post-commit", "reference-transaction"):
        (root / ".git" / "hooks" / hook).symlink_to(program(hook))
    (root / ".gitattributes").write_text("* filter=evil diff=evil merge=evil\n")
    (root / "app.py").write_text("print('changed')\n")

    checkout.start_branch("pilot/planted", "main")
    changed = checkout.changed_paths(None)
    assert changed == [".gitattributes", "app.py"]
    checkout.commit("Planted", BOT, changed)
    checkout.patch("HEAD")
    checkout.push("pilot/planted", create=True)
    assert "pilot/planted" in checkout.remote_branches()

    assert sorted(p.name for p in ran.iterdir()) == []
    # No operation of prpilot's git merges; the driver is live all the same: a developer's merge runs it.
    for side in ("theirs", "ours"):
        git(root, "-c", "filter.evil.process=", "switch", "-q", "-c", side, "pilot/planted")
        (root / "app.py").write_text(f"print('{side}')\n")
        git(root, "-c", "filter.evil.process=", "commit", "-q", "-am", side)
    git(root, "-c", "filter.evil.process=", "merge", "-q", "theirs")
    assert "merge" in {p.name for p in ran.iterdir()}


def test_a_config_planted_between_two_of_prpilots_commands_is_seen(
    checkout: Checkout, tmp_path: Path, git: Git
) -> None:
    """The options are kept while the config is unchanged, and set again the moment it changes."""
    ran = tmp_path / "ran"
    ran.mkdir()
    clean = tmp_path / "clean.sh"
    clean.write_text(f"#!/bin/sh\ntouch {ran / 'clean'}\ncat\n")
    clean.chmod(0o755)
    root = checkout.root
    (root / "app.py").write_text("print('changed')\n")
    checkout.start_branch("pilot/later", "main")
    assert checkout.changed_paths(None) == ["app.py"]  # options set from the config as it was

    git(root, "config", "filter.evil.clean", str(clean))  # then an agent's command plants a filter
    (root / ".gitattributes").write_text("* filter=evil\n")
    changed = checkout.changed_paths(None)
    checkout.commit("Later", BOT, changed)
    checkout.push("pilot/later", create=True)

    assert changed == [".gitattributes", "app.py"]
    assert list(ran.iterdir()) == []


@pytest.fixture
def over_http(tmp_path: Path, fake_github: FakeGitHub, git: Git) -> Checkout:
    """A clone of a repository of the fake GitHub, over smart HTTP as on a runner."""
    fake_github.add_repo("o/r", files={"README.md": "hello\n"})
    work = tmp_path / "http-work"
    git(tmp_path, "clone", "-q", fake_github.clone_url("o/r", fake_github.token), str(work))
    return Checkout(work, server_url=fake_github.server_url, token=fake_github.token, sleep=lambda _: None)


def test_a_planted_askpass_or_credential_helper_is_not_run_when_the_remote_refuses_the_token(
    over_http: Checkout, fake_github: FakeGitHub, tmp_path: Path, git: Git
) -> None:
    """A refused token makes git ask for a user and password: prpilot's git asks no program, and fails."""
    ran = tmp_path / "ran"
    ran.mkdir()
    root = over_http.root
    for name in ("askpass", "credential"):
        script = tmp_path / f"{name}.sh"
        script.write_text(f"#!/bin/sh\ntouch {ran / name}\n")
        script.chmod(0o755)
    git(root, "remote", "set-url", "origin", fake_github.clone_url("o/r"))  # no token in the URL
    git(root, "config", "core.askPass", str(tmp_path / "askpass.sh"))
    git(root, "config", "credential.helper", f"!{tmp_path / 'credential.sh'}")
    refused = Checkout(root, server_url=fake_github.server_url, token="not-a-token", sleep=lambda _: None)
    refused.start_branch("pilot/x", None)
    (root / "README.md").write_text("mine\n")
    refused.commit("Mine", BOT, ["README.md"])

    with pytest.raises(GitError, match="could not push pilot/x"):
        refused.push("pilot/x", create=True)
    assert list(ran.iterdir()) == []
    assert fake_github.ref("o/r", "refs/heads/pilot/x") is None

    # The same push by a developer's git runs both: they were planted where git looks.
    plain = subprocess.run(["git", "push", "origin", "pilot/x"], cwd=root, capture_output=True, text=True,
                           env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=60, check=False)
    assert plain.returncode != 0
    assert sorted(p.name for p in ran.iterdir()) == ["askpass", "credential"]


@pytest.mark.parametrize(("kind", "request_index"), [
    ("500", 0), ("502", 1), ("timeout-not-applied", 1), ("timeout-applied", 1),
])
def test_a_push_that_fails_in_passing_is_tried_again(
    over_http: Checkout, fake_github: FakeGitHub, kind: str, request_index: int
) -> None:
    # Issue 13, class 6: a single 5xx on the push failed the task. Request 0 is the ref
    # advertisement, 1 the pack itself (a timeout after it was carried out: the branch is there).
    over_http.start_branch("pilot/x", None)
    (over_http.root / "README.md").write_text("mine\n")
    sha = over_http.commit("Mine", BOT, ["README.md"])
    fake_github.fail_at(request_index, kind, delay=0.3)

    over_http.push("pilot/x", create=True)

    assert fake_github.ref("o/r", "refs/heads/pilot/x") == sha
    assert fake_github.ref("o/r", "refs/heads/pilot/x-2") is None  # not moved to a fresh name


def test_a_push_the_server_keeps_refusing_is_not_tried_again(over_http: Checkout, fake_github: FakeGitHub) -> None:
    over_http.start_branch("pilot/x", None)
    (over_http.root / "README.md").write_text("mine\n")
    over_http.commit("Mine", BOT, ["README.md"])
    fake_github.fail_at(0, "403")
    mark = fake_github.mark()

    with pytest.raises(GitError, match="could not push pilot/x"):
        over_http.push("pilot/x", create=True)
    assert [r.status for r in fake_github.since(mark)] == [403]


def test_a_fetch_that_fails_in_passing_is_tried_again(over_http: Checkout, fake_github: FakeGitHub) -> None:
    fake_github.commit("o/r", "feature", {"NEW.md": "new\n"})
    fake_github.fail_at(1, "500")

    over_http.checkout_remote_branch("feature")

    assert (over_http.root / "NEW.md").read_text() == "new\n"


@pytest.mark.parametrize(("stderr", "passing"), [
    ("error: RPC failed; HTTP 502 curl 22 The requested URL returned error: 502", True),
    ("error: RPC failed; curl 52 Empty reply from server", True),
    ("fatal: unable to access 'http://x/': The requested URL returned error: 403", False),
    ("fatal: repository 'http://x/o/r.git/' not found", False),
    ("! [remote rejected] main -> main (pre-receive hook declined)", False),
])
def test_passing_failures_are_told_from_answers(stderr: str, passing: bool) -> None:
    assert passing_failure(stderr) is passing


@pytest.mark.parametrize("where", [".gitattributes", "lib/.gitignore", "vendor/.git/HEAD"])
def test_a_fifo_where_git_opens_a_file_does_not_hang_the_status_nor_the_commit(
        checkout: Checkout, where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A command leaves a FIFO named like a file git opens by name: git waits on it for ever. The status
    (after the agent, in the finish step) and the staging are stopped at their limit, the tree's FIFOs,
    sockets and devices removed, and they run again."""
    monkeypatch.setattr("prpilot.github.checkout.LOOK_SECONDS", 1.0)
    fifo = checkout.root / where
    fifo.parent.mkdir(parents=True, exist_ok=True)
    if where.endswith("/.git/HEAD"):  # what git takes for a repository: HEAD, objects/, refs/
        (fifo.parent / "objects").mkdir()
        (fifo.parent / "refs").mkdir()
    os.mkfifo(fifo)
    (checkout.root / "README.md").write_text("changed by the agent\n")
    changed: list[str] = []

    assert finishes(lambda: changed.extend(checkout.changed_paths(None)), [fifo], seconds=20)
    assert "README.md" in changed
    assert not fifo.exists()
    os.mkfifo(fifo)  # again, after the status: the staging does not hang on it either
    assert finishes(lambda: checkout.commit("Change", Identity("a", "a@example.com"), ["README.md"]), [fifo],
                     seconds=20)
    assert checkout.changed_paths(["README.md"]) == []

