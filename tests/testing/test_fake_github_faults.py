"""The fake GitHub fails the Nth request of a run, as the fault sweep asks: once, for good, or by timing out."""

from __future__ import annotations

import subprocess

import pytest
import requests

from prpilot.testing.github import FakeGitHub


@pytest.fixture
def fake(fake_github: FakeGitHub) -> FakeGitHub:
    fake_github.add_repo("o/r")
    fake_github.add_issue("o/r", "An issue")
    return fake_github


def _get(fake: FakeGitHub, path: str) -> int:
    headers = {"Authorization": f"token {fake.token}"}
    return requests.get(f"{fake.api_url}/repos/o/r{path}", headers=headers, timeout=5).status_code


def _comment(fake: FakeGitHub, timeout: float = 5) -> int:
    headers = {"Authorization": f"token {fake.token}"}
    url = f"{fake.api_url}/repos/o/r/issues/1/comments"
    return requests.post(url, json={"body": "hi"}, headers=headers, timeout=timeout).status_code


def test_a_500_fails_the_nth_request_once(fake: FakeGitHub) -> None:
    fault = fake.fail_at(1, "500")

    assert [_get(fake, "/issues/1"), _get(fake, "/issues/1"), _get(fake, "/issues/1")] == [200, 500, 200]
    assert fault.hit is not None
    assert (fault.hit.method, fault.hit.path) == ("GET", "/repos/o/r/issues/1")


def test_a_404_keeps_failing_that_request_and_no_other(fake: FakeGitHub) -> None:
    fake.fail_at(0, "404")

    assert [_get(fake, "/issues/1"), _get(fake, "/issues/1"), _get(fake, "")] == [404, 404, 200]


@pytest.mark.parametrize(("kind", "comments"), [("timeout-applied", 1), ("timeout-not-applied", 0)])
def test_a_timeout_answers_nothing_and_applies_the_request_or_not(fake: FakeGitHub, kind: str, comments: int) -> None:
    fake.fail_at(0, kind, delay=0.5)

    with pytest.raises(requests.exceptions.ReadTimeout):
        _comment(fake, timeout=0.2)

    assert len(fake.comments("o/r", 1)) == comments
    assert _comment(fake) == 201  # the next request is answered


def test_a_late_write_times_out_and_lands_after_the_next_request(fake: FakeGitHub) -> None:
    fake.fail_at(0, "late", delay=0.6)
    headers = {"Authorization": f"token {fake.token}"}
    url = f"{fake.api_url}/repos/o/r/issues/1/comments"

    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(url, json={"body": "slow"}, headers=headers, timeout=0.2)
    assert fake.comments("o/r", 1) == []  # held: not carried out yet
    assert requests.post(url, json={"body": "next"}, headers=headers, timeout=5).status_code == 201

    assert fake.settle(timeout=5)
    assert [c.body for c in fake.comments("o/r", 1)] == ["next", "slow"]  # the slow one landed last


def test_git_requests_count_too(fake: FakeGitHub) -> None:
    fake.fail_at(0, "403")
    done = subprocess.run(["git", "ls-remote", fake.clone_url("o/r", fake.token)], capture_output=True, text=True,
                          check=False)
    assert done.returncode != 0
    assert [(a.kind, a.path) for a in fake.arrivals][-1:] == [("git", "/o/r.git/info/refs?service=git-upload-pack")]
