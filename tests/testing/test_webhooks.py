"""Real octokit payloads, retargeted to a test repository."""

from __future__ import annotations

import json

import pytest

from prpilot.testing.webhooks import load_webhook, retarget


@pytest.mark.parametrize(
    "name", ["issue_comment__created", "issues__opened.payload.json", "pull_request_review_comment__created"]
)
def test_load_webhook(name: str) -> None:
    assert "repository" in load_webhook(name)


def test_missing_fixture() -> None:
    with pytest.raises(FileNotFoundError):
        load_webhook("nope__never")


def test_retarget_issue_comment_keeps_shape() -> None:
    original = load_webhook("issue_comment__created")
    payload = retarget(
        original,
        repository="acme/widgets",
        user="alice",
        body="/pilot fix it",
        number=12,
        author_association="MEMBER",
        server_url="http://127.0.0.1:1",
        api_url="http://127.0.0.1:1/api/v3",
    )
    assert payload.keys() == original.keys()
    assert payload["comment"].keys() == original["comment"].keys()
    assert payload["repository"]["full_name"] == "acme/widgets"
    assert payload["repository"]["owner"]["login"] == "acme"
    assert payload["sender"]["login"] == payload["comment"]["user"]["login"] == "alice"
    assert payload["sender"]["id"] != original["sender"]["id"]
    assert payload["comment"]["body"] == "/pilot fix it"
    assert payload["comment"]["author_association"] == "MEMBER"
    assert payload["issue"]["number"] == 12
    assert payload["issue"]["url"] == "http://127.0.0.1:1/api/v3/repos/acme/widgets/issues/12"
    assert payload["comment"]["issue_url"] == payload["issue"]["url"]
    text = json.dumps(payload)
    assert "Hello-World" not in text
    assert "api.github.com" not in text
    assert original["repository"]["full_name"] == "Codertocat/Hello-World"  # not mutated


def test_retarget_issue_and_pull_request_bodies() -> None:
    issue = retarget(load_webhook("issues__opened"), user="bob", body="/pilot do it")
    assert (issue["issue"]["body"], issue["issue"]["user"]["login"]) == ("/pilot do it", "bob")
    pull = retarget(load_webhook("pull_request__opened"), number=5, body="text")
    assert (pull["number"], pull["pull_request"]["number"], pull["pull_request"]["body"]) == (5, 5, "text")
    assert pull["pull_request"]["url"].endswith("/pulls/5")
