"""The fake's review endpoints refuse what GitHub refuses, with GitHub's own messages."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from prpilot.testing.github import FakeGitHub
from prpilot.testing.github.routes_reviews import NOT_IN_DIFF, diff_lines

REPO = "octo/proj"
PATCH = "@@ -1,3 +1,3 @@\n one\n-two\n+TWO\n three\n@@ -10,2 +10,3 @@\n ten\n+ten and a half\n eleven"


def call(fake: FakeGitHub, method: str, path: str, token: str | None = None, **body: Any) -> requests.Response:
    return requests.request(method, f"{fake.api_url}/repos/{REPO}{path}", json=body or None, timeout=10,
                            headers={"Authorization": f"token {token or fake.token}"})


@pytest.fixture
def pull(fake_github: FakeGitHub) -> int:
    fake_github.add_repo(REPO, files={"app.py": "".join(f"line {n}\n" for n in range(1, 21))})
    changed = "".join(f"line {n}\n" if n != 5 else "line five\n" for n in range(1, 21))
    fake_github.commit(REPO, "feature", {"app.py": changed}, "Spell five")
    return fake_github.add_pull(REPO, head="feature", title="Five")


def test_diff_lines_map_both_sides_and_count_positions_across_hunks() -> None:
    lines = diff_lines(PATCH)
    assert lines[("LEFT", 2)][:2] == (2, 1)  # the removed line
    assert lines[("RIGHT", 2)][:2] == (3, 1)  # its replacement
    assert lines[("RIGHT", 11)][:2] == (7, 2)  # positions go on through the second "@@" line
    assert ("RIGHT", 5) not in lines
    assert lines[("RIGHT", 3)] == lines[("LEFT", 3)]  # a context line is on both sides


def test_a_comment_outside_the_diff_refuses_the_whole_review(fake_github: FakeGitHub, pull: int) -> None:
    reply = call(fake_github, "POST", f"/pulls/{pull}/reviews", event="COMMENT", body="b", comments=[
        {"path": "app.py", "line": 5, "side": "RIGHT", "body": "ok"},
        {"path": "app.py", "line": 19, "side": "RIGHT", "body": "far away"}])

    assert reply.status_code == 422
    assert reply.json()["errors"] == [NOT_IN_DIFF]
    assert fake_github.state.reviews == {}
    assert fake_github.state.review_comments == {}


def test_a_multi_line_comment_must_start_in_the_same_hunk(fake_github: FakeGitHub, pull: int) -> None:
    ok = call(fake_github, "POST", f"/pulls/{pull}/reviews", event="COMMENT", body="b", comments=[
        {"path": "app.py", "start_line": 3, "line": 5, "side": "RIGHT", "body": "these"}])
    bad = call(fake_github, "POST", f"/pulls/{pull}/reviews", event="COMMENT", body="b", comments=[
        {"path": "app.py", "start_line": 5, "line": 5, "side": "RIGHT", "body": "one line as a range"}])

    assert ok.status_code == 200, ok.text
    assert bad.status_code == 422


def test_one_pending_review_per_user_and_only_a_pending_one_is_submitted_or_deleted(
    fake_github: FakeGitHub, pull: int
) -> None:
    first = call(fake_github, "POST", f"/pulls/{pull}/reviews").json()
    second = call(fake_github, "POST", f"/pulls/{pull}/reviews")
    done = call(fake_github, "POST", f"/pulls/{pull}/reviews/{first['id']}/events", event="COMMENT", body="x")
    again = call(fake_github, "POST", f"/pulls/{pull}/reviews/{first['id']}/events", event="COMMENT")
    delete = call(fake_github, "DELETE", f"/pulls/{pull}/reviews/{first['id']}")

    assert second.status_code == 422
    assert done.json()["state"] == "COMMENTED"
    assert (again.status_code, delete.status_code) == (422, 422)


def test_pending_comments_stay_hidden_until_submitted(fake_github: FakeGitHub, pull: int) -> None:
    pending = call(fake_github, "POST", f"/pulls/{pull}/reviews", comments=[
        {"path": "app.py", "line": 5, "body": "hidden for now"}]).json()
    before = call(fake_github, "GET", f"/pulls/{pull}/comments").json()
    call(fake_github, "POST", f"/pulls/{pull}/reviews/{pending['id']}/events", event="COMMENT", body="s")
    after = call(fake_github, "GET", f"/pulls/{pull}/comments").json()

    assert before == []
    assert [(c["body"], c["pull_request_review_id"]) for c in after] == [("hidden for now", pending["id"])]


def test_no_approval_by_the_workflow_token_where_the_repository_forbids_it(
    fake_github: FakeGitHub, pull: int
) -> None:
    fake_github.state.repo(REPO).actions_create_pulls = False  # type: ignore[union-attr]
    reply = call(fake_github, "POST", f"/pulls/{pull}/reviews", event="APPROVE")
    assert reply.status_code == 422
    assert "not permitted" in reply.json()["message"]


def test_a_read_only_token_cannot_review(fake_github: FakeGitHub, pull: int) -> None:
    reply = call(fake_github, "POST", f"/pulls/{pull}/reviews", fake_github.read_token, event="COMMENT", body="b")
    assert reply.status_code == 403
    assert fake_github.state.reviews == {}
