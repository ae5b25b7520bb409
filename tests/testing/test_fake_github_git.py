"""Git smart HTTP against the fake: real clone/push with tokens, and compare-and-swap ref updates."""

from __future__ import annotations

import gzip
import os
import subprocess
import threading
from pathlib import Path

import pytest
import requests

from prpilot.testing.github import FakeGitHub

REPO = "octo/proj"
NO_PROMPT = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "/bin/false"}


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "user.name=Dev", "-c", "user.email=dev@localhost", *args], cwd=cwd,
                          capture_output=True, text=True, env=NO_PROMPT, check=check)


def commit_file(work: Path, name: str, text: str) -> None:
    (work / name).write_text(text)
    git(work, "add", name)
    git(work, "commit", "-qm", f"write {name}")


def test_clone_and_push_with_a_token_show_up_in_the_api(fake_github: FakeGitHub, tmp_path: Path) -> None:
    fake_github.add_repo(REPO, files={"README.md": "hi\n"})
    git(tmp_path, "clone", "-q", fake_github.clone_url(REPO, fake_github.token), "work")
    work = tmp_path / "work"
    git(work, "checkout", "-qb", "prpilot/task-1")
    commit_file(work, "new.txt", "new\n")
    git(work, "push", "-q", "origin", "prpilot/task-1")
    head = git(work, "rev-parse", "HEAD").stdout.strip()
    branch = requests.get(f"{fake_github.api_url}/repos/{REPO}/branches/prpilot/task-1",
                          headers={"Authorization": f"token {fake_github.token}"}, timeout=10)
    assert branch.json()["commit"]["sha"] == head
    assert fake_github.ref(REPO, "prpilot/task-1") == head


def test_clone_url_without_dot_git_works(fake_github: FakeGitHub, tmp_path: Path) -> None:
    fake_github.add_repo(REPO, files={"a.txt": "a\n"})
    url = fake_github.clone_url(REPO, fake_github.token).removesuffix(".git")
    git(tmp_path, "clone", "-q", url, "work")
    assert (tmp_path / "work" / "a.txt").read_text() == "a\n"


def test_git_without_credentials_gets_a_basic_challenge(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    reply = requests.get(f"{fake_github.server_url}/{REPO}.git/info/refs?service=git-upload-pack", timeout=10)
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"] == 'Basic realm="GitHub"'


def test_basic_scheme_is_case_insensitive(fake_github: FakeGitHub) -> None:
    import base64

    fake_github.add_repo(REPO)
    creds = base64.b64encode(f"x-access-token:{fake_github.token}".encode()).decode()
    reply = requests.get(f"{fake_github.server_url}/{REPO}.git/info/refs?service=git-upload-pack",
                         headers={"Authorization": f"bASIC {creds}"}, timeout=10)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/x-git-upload-pack-advertisement"


@pytest.mark.parametrize("token", [None, "ghs_not-a-token"])
def test_clone_fails_without_a_valid_token(fake_github: FakeGitHub, tmp_path: Path, token: str | None) -> None:
    fake_github.add_repo(REPO)
    url = fake_github.clone_url(REPO, token)
    assert git(tmp_path, "clone", "-q", url, "work", check=False).returncode != 0


def test_read_only_token_fetches_but_cannot_push(fake_github: FakeGitHub, tmp_path: Path) -> None:
    fake_github.add_repo(REPO)
    git(tmp_path, "clone", "-q", fake_github.clone_url(REPO, fake_github.read_token), "work")
    work = tmp_path / "work"
    commit_file(work, "x.txt", "x\n")
    pushed = git(work, "push", "origin", "HEAD:refs/heads/nope", check=False)
    assert pushed.returncode != 0
    assert "403" in pushed.stderr
    assert fake_github.ref(REPO, "nope") is None


def test_push_with_a_bad_token_fails(fake_github: FakeGitHub, tmp_path: Path) -> None:
    fake_github.add_repo(REPO)
    git(tmp_path, "clone", "-q", fake_github.clone_url(REPO, fake_github.token), "work")
    work = tmp_path / "work"
    commit_file(work, "x.txt", "x\n")
    bad = fake_github.clone_url(REPO, "ghs_wrong")
    assert git(work, "push", bad, "HEAD:refs/heads/nope", check=False).returncode != 0
    assert fake_github.ref(REPO, "nope") is None


def test_chunked_push_is_received(fake_github: FakeGitHub, tmp_path: Path) -> None:
    fake_github.add_repo(REPO)
    git(tmp_path, "clone", "-q", fake_github.clone_url(REPO, fake_github.token), "work")
    work = tmp_path / "work"
    (work / "blob.bin").write_bytes(os.urandom(200_000))
    git(work, "add", "blob.bin")
    git(work, "commit", "-qm", "big")
    git(work, "-c", "http.postBuffer=4096", "push", "-q", "origin", "HEAD:refs/heads/big")  # chunked body
    assert fake_github.ref(REPO, "big") == git(work, "rev-parse", "HEAD").stdout.strip()
    assert any(r.headers.get("transfer-encoding") == "chunked" for r in fake_github.requests)


def pkt(line: str) -> bytes:
    return f"{len(line) + 4:04x}{line}".encode()


def test_gzipped_upload_pack_request_is_inflated(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    want = fake_github.ref(REPO, "main")
    body = pkt(f"want {want}\n") + b"0000" + pkt("done\n")
    creds = ("x-access-token", fake_github.token)
    reply = requests.post(f"{fake_github.server_url}/{REPO}.git/git-upload-pack", data=gzip.compress(body),
                          auth=creds, timeout=10,
                          headers={"Content-Type": "application/x-git-upload-pack-request",
                                   "Content-Encoding": "gzip"})
    assert reply.status_code == 200
    assert reply.content.startswith(b"0008NAK\n")
    assert b"PACK" in reply.content


def test_racing_non_fast_forward_updates_let_exactly_one_win(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    parent = fake_github.ref(REPO, "main")
    assert parent is not None
    headers = {"Authorization": f"Bearer {fake_github.token}"}
    api = f"{fake_github.api_url}/repos/{REPO}/git"
    tree = requests.get(f"{api}/commits/{parent}", headers=headers, timeout=10).json()["tree"]["sha"]
    shas = [
        requests.post(f"{api}/commits", headers=headers, timeout=10,
                      json={"message": f"ledger {i}", "tree": tree, "parents": [parent]}).json()["sha"]
        for i in range(20)
    ]
    barrier = threading.Barrier(len(shas))
    results: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def race(sha: str) -> None:
        barrier.wait()
        reply = requests.patch(f"{api}/refs/heads/main", headers=headers, timeout=30,
                               json={"sha": sha, "force": False})
        with lock:
            results.append((sha, reply.status_code, reply.json()["message"] if reply.status_code != 200 else ""))

    threads = [threading.Thread(target=race, args=(sha,)) for sha in shas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [sha for sha, status, _ in results if status == 200]
    assert len(winners) == 1
    assert sorted({(status, msg) for _, status, msg in results if status != 200}) == [
        (422, "Update is not a fast forward")]
    assert fake_github.ref(REPO, "main") == winners[0]
