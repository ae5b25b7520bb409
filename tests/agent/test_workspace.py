"""Workspace confinement: every path stays inside the checkout, .git and workflows are protected."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from prpilot.agent.workspace import PathRefused, ToolError, Workspace


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("print('hi')\n")
    (root / "README.md").write_text("# demo\n")
    (root / ".gitignore").write_text("build/\n")
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    return root


@pytest.mark.parametrize(
    "path",
    ["/etc/passwd", "../outside.txt", "src/../../outside.txt", "~/.ssh/id_rsa", "C:\\Windows\\x", "a\0b"],
)
def test_paths_outside_the_root_are_refused(repo: Path, path: str) -> None:
    with pytest.raises(PathRefused):
        Workspace(repo).resolve(path)


@pytest.mark.parametrize("path", [".git/config", ".git", "src/.git/hooks/x", ".GIT/HEAD", "./.git/../.git/config"])
def test_anything_in_git_is_refused(repo: Path, path: str) -> None:
    with pytest.raises(PathRefused, match=r"\.git"):
        Workspace(repo).resolve(path)


def test_symlink_resolving_outside_is_refused(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("top secret")
    os.symlink(tmp_path / "secret.txt", repo / "link.txt")
    os.symlink(tmp_path, repo / "linkdir")
    ws = Workspace(repo)
    with pytest.raises(PathRefused, match="outside"):
        ws.read_text("link.txt")
    with pytest.raises(PathRefused, match="outside"):
        ws.write_text("linkdir/new.txt", "x")
    assert not (tmp_path / "new.txt").exists()


def test_symlink_into_git_is_refused(repo: Path) -> None:
    os.symlink(repo / ".git", repo / "sneaky")
    with pytest.raises(PathRefused, match=r"\.git"):
        Workspace(repo).read_text("sneaky/config")


def test_dotdot_inside_the_root_is_fine(repo: Path) -> None:
    assert Workspace(repo).read_text("src/../README.md") == "# demo\n"


def test_workflow_writes_need_permission(repo: Path) -> None:
    ws = Workspace(repo)
    assert ws.read_text(".github/workflows/ci.yml") == "on: push\n"
    for path in (".github/workflows/ci.yml", ".github/workflows/new/evil.yml", ".GitHub/Workflows/x.yml"):
        with pytest.raises(PathRefused, match="allow-workflow-edits"):
            ws.write_text(path, "on: pull_request_target\n")
    with pytest.raises(PathRefused):
        ws.delete(".github/workflows/ci.yml")
    allowed = Workspace(repo, allow_workflow_edits=True)
    allowed.write_text(".github/workflows/ci.yml", "on: pull_request\n")
    assert allowed.changed_files == [".github/workflows/ci.yml"]


def test_symlink_into_workflows_is_refused_for_writes(repo: Path) -> None:
    os.symlink(repo / ".github" / "workflows", repo / "wf")
    with pytest.raises(PathRefused, match="workflows"):
        Workspace(repo).write_text("wf/ci.yml", "x")


def test_binary_files_are_described_not_dumped(repo: Path) -> None:
    (repo / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    with pytest.raises(ToolError, match=r"logo.png is a binary file \(2568 bytes, PNG image\)"):
        Workspace(repo).read_text("logo.png")


def test_utf8_text_is_not_mistaken_for_binary(repo: Path) -> None:
    (repo / "café.txt").write_text("é" * 5000)  # a 2-byte character straddles the 8 KB probe
    assert Workspace(repo).read_text("café.txt") == "é" * 5000


def test_changes_are_tracked(repo: Path) -> None:
    ws = Workspace(repo)
    assert ws.write_text("docs/new.md", "hello\n") is True
    assert ws.write_text("README.md", "# changed\n") is False
    ws.delete("src/app.py")
    assert ws.changed_files == ["README.md", "docs/new.md", "src/app.py"]
    assert not (repo / "src" / "app.py").exists()


def test_deleting_a_symlink_removes_the_link_only(repo: Path) -> None:
    os.symlink("README.md", repo / "alias.md")
    ws = Workspace(repo)
    ws.delete("alias.md")
    assert not (repo / "alias.md").is_symlink()
    assert (repo / "README.md").exists()
    assert ws.changed_files == ["alias.md"]


@pytest.mark.parametrize(("path", "message"), [("src", "is a directory"), ("missing.py", "does not exist")])
def test_reading_what_is_not_a_file(repo: Path, path: str, message: str) -> None:
    with pytest.raises(ToolError, match=message):
        Workspace(repo).read_text(path)


def test_files_come_from_git_with_untracked_and_without_ignored(repo: Path) -> None:
    (repo / "build").mkdir()
    (repo / "build" / "out.txt").write_text("x")
    (repo / "notes.txt").write_text("untracked")
    ws = Workspace(repo)
    assert ws.files() == [".github/workflows/ci.yml", ".gitignore", "README.md", "notes.txt", "src/app.py"]
    assert ws.files("src") == ["src/app.py"]
    assert ws.files("src/app.py") == ["src/app.py"]
    ws.delete("notes.txt")
    assert "notes.txt" not in ws.files()


def test_a_folder_is_listed_literally_not_as_a_glob(repo: Path) -> None:
    for folder in ("a[b]", "ab", "a*"):
        (repo / folder).mkdir()
        (repo / folder / "f.txt").write_text(folder)
    ws = Workspace(repo)
    assert ws.files("a[b]") == ["a[b]/f.txt"]
    assert ws.files("a*") == ["a*/f.txt"]


def test_files_without_git_walk_the_tree(tmp_path: Path) -> None:
    (tmp_path / "a" / ".git").mkdir(parents=True)
    (tmp_path / "a" / ".git" / "HEAD").write_text("x")
    (tmp_path / "a" / "b.txt").write_text("b")
    (tmp_path / "c.txt").write_text("c")
    assert Workspace(tmp_path).files() == ["a/b.txt", "c.txt"]


def test_a_symlink_loop_is_refused_not_a_crash(repo: Path) -> None:
    (repo / "a").symlink_to("b")
    (repo / "b").symlink_to("a")
    ws = Workspace(repo)
    for path in ("a", "a/x", "b/c/d"):
        with pytest.raises(PathRefused, match="cannot be resolved"):
            ws.resolve(path)
    with pytest.raises(PathRefused):
        ws.write_text("a/x", "hi")


def test_a_sparse_terabyte_file_and_a_fifo_are_refused_without_reading_them(tmp_path: Path) -> None:
    """What a command made (issue 28): one line each, never a read that exhausts memory or waits forever."""
    with (tmp_path / "huge.bin").open("wb") as handle:
        handle.truncate(1 << 40)
    os.mkfifo(tmp_path / "pipe")
    ws = Workspace(tmp_path)

    with pytest.raises(ToolError, match=r"huge\.bin: 1,099,511,627,776 bytes is more than a file tool reads"):
        ws.read_text("huge.bin")
    with pytest.raises(ToolError, match="pipe does not exist"):
        ws.read_text("pipe")


def test_read_regular_reads_a_regular_file_bounded(repo: Path) -> None:
    ws = Workspace(repo)
    assert ws.read_regular("src/app.py", 100) == b"print('hi')\n"
    assert ws.read_regular("src/../README.md", 3) == b"# d"  # no more than asked for: a caller tells "too big"
    os.symlink("src/app.py", repo / "alias.py")
    assert ws.read_regular("alias.py", 100) == b"print('hi')\n"  # a link inside the checkout is its target
    with (repo / "huge.bin").open("wb") as handle:
        handle.truncate(1 << 40)
    assert ws.read_regular("huge.bin", 11) == bytes(11)  # a sparse terabyte: 11 bytes read, not the whole


def test_read_regular_refuses_links_out_and_into_git_fifos_and_folders(repo: Path, tmp_path: Path) -> None:
    """prpilot's own reads of what the agent wrote (hints, a review's lines): None, never a hang or a leak."""
    (tmp_path / "secret.txt").write_text("top secret")
    os.symlink(tmp_path / "secret.txt", repo / "out.md")
    os.symlink(".git/config", repo / "AGENTS.md")
    os.symlink("../.GIT/HEAD", repo / "src" / "head.md")
    os.mkfifo(repo / "pipe")
    os.mkfifo(tmp_path / "outside-pipe")
    os.symlink(tmp_path / "outside-pipe", repo / "pipe-out")
    (repo / "loop").symlink_to("loop")
    ws = Workspace(repo)
    for path in ("out.md", "AGENTS.md", "src/head.md", ".git/config", "pipe", "pipe-out", "loop", "src", ".",
                 "missing.md", "/etc/passwd", "../secret.txt"):
        assert ws.read_regular(path, 1_000) is None, path


def test_read_regular_follows_no_link_swapped_in_after_the_path_was_resolved(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "secret.txt").write_text("top secret")
    os.symlink(tmp_path / "secret.txt", repo / "notes.md")
    # As if notes.md was a regular file when resolve looked, and a command swapped a link in just after.
    monkeypatch.setattr(Workspace, "resolve", lambda self, path: repo / path)
    assert Workspace(repo).read_regular("notes.md", 1_000) is None
