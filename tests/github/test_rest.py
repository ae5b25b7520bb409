"""The GitHub adapter turns every HTTP failure into one plain GitHubError, after bounded retries."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest
import responses

from prpilot.errors import DraftsNotSupported, GitHubError, PullRequestsNotAllowed
from prpilot.github.rest import GitHubRepository, connect
from prpilot.testing.github import FakeGitHub


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers: GitHub timing out."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/api/v3"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()

# A client timeout every plain request meets even on a busy 2-core machine (0.2 s did not, under a
# parallel test run), and a fault that holds its answer past it.
SHORT, PAST_SHORT = 1.0, 1.5


def test_timeouts_end_in_a_plain_error(silent_server: str) -> None:
    repo = GitHubRepository(connect("t", silent_server, retries=1, backoff=0, timeout=1), "o/r")

    with pytest.raises(GitHubError, match="GitHub"):
        repo.create_comment(1, "hello")


def test_persistent_502_ends_in_a_plain_error(fake_github: FakeGitHub) -> None:
    fake_github.add_repo("o/r")
    fake_github.fail("POST", r"/issues/1/comments$", 502, times=10)
    repo = GitHubRepository(connect(fake_github.token, fake_github.api_url, retries=2, backoff=0), "o/r")

    with pytest.raises(GitHubError, match="kept failing while trying to comment on the thread"):
        repo.create_comment(1, "hello")


def test_unknown_user_has_no_permission(fake_github: FakeGitHub) -> None:
    fake_github.add_repo("o/r")
    repo = GitHubRepository(connect(fake_github.token, fake_github.api_url), "o/r")

    assert repo.permission("nobody-at-all") is None
    assert repo.permission("o") == "admin"


API = "http://gh.test:80/api/v3"  # with the port, as PyGithub writes the URL it requests
NOT_PERMITTED = {
    "message": "GitHub Actions is not permitted to create or approve pull requests.",
    "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
}


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (403, NOT_PERMITTED, PullRequestsNotAllowed),
        (403, {**NOT_PERMITTED, "message": "GitHub Actions is NOT permitted to create or approve pull requests"},
         PullRequestsNotAllowed),
        (403, {"message": "Resource not accessible by integration"}, GitHubError),
        (422, NOT_PERMITTED, GitHubError),  # the words alone are not enough: only GitHub's 403 means the setting
    ],
)
@responses.activate
def test_a_repository_that_keeps_actions_from_opening_pulls_is_told_apart(
    status: int, body: dict[str, str], error: type[GitHubError]
) -> None:
    responses.post(f"{API}/repos/o/r/pulls", status=status, json=body)
    repo = GitHubRepository(connect("t", API, retries=0), "o/r")

    with pytest.raises(GitHubError) as raised:
        repo.create_pull(title="t", body="b", head="pilot/x", base="main", draft=False)

    assert type(raised.value) is error
    assert len(responses.calls) == 1
    if error is PullRequestsNotAllowed:
        assert "Allow GitHub Actions to create and approve pull requests" in raised.value.message


NO_DRAFTS = {
    "message": "Draft pull requests are not supported in this repository.",
    "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
}
CREATED = {"number": 5, "html_url": "http://gh.test/o/r/pull/5", "state": "open",
           "head": {"ref": "pilot/x", "sha": "abc", "repo": {"full_name": "o/r"}}, "base": {"ref": "main"}}


@responses.activate
def test_a_draft_where_the_repository_has_none_is_opened_ready() -> None:
    responses.post(f"{API}/repos/o/r/pulls", status=422, json=NO_DRAFTS)
    responses.post(f"{API}/repos/o/r/pulls", status=201, json=CREATED)
    repo = GitHubRepository(connect("t", API, retries=0), "o/r")

    pull = repo.create_pull(title="t", body="b", head="pilot/x", base="main", draft=True)

    assert pull.number == 5
    assert [json.loads(call.request.body or "{}")["draft"] for call in responses.calls] == [True, False]


@responses.activate
def test_a_ready_pull_refused_for_drafts_is_not_retried() -> None:
    responses.post(f"{API}/repos/o/r/pulls", status=422, json=NO_DRAFTS)
    repo = GitHubRepository(connect("t", API, retries=0), "o/r")

    with pytest.raises(DraftsNotSupported):
        repo.create_pull(title="t", body="b", head="pilot/x", base="main", draft=False)
    assert len(responses.calls) == 1


def test_task_state_is_read_only_from_prpilots_own_comments(fake_github: FakeGitHub) -> None:
    fake_github.add_repo("o/r")
    number = fake_github.add_issue("o/r", "An issue", "body", user="alice")
    repo = GitHubRepository(connect(fake_github.token, fake_github.api_url), "o/r")
    ours = repo.create_comment(number, "status <!-- prpilot:status -->")
    theirs = fake_github.add_comment("o/r", number, "copy <!-- prpilot:status -->", user="rita")

    assert repo.comments_with(number, "<!-- prpilot:status -->") == [(ours, "status <!-- prpilot:status -->")]
    assert repo.comment_body(ours) == "status <!-- prpilot:status -->"
    assert repo.comment_body(theirs) == ""
    # A personal access token is prpilot too: the viewer is whoever the token belongs to.
    pat = GitHubRepository(connect(fake_github.issue_token("carol"), fake_github.api_url), "o/r")
    assert pat.identity() == "carol"
    assert pat.comments_with(number, "<!-- prpilot:status -->") == []


def test_the_engines_thread_read_also_gives_what_came_before_without_asking_twice(fake_github: FakeGitHub) -> None:
    """One read of the thread: prpilot's own status comments come with it, the account is known from the
    task's own comment (no GraphQL), and the admitted requester is not asked about again."""
    fake_github.add_repo("o/r")
    fake_github.add_user("alice")
    fake_github.set_permission("o/r", "alice", "write")
    number = fake_github.add_issue("o/r", "An issue", "body", user="alice")
    fake_github.add_comment("o/r", number, "/pilot fix it", user="alice")
    repo = GitHubRepository(connect(fake_github.token, fake_github.api_url), "o/r")
    ours = repo.create_comment(number, "On it <!-- prpilot:status -->")
    fake_github.add_comment("o/r", number, "forged <!-- prpilot:status -->", user="alice")
    fresh = GitHubRepository(connect(fake_github.token, fake_github.api_url), "o/r")
    mark = fake_github.mark()

    thread = fresh.thread(number, is_pull=False, marker="<!-- prpilot:status -->", own_comment=ours,
                          known_writers=("alice",))

    assert thread.own_status == ["On it <!-- prpilot:status -->"]  # the copy a user posted is not ours
    assert [c.author_can_write for c in thread.comments if c.author == "alice"] == [True, True]
    asked = [r.path for r in fake_github.since(mark)]
    assert asked == [f"/repos/o/r/issues/{number}", f"/repos/o/r/issues/{number}/comments"]


def test_trust_comes_from_the_permission_api_once_per_author(fake_github: FakeGitHub) -> None:
    fake_github.add_repo("o/r")
    for login, role in (("writer", "write"), ("tom", "triage"), ("rita", "read"), ("maya", "maintain")):
        fake_github.add_user(login)
        fake_github.set_permission("o/r", login, role)
    number = fake_github.add_issue("o/r", "An issue", "body", user="writer")
    for login in ("writer", "tom", "tom", "rita", "maya", "stranger", "o"):
        fake_github.add_comment("o/r", number, f"from {login}", user=login)
    repo = GitHubRepository(connect(fake_github.token, fake_github.api_url), "o/r")
    mark = fake_github.mark()

    thread = repo.thread(number, is_pull=False, marker="<!-- prpilot:status -->")

    trusted = {c.author: c.author_can_write for c in thread.comments}
    assert trusted == {"writer": True, "tom": False, "rita": False, "maya": True, "stranger": False, "o": True}
    asked = [r.path.rpartition("/collaborators/")[2] for r in fake_github.since(mark) if "/collaborators/" in r.path]
    assert sorted(asked) == ["maya/permission", "tom/permission", "writer/permission"]  # once each, only when needed


@pytest.mark.parametrize(
    ("user", "login", "same"),
    [
        ({"login": "github-actions[bot]", "type": "Bot"}, "github-actions[bot]", True),
        ({"login": "github-actions[bot]", "type": "Bot"}, "github-actions", True),
        ({"login": "Carol", "type": "User"}, "carol", True),
        ({"login": "carol[bot]", "type": "User"}, "carol", False),
        ({"login": "github-actions", "type": "User"}, "github-actions[bot]", False),
        ({"login": "rita", "type": "User"}, "github-actions[bot]", False),
        ({}, "github-actions[bot]", False),
    ],
)
def test_same_account(user: dict[str, str], login: str, same: bool) -> None:
    from prpilot.github.rest import same_account

    assert same_account(user, login) is same


def test_without_graphql_a_users_token_still_names_its_account(fake_github: FakeGitHub) -> None:
    fake_github.add_repo("o/r")
    fake_github.fail("POST", r"/graphql$", 500, times=100)
    pat = GitHubRepository(connect(fake_github.issue_token("carol"), fake_github.api_url, retries=0), "o/r")
    bot = GitHubRepository(connect(fake_github.token, fake_github.api_url, retries=0), "o/r")

    assert pat.identity() == "carol"
    assert bot.identity() is None  # an app's token may not read /user: no comment counts as ours then
DISPATCHES = f"{API}/repos/o/r/actions/workflows/ci.yml/dispatches"


@responses.activate
def test_run_workflow_answers_the_page_of_the_run_it_started() -> None:
    run = {"workflow_run_id": 7, "html_url": "https://github.test/o/r/actions/runs/7"}
    responses.post(DISPATCHES, status=200, json=run)
    repo = GitHubRepository(connect("t", API, retries=0), "o/r")
    assert repo.run_workflow("ci.yml", "pilot/x") == "https://github.test/o/r/actions/runs/7"
    assert json.loads(responses.calls[0].request.body or "{}") == {"ref": "pilot/x", "return_run_details": True}


@responses.activate
def test_run_workflow_on_a_server_without_run_details_dispatches_plainly() -> None:
    refused = {"message": "Invalid request.\n\n\"return_run_details\" is not a permitted key."}
    responses.post(DISPATCHES, status=422, json=refused)
    responses.post(DISPATCHES, status=204)
    repo = GitHubRepository(connect("t", API, retries=0), "o/r")
    assert repo.run_workflow("ci.yml", "pilot/x") == ""
    assert json.loads(responses.calls[1].request.body or "{}") == {"ref": "pilot/x"}


@responses.activate
def test_run_workflow_without_the_trigger_raises_what_github_said() -> None:
    responses.post(DISPATCHES, status=422, json={"message": "Workflow does not have 'workflow_dispatch' trigger"})
    repo = GitHubRepository(connect("t", API, retries=0), "o/r")
    with pytest.raises(GitHubError, match="workflow_dispatch"):
        repo.run_workflow("ci.yml", "pilot/x")
    assert len(responses.calls) == 1


def test_a_post_that_timed_out_is_not_repeated_but_a_get_is(fake_github: FakeGitHub) -> None:
    # GitHub may have carried a timed-out POST out: only the caller, who can look, may ask again.
    fake_github.add_repo("o/r")
    number = fake_github.add_issue("o/r", "An issue")
    repo = GitHubRepository(connect(fake_github.token, fake_github.api_url, retries=2, backoff=0, timeout=SHORT), "o/r")

    fake_github.fail_at(0, "timeout-applied", delay=PAST_SHORT)
    with pytest.raises(GitHubError) as caught:
        repo.create_comment(number, "hello")
    assert caught.value.status is None  # no answer: it may have been carried out
    assert [c.body for c in fake_github.comments("o/r", number)] == ["hello"]
    assert len([r for r in fake_github.requests if r.method == "POST"]) == 1

    fake_github.fail_at(0, "timeout-not-applied", delay=PAST_SHORT)
    assert repo.comments_with(number, "hel") == [(fake_github.comments("o/r", number)[0].id, "hello")]


def test_optional_context_that_fails_is_left_out_with_a_note_not_fatal(fake_github: FakeGitHub) -> None:
    # Issue 13, class 7: a failed read of the review comments, the files or the thread failed the task.
    fake_github.add_repo("o/r")
    fake_github.commit("o/r", "feature", {"a.py": "x = 1\n"})
    pull = fake_github.add_pull("o/r", head="feature", title="Feature", body="Adds a.py")
    fake_github.fail("GET", rf"/pulls/{pull}/comments$", 500, times=99)
    fake_github.fail("GET", rf"/pulls/{pull}/files$", 404, times=99)
    fake_github.add_comment("o/r", pull, "an older comment", user="carol")
    fake_github.fail("GET", rf"/issues/{pull}/comments$", 502, times=99)
    repo = GitHubRepository(connect(fake_github.token, fake_github.api_url, retries=1, backoff=0), "o/r")

    thread = repo.thread(pull, is_pull=True, marker="<!-- m -->")

    assert (thread.title, thread.body) == ("Feature", "Adds a.py")
    assert thread.diff == []
    assert thread.review_comments == []
    assert thread.comments == []
    assert thread.missing == ["the thread's comments", "the pull request's files", "the pull request's review comments"]


def test_a_pull_request_opened_though_its_answer_was_lost_is_found_not_failed(fake_github: FakeGitHub) -> None:
    fake_github.add_repo("o/r")
    fake_github.commit("o/r", "pilot/x", {"a.py": "x = 1\n"})
    repo = GitHubRepository(connect(fake_github.token, fake_github.api_url, retries=2, backoff=0, timeout=SHORT), "o/r")
    fake_github.fail_at(0, "timeout-applied", delay=PAST_SHORT)

    pull = repo.create_pull(title="X", body="", head="pilot/x", base="main", draft=False)

    [opened] = fake_github.pulls("o/r")
    assert pull.number == opened.number


def test_a_pull_request_whose_lost_answer_hid_a_failure_is_asked_for_again(fake_github: FakeGitHub) -> None:
    fake_github.add_repo("o/r")
    fake_github.commit("o/r", "pilot/x", {"a.py": "x = 1\n"})
    repo = GitHubRepository(connect(fake_github.token, fake_github.api_url, retries=2, backoff=0, timeout=SHORT), "o/r")
    fake_github.fail_at(0, "timeout-not-applied", delay=PAST_SHORT)

    pull = repo.create_pull(title="X", body="", head="pilot/x", base="main", draft=False)

    [opened] = fake_github.pulls("o/r")
    assert pull.number == opened.number
    asked = [(r.method, r.path.split("?")[0]) for r in fake_github.requests if r.path.startswith("/repos/o/r/pulls")]
    assert asked == [("POST", "/repos/o/r/pulls"), ("GET", "/repos/o/r/pulls"), ("POST", "/repos/o/r/pulls")]


def test_a_status_comment_is_deleted_and_one_already_gone_is_no_error(fake_github: FakeGitHub) -> None:
    fake_github.add_repo("o/r")
    number = fake_github.add_issue("o/r", "An issue", "body", user="alice")
    repo = GitHubRepository(connect(fake_github.token, fake_github.api_url), "o/r")
    extra = repo.create_comment(number, "status <!-- prpilot:status -->")

    repo.delete_comment(extra)
    repo.delete_comment(extra)  # 404: gone, as asked

    assert fake_github.comments("o/r", number) == []
    with pytest.raises(GitHubError, match="delete a status comment"):
        GitHubRepository(connect(fake_github.read_token, fake_github.api_url, retries=0), "o/r").delete_comment(
            fake_github.add_comment("o/r", number, "hi"))
