"""Pure naming rules: branch slugs, unique names, and the no-reply address that credits a requester."""

from __future__ import annotations

import pytest

from prpilot.engine.naming import create_unique_branch_name, noreply_email, slugify


@pytest.mark.parametrize(
    ("login", "server_url", "user_id", "expected"),
    [
        ("octocat", "https://github.com", 583231, "583231+octocat@users.noreply.github.com"),
        ("octocat", "https://github.com", None, "octocat@users.noreply.github.com"),  # no ID in the event
        ("alice", "https://ghe.example.com/", 7, "7+alice@users.noreply.ghe.example.com"),  # Enterprise Server
        ("prpilot[bot]", "http://127.0.0.1:8080", None, "prpilot[bot]@users.noreply.127.0.0.1"),
    ],
)
def test_noreply_email_follows_the_server(login: str, server_url: str, user_id: int | None, expected: str) -> None:
    assert noreply_email(login, server_url, user_id) == expected


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Fix the typo in README.md", "fix-the-typo-in-readme-md"), ("Ünïcödé  ✨", "unicode"), ("!!!", "task")],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_unique_branch_name_counts_up_past_taken_names() -> None:
    taken = {"pilot/fix-it", "pilot/fix-it-2"}
    assert create_unique_branch_name("Fix it", taken) == "pilot/fix-it-3"
    assert create_unique_branch_name("Fix it", set()) == "pilot/fix-it"
