from __future__ import annotations

import pytest

from prpilot.errors import DraftsNotSupported, GitHubError, PullRequestsNotAllowed
from prpilot.github.write_policy import gave_up, may_repeat_after_lost_answer, refused


@pytest.mark.parametrize(("method", "repeat"), [
    ("GET", True), ("get", True), ("PUT", True), ("DELETE", True), ("POST", False), ("PATCH", False), (None, False),
])
def test_only_requests_whose_repetition_changes_nothing_are_sent_again_after_a_lost_answer(
    method: str | None, repeat: bool
) -> None:
    assert may_repeat_after_lost_answer(method) is repeat


@pytest.mark.parametrize(("status", "message", "said", "kind", "words"), [
    (403, "Resource not accessible by integration", "", GitHubError, "token may not comment"),
    (403, "GitHub Actions is not permitted to create or approve pull requests.", "", PullRequestsNotAllowed,
     "Allow GitHub Actions to create and approve pull requests"),
    (422, "Draft pull requests are not supported in this repository.", "", DraftsNotSupported, "no draft"),
    (422, "Validation Failed", "body is too long", GitHubError, "422 Validation Failed (body is too long)"),
    (500, None, "", GitHubError, "500 error"),
])
def test_both_clients_say_a_refusal_in_the_same_words(
    status: int, message: str | None, said: str, kind: type[GitHubError], words: str
) -> None:
    error = refused("comment", status, message, said)
    assert type(error) is kind
    assert words in error.message
    assert error.status == status


def test_giving_up_after_retries_is_a_server_failure() -> None:
    error = gave_up("read the thread")
    assert error.status == 500
    assert "gave up after retries" in error.message
