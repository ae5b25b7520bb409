"""clone_with_mirror against real local bare repositories (and one local HTTP server for the header)."""

from __future__ import annotations

import base64
import logging
import subprocess
import threading
from pathlib import Path

import pytest

from prpilot.errors import GitError
from prpilot.github.mirror import clone_with_mirror, mirror_path
from prpilot.testing._http import HTTPRequest, HTTPResponse, LocalServer

TOKEN = "ghs_mirrortesttoken123"
BASIC = base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode()


def git(*args: str | Path, cwd: Path | None = None) -> str:
    env_args = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"]
    done = subprocess.run(["git", *env_args, *map(str, args)], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit(work: Path, name: str) -> str:
    (work / name).write_text(name)
    git("add", name, cwd=work)
    git("commit", "-qm", name, cwd=work)
    return git("rev-parse", "HEAD", cwd=work)


@pytest.fixture
def upstream(tmp_path: Path) -> tuple[Path, Path]:
    """A bare ``octo/repo.git`` with main, feature, tag v1 and refs/pull/1/head; and a work tree to push from."""
    bare = tmp_path / "remotes" / "octo" / "repo.git"
    git("init", "-q", "--bare", bare)
    work = tmp_path / "upstream-work"
    git("init", "-q", work)
    commit(work, "README")
    git("tag", "v1", cwd=work)
    git("checkout", "-qb", "feature", cwd=work)
    commit(work, "feature.txt")
    git("checkout", "-q", "main", cwd=work)
    git("remote", "add", "origin", bare, cwd=work)
    git("push", "-q", "origin", "main", "feature", "v1", cwd=work)
    git("checkout", "-qb", "pr", cwd=work)
    commit(work, "pr.txt")
    git("push", "-q", "origin", "pr:refs/pull/1/head", cwd=work)
    git("checkout", "-q", "main", cwd=work)
    return bare, work


def files(repo: Path) -> set[str]:
    return {p.name for p in repo.iterdir() if p.name != ".git"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/octo/repo.git", "github.com/octo/repo.git"),
        ("https://github.com/octo/repo", "github.com/octo/repo.git"),
        ("http://127.0.0.1:8080/git/octo/repo.git", "127.0.0.1_8080/octo/repo.git"),
        ("git@github.com:octo/repo.git", "github.com/octo/repo.git"),
        ("/srv/git/octo/repo.git", "local/octo/repo.git"),
        ("file:///srv/octo/repo.git", "local/octo/repo.git"),
        ("https://evil.example/../..", "evil.example/_/_.git"),
        ("https://h.example/a b/r$x", "h.example/a_b/r_x.git"),
    ],
)
def test_mirror_path(url: str, expected: str) -> None:
    assert mirror_path(Path("/cache"), url) == Path("/cache", expected)


def test_clones_the_default_branch_and_points_origin_upstream(upstream: tuple[Path, Path], tmp_path: Path) -> None:
    bare, _ = upstream
    dest = clone_with_mirror(str(bare), TOKEN, tmp_path / "dest", tmp_path / "cache")
    assert files(dest) == {"README"}
    assert git("branch", "--show-current", cwd=dest) == "main"
    assert git("remote", "get-url", "origin", cwd=dest) == str(bare)
    assert git("rev-parse", "--is-bare-repository", cwd=tmp_path / "cache/local/octo/repo.git") == "true"
    # The copy does not borrow objects from the mirror: deleting the mirror leaves it intact.
    assert not (dest / ".git/objects/info/alternates").exists()


@pytest.mark.parametrize(
    ("ref", "expected_files", "expected_branch"),
    [
        ("feature", {"README", "feature.txt"}, "feature"),
        ("v1", {"README"}, ""),
        ("refs/pull/1/head", {"README", "pr.txt"}, ""),
    ],
)
def test_checks_out_the_ref(
    upstream: tuple[Path, Path], tmp_path: Path, ref: str, expected_files: set[str], expected_branch: str
) -> None:
    bare, _ = upstream
    dest = clone_with_mirror(str(bare), TOKEN, tmp_path / "dest", tmp_path / "cache", ref=ref)
    assert files(dest) == expected_files
    assert git("branch", "--show-current", cwd=dest) == expected_branch


def test_checks_out_a_commit(upstream: tuple[Path, Path], tmp_path: Path) -> None:
    bare, _ = upstream
    sha = git("rev-parse", "refs/pull/1/head", cwd=bare)
    dest = clone_with_mirror(str(bare), TOKEN, tmp_path / "dest", tmp_path / "cache", ref=sha)
    assert git("rev-parse", "HEAD", cwd=dest) == sha


@pytest.mark.parametrize("ref", ["no-such-branch", "--upload-pack=touch x", ""])
def test_refuses_unknown_or_odd_refs(upstream: tuple[Path, Path], tmp_path: Path, ref: str) -> None:
    with pytest.raises(GitError):
        clone_with_mirror(str(upstream[0]), TOKEN, tmp_path / "dest", tmp_path / "cache", ref=ref)
    assert not (tmp_path / "dest").exists()


def test_a_second_clone_sees_new_upstream_commits(upstream: tuple[Path, Path], tmp_path: Path) -> None:
    bare, work = upstream
    clone_with_mirror(str(bare), TOKEN, tmp_path / "one", tmp_path / "cache")
    new = commit(work, "NEWS")
    git("push", "-q", "origin", "main", cwd=work)
    git("push", "-q", "origin", ":feature", cwd=work)
    dest = clone_with_mirror(str(bare), TOKEN, tmp_path / "two", tmp_path / "cache")
    assert git("rev-parse", "HEAD", cwd=dest) == new
    assert git("branch", "-r", cwd=dest).split() == ["origin/HEAD", "->", "origin/main", "origin/main"]


def test_parallel_clones_share_one_mirror(upstream: tuple[Path, Path], tmp_path: Path) -> None:
    bare, _ = upstream
    errors: list[BaseException] = []

    def clone(n: int) -> None:
        try:
            clone_with_mirror(str(bare), TOKEN, tmp_path / f"dest{n}", tmp_path / "cache", ref="feature")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=clone, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(files(tmp_path / f"dest{n}") == {"README", "feature.txt"} for n in range(6))
    assert sorted(p.name for p in (tmp_path / "cache/local/octo").iterdir()) == ["repo.git", "repo.git.lock"]


def test_the_token_is_written_nowhere(
    upstream: tuple[Path, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        clone_with_mirror(str(upstream[0]), TOKEN, tmp_path / "dest", tmp_path / "cache")
    for path in [*(tmp_path / "dest").rglob("*"), *(tmp_path / "cache").rglob("*")]:
        if path.is_file():
            content = path.read_bytes()
            assert TOKEN.encode() not in content, path
            assert BASIC.encode() not in content, path
    assert TOKEN not in caplog.text
    assert BASIC not in caplog.text


def test_the_token_goes_in_the_authorization_header_only(tmp_path: Path) -> None:
    seen: list[HTTPRequest] = []

    def handle(request: HTTPRequest) -> HTTPResponse:
        seen.append(request)
        return HTTPResponse(404, b"no such repository")

    server = LocalServer(handle)
    server.start()
    try:
        with pytest.raises(GitError) as caught:
            clone_with_mirror(f"{server.url}/octo/repo.git", TOKEN, tmp_path / "dest", tmp_path / "cache")
    finally:
        server.stop()
    assert seen
    assert seen[0].path.startswith("/octo/repo.git/info/refs")
    assert seen[0].header("authorization") == f"basic {BASIC}"
    assert TOKEN not in caught.value.message
    assert BASIC not in caught.value.message
    assert not (tmp_path / f"cache/127.0.0.1_{server.port}/octo/repo.git").exists()


def test_refuses_credentials_in_the_url(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="carries credentials") as caught:
        clone_with_mirror(f"https://x:{TOKEN}@github.com/o/r.git", "", tmp_path / "d", tmp_path / "c")
    assert TOKEN not in caught.value.message
