"""Test hooks of the fake: recording, fault injection, latency, pagination, start-up time."""

from __future__ import annotations

import time

import requests

from github import Auth, Github
from prpilot.testing.github import RATE_LIMIT_MESSAGE, FakeGitHub

REPO = "octo/proj"


def get(fake: FakeGitHub, path: str, **params: str) -> requests.Response:
    return requests.get(fake.api_url + path, headers={"Authorization": f"token {fake.token}"},
                        params=params, timeout=10)


def test_requests_are_recorded_with_marks_and_writes(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    number = fake_github.add_issue(REPO, "Bug")
    get(fake_github, f"/repos/{REPO}")
    mark = fake_github.mark()
    requests.post(f"{fake_github.api_url}/repos/{REPO}/issues/{number}/comments", json={"body": "hi"},
                  headers={"Authorization": f"token {fake_github.token}"}, timeout=10)
    (write,) = fake_github.since(mark)
    assert write == fake_github.writes()[0]
    assert (write.method, write.path, write.body, write.status) == (
        "POST", f"/repos/{REPO}/issues/{number}/comments", {"body": "hi"}, 201)
    assert write.response["body"] == "hi"
    assert write.identity == "github-actions[bot]"


def test_fault_injection_fails_the_next_matching_requests_only(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    fake_github.fail("GET", rf"^/repos/{REPO}$", 502, times=2)
    assert [get(fake_github, f"/repos/{REPO}").status_code for _ in range(3)] == [502, 502, 200]
    assert [r.status for r in fake_github.requests] == [502, 502, 200]


def test_secondary_rate_limit_carries_retry_after(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    fake_github.rate_limit("*", r"/pulls", retry_after=1)
    limited = get(fake_github, f"/repos/{REPO}/pulls")
    assert (limited.status_code, limited.headers["Retry-After"]) == (403, "1")
    assert limited.json()["message"] == RATE_LIMIT_MESSAGE
    assert get(fake_github, f"/repos/{REPO}/pulls").status_code == 200


def test_latency_is_added_to_rest_requests(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    fake_github.latency = 0.2
    started = time.monotonic()
    get(fake_github, f"/repos/{REPO}")
    assert time.monotonic() - started >= 0.2


def test_pagination_follows_link_headers_through_pygithub(fake_github: FakeGitHub) -> None:
    fake_github.add_repo(REPO)
    number = fake_github.add_issue(REPO, "Busy")
    ids = [fake_github.add_comment(REPO, number, f"c{i}") for i in range(75)]
    page2 = get(fake_github, f"/repos/{REPO}/issues/{number}/comments", per_page="30", page="2")
    links = page2.headers["Link"]
    assert all(f'rel="{rel}"' in links for rel in ("next", "last", "first", "prev"))
    assert links.startswith(f"<{fake_github.api_url}/repos/{REPO}/issues/{number}/comments?")
    gh = Github(auth=Auth.Token(fake_github.token), base_url=fake_github.api_url, per_page=30,
                seconds_between_requests=0, seconds_between_writes=0)
    mark = fake_github.mark()
    seen = [c.id for c in gh.get_repo(REPO).get_issue(number).get_comments()]
    assert seen == ids
    pages = [r.query.get("page", "1") for r in fake_github.since(mark) if r.path.endswith("/comments")]
    assert pages == ["1", "2", "3"]
