"""parse_event over the real octokit webhook payloads, modified per case."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

import pytest

from prpilot.errors import EventError
from prpilot.intake.events import EventOutcome, Skip, StopRequest, parse_event, usage
from prpilot.settings import Settings
from prpilot.task import Task
from prpilot.testing.webhooks import fixtures_dir, review_event

FIXTURES = fixtures_dir()
SETTINGS = Settings(model="test-model")


@cache
def _load(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def payload(name: str) -> dict[str, Any]:
    """Return a fresh copy of a fixture's body, free to modify."""
    return copy.deepcopy(json.loads(_load(name)))


def parse(event: str, body: dict[str, Any], settings: Settings = SETTINGS) -> EventOutcome:
    return parse_event(event, body, settings, run_id="run-77", actor="workflow-actor")


def as_task(outcome: EventOutcome) -> Task:
    assert isinstance(outcome, Task), outcome
    return outcome


def as_skip(outcome: EventOutcome) -> Skip:
    assert isinstance(outcome, Skip), outcome
    return outcome


def comment(body: str, action: str = "created", *, on_pr: bool = False) -> dict[str, Any]:
    data = payload("issue_comment__created.payload.json")
    data["action"] = action
    data["comment"]["body"] = body
    if on_pr:
        data["issue"]["pull_request"] = {"url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/1"}
    return data


def review(body: str, action: str = "created") -> dict[str, Any]:
    data = payload("pull_request_review_comment__created.payload.json")
    data["action"] = action
    data["comment"]["body"] = body
    return data


# -- issue_comment -----------------------------------------------------------------------------


def test_issue_comment_on_an_issue() -> None:
    task = as_task(parse("issue_comment", comment("/pilot fix the spelling\nin README")))
    assert task.status is None
    assert task.github_user == "Codertocat"
    assert task.github_project == "Codertocat/Hello-World"
    assert task.user_request == "fix the spelling\nin README"
    assert (task.issue_number, task.pr_number) == (1, None)
    # The payload's repository names the default branch, so the engine need not ask for it.
    assert (task.head, task.head_repo, task.base) == (None, None, "master")
    assert task.event_name == "issue_comment"
    assert (task.comment_id, task.comment_kind) == (492700400, "issue")
    assert task.installation_id == "run-77"
    assert task.gpt_model == "test-model"
    assert task.context == {
        "requester_is_bot": False,
        "requester_id": 21031067,  # the user's account id, for the no-reply address that credits them
        "author_association": "OWNER",
        "comment_url": "https://github.com/Codertocat/Hello-World/issues/1#issuecomment-492700400",
    }


def test_issue_comment_on_a_pull_request() -> None:
    task = as_task(parse("issue_comment", comment("/pilot rebase please", on_pr=True)))
    assert (task.issue_number, task.pr_number) == (None, 1)
    assert task.base is None  # the pull request's own base, learnt from the pull request itself


def test_requester_is_the_comment_author_not_the_sender_or_actor() -> None:
    data = comment("/pilot do it")
    data["comment"]["user"]["login"] = "the-author"
    data["sender"]["login"] = "someone-else"
    assert as_task(parse("issue_comment", data)).github_user == "the-author"


@pytest.mark.parametrize(
    "name",
    [
        "issue_comment__created.payload.json",
        "issue_comment__created.1.payload.json",
        "issue_comment__created.with-installation.payload.json",
        "issue_comment__created.with-organization.payload.json",
    ],
)
def test_every_created_fixture_parses(name: str) -> None:
    data = payload(name)
    assert as_skip(parse("issue_comment", data)).reason.startswith("the comment does not start")
    data["comment"]["body"] = "/pilot go"
    assert as_task(parse("issue_comment", data)).user_request == "go"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("You are totally right!", "the comment does not start a line with /pilot"),
        ("> /pilot fix it", "the comment does not start a line with /pilot"),
        ("```\n/pilot fix it\n```", "the comment does not start a line with /pilot"),
        ("/pilotfoo fix it", "the comment does not start a line with /pilot"),
    ],
)
def test_comments_without_a_trigger_skip(body: str, reason: str) -> None:
    skip = as_skip(parse("issue_comment", comment(body)))
    assert (skip.reason, skip.reply) == (reason, None)


@pytest.mark.parametrize("body", ["/pilot", "/pilot   ", "Hey\n/pilot\n\n"])
def test_bare_trigger_skips_with_usage_reply(body: str) -> None:
    skip = as_skip(parse("issue_comment", comment(body)))
    assert skip.reason == "empty request"
    assert skip.reply == usage("/pilot")
    assert "/pilot add a unit test" in skip.reply


def test_custom_trigger() -> None:
    settings = Settings(trigger="@bot")
    assert as_task(parse("issue_comment", comment("@bot do it"), settings)).user_request == "do it"
    assert isinstance(parse("issue_comment", comment("/pilot do it"), settings), Skip)


@pytest.mark.parametrize("action", ["deleted", "pinned", "something-new"])
def test_other_comment_actions_skip(action: str) -> None:
    skip = as_skip(parse("issue_comment", comment("/pilot do it", action)))
    assert skip.reason == f"issue_comment {action}: only new comments start tasks"


def test_edited_comment_ignored_by_default() -> None:
    data = payload("issue_comment__edited.payload.json")
    data["comment"]["body"] = "/pilot do it"
    assert "allow-edited" in as_skip(parse("issue_comment", data)).reason


def test_edited_comment_with_allow_edited() -> None:
    settings = Settings(allow_edited=True)
    data = payload("issue_comment__edited.payload.json")
    data["comment"]["body"] = "/pilot do it"
    assert as_task(parse("issue_comment", data, settings)).user_request == "do it"
    data["changes"]["body"]["from"] = "/pilot do it"
    assert as_skip(parse("issue_comment", data, settings)).reason == "the edit did not change the request"
    data["changes"]["body"]["from"] = "/pilot do something else"
    assert isinstance(parse("issue_comment", data, settings), Task)
    del data["changes"]
    assert isinstance(parse("issue_comment", data, settings), Task)


@pytest.mark.parametrize(
    ("login", "user_type", "allowed", "skipped"),
    [
        ("renovate[bot]", "Bot", (), True),
        ("some-app", "Bot", (), True),
        ("odd[bot]", "User", (), True),
        ("renovate[bot]", "Bot", ("renovate",), False),
        ("renovate[bot]", "Bot", ("renovate[bot]",), False),
        ("Codertocat", "User", (), False),
    ],
)
def test_bot_comments(login: str, user_type: str, allowed: tuple[str, ...], skipped: bool) -> None:
    data = comment("/pilot do it")
    data["comment"]["user"].update(login=login, type=user_type)
    outcome = parse("issue_comment", data, Settings(allowed_bots=allowed))
    if skipped:
        assert as_skip(outcome).reason == f"{login} is a bot not listed in allowed-bots"
    else:
        assert as_task(outcome).context["requester_is_bot"] is (user_type == "Bot" or login.endswith("[bot]"))


def test_author_association_is_recorded() -> None:
    data = comment("/pilot do it")
    data["comment"]["author_association"] = "CONTRIBUTOR"
    assert as_task(parse("issue_comment", data)).context["author_association"] == "CONTRIBUTOR"


def pull_review(body: str | None, action: str = "submitted", state: str = "commented") -> dict[str, Any]:
    """A review of the pull request in the review comment fixture (octokit has no review fixture)."""
    data = payload("pull_request_review_comment__created.payload.json")
    return review_event(data, body=body, state=state, action=action)


# -- pull_request_review_comment ---------------------------------------------------------------


def test_review_comment() -> None:
    task = as_task(parse("pull_request_review_comment", review("/pilot use more emoji here")))
    assert task.user_request == "use more emoji here"
    assert task.pr_number == 2
    assert task.issue_number is None
    assert (task.head, task.head_repo, task.base) == ("changes", "Codertocat/Hello-World", "master")
    assert (task.comment_id, task.comment_kind) == (284312630, "review")
    assert task.context["path"] == "README.md"
    assert task.context["line"] == 265
    assert task.context["side"] == "RIGHT"
    assert task.context["diff_hunk"] == "@@ -1 +1 @@\n-# Hello-World"
    assert task.context["commit_id"] == "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
    assert task.context["author_association"] == "OWNER"


def test_review_comment_on_an_outdated_line_uses_original_line() -> None:
    data = review("/pilot fix")
    data["comment"]["line"] = None
    data["comment"]["original_line"] = 12
    assert as_task(parse("pull_request_review_comment", data)).context["line"] == 12


def test_review_comment_from_a_fork_and_a_deleted_fork() -> None:
    data = review("/pilot fix")
    data["pull_request"]["head"]["repo"]["full_name"] = "forker/Hello-World"
    assert as_task(parse("pull_request_review_comment", data)).head_repo == "forker/Hello-World"
    data["pull_request"]["head"]["repo"] = None
    assert as_task(parse("pull_request_review_comment", data)).head_repo is None


def test_review_comment_trigger_rules_apply() -> None:
    assert isinstance(parse("pull_request_review_comment", review("> /pilot fix")), Skip)
    assert isinstance(parse("pull_request_review_comment", review("/pilot fix", "edited")), Skip)
    assert isinstance(parse("pull_request_review_comment", review("/pilot fix", "deleted")), Skip)
    assert as_skip(parse("pull_request_review_comment", review("/pilot"))).reply is not None


# -- pull_request_review ----------------------------------------------------------------------


def test_review_summary_starts_a_pull_request_task() -> None:
    data = pull_review("Nice start.\n/pilot address these comments", state="changes_requested")
    task = as_task(parse("pull_request_review", data))
    assert task.user_request == "address these comments"
    assert task.github_user == "Codertocat"
    assert task.event_name == "pull_request_review"
    assert (task.pr_number, task.issue_number) == (2, None)
    assert (task.head, task.head_repo, task.base) == ("changes", "Codertocat/Hello-World", "master")
    assert (task.comment_id, task.comment_kind) == (237895671, "pull_review")
    assert task.context == {
        "requester_is_bot": False,
        "requester_id": 21031067,  # the user's account id, for the no-reply address that credits them
        "author_association": "OWNER",
        "comment_url": "https://github.com/Codertocat/Hello-World/pull/2#pullrequestreview-237895671",
        "review_state": "changes_requested",
    }


@pytest.mark.parametrize(
    ("data", "settings", "reason"),
    [
        (pull_review("/pilot fix", "dismissed"), SETTINGS, "pull_request_review dismissed: only new reviews start"),
        (pull_review("/pilot fix", "edited"), SETTINGS, "edited reviews are ignored (the allow-edited input is false)"),
        (pull_review(None, state="approved"), SETTINGS, "the review (approved) has no summary"),
        (pull_review("> /pilot fix"), SETTINGS, "the comment does not start a line with /pilot"),
        (pull_review("```\n/pilot fix\n```"), SETTINGS, "the comment does not start a line with /pilot"),
        (pull_review("/pilot fix"), Settings(trigger="@bot"), "the comment does not start a line with @bot"),
        (pull_review("/pilot"), SETTINGS, "empty request"),
    ],
)
def test_review_summaries_that_skip(data: dict[str, Any], settings: Settings, reason: str) -> None:
    assert as_skip(parse("pull_request_review", data, settings)).reason.startswith(reason)


def test_review_summary_with_a_bare_trigger_gets_the_usage() -> None:
    assert as_skip(parse("pull_request_review", pull_review("/pilot"))).reply == usage("/pilot")


@pytest.mark.parametrize(("allowed", "skipped"), [((), True), (("renovate",), False)])
def test_review_by_a_bot(allowed: tuple[str, ...], skipped: bool) -> None:
    data = pull_review("/pilot fix")
    data["review"]["user"].update(login="renovate[bot]", type="Bot")
    outcome = parse("pull_request_review", data, Settings(allowed_bots=allowed))
    if skipped:
        assert as_skip(outcome).reason == "renovate[bot] is a bot not listed in allowed-bots"
    else:
        assert as_task(outcome).context["requester_is_bot"] is True


def test_edited_review_with_allow_edited() -> None:
    settings = Settings(allow_edited=True)
    data = pull_review("/pilot fix the tests", "edited")
    assert as_task(parse("pull_request_review", data, settings)).user_request == "fix the tests"
    data["changes"] = {"body": {"from": "Looks good.\n/pilot fix the tests"}}
    assert as_skip(parse("pull_request_review", data, settings)).reason == "the edit did not change the request"
    data["changes"]["body"]["from"] = "Looks good."
    assert isinstance(parse("pull_request_review", data, settings), Task)


def test_review_from_a_deleted_fork() -> None:
    data = pull_review("/pilot fix")
    data["pull_request"]["head"]["repo"] = None
    assert as_task(parse("pull_request_review", data)).head_repo is None


# -- issues ------------------------------------------------------------------------------------


LABEL = Settings(trigger_label="bug")


def test_issue_opened_with_the_trigger_label() -> None:
    task = as_task(parse("issues", payload("issues__opened.payload.json"), LABEL))
    assert task.user_request == (
        "Spelling error in the README file\n\nIt looks like you accidently spelled 'commit' with two 't's."
    )
    assert task.issue_number == 1
    assert task.github_user == "Codertocat"
    assert task.comment_id is None
    assert task.context == {"requester_is_bot": False, "requester_id": 21031067, "author_association": "OWNER",
                            "label": "bug"}


def test_issue_opened_with_empty_body() -> None:
    task = as_task(parse("issues", payload("issues__opened.with-empty-body.payload.json"), LABEL))
    assert task.user_request == "Spelling error in the README file"


def test_issue_labeled_requester_is_the_labeler() -> None:
    data = payload("issues__labeled.payload.json")
    data["sender"]["login"] = "maintainer"
    task = as_task(parse("issues", data, Settings(trigger_label="BUG")))
    assert task.github_user == "maintainer"
    assert task.context["author_association"] is None


@pytest.mark.parametrize(
    ("name", "settings", "change", "reason"),
    [
        ("issues__opened.payload.json", SETTINGS, None, "issues events start tasks only when"),
        ("issues__opened.payload.json", Settings(trigger_label="pilot"), None, "the issue does not carry"),
        ("issues__labeled.payload.json", Settings(trigger_label="pilot"), None, "the label added (bug) is not"),
        ("issues__labeled.payload.json", LABEL, ("label", None), "the label added (none) is not"),
        ("issues__opened.payload.json", LABEL, ("action", "closed"), "issues closed: only opened"),
        ("issues__opened.payload.json", LABEL, ("sender", {"login": "x[bot]", "type": "Bot"}), "x[bot] is a bot"),
    ],
)
def test_issue_events_that_skip(name: str, settings: Settings, change: tuple[str, Any] | None, reason: str) -> None:
    data = payload(name)
    if change:
        data[change[0]] = change[1]
    assert as_skip(parse("issues", data, settings)).reason.startswith(reason)


# -- workflow_dispatch -------------------------------------------------------------------------


def dispatch(**inputs: Any) -> dict[str, Any]:
    data = payload("workflow_dispatch__payload.json")
    data["inputs"] = inputs
    return data


def test_workflow_dispatch() -> None:
    task = as_task(parse("workflow_dispatch", dispatch(request="  add a CHANGELOG\r\nplease  ", issue="12")))
    assert task.user_request == "add a CHANGELOG\nplease"
    assert (task.issue_number, task.pr_number) == (12, None)
    assert task.github_project == "octo-org/octo-repo"
    assert task.github_user == payload("workflow_dispatch__payload.json")["sender"]["login"]
    assert task.comment_id is None
    assert task.context == {"requester_is_bot": False, "requester_id": 21031067, "author_association": None,
                            "ref": "refs/heads/master"}
    assert task.base == "master"


@pytest.mark.parametrize(
    ("ref", "inputs", "base"),
    [
        ("refs/heads/release-1.2", {}, "release-1.2"),  # "Use workflow from: release-1.2"
        ("refs/tags/v1.0", {}, "master"),  # a tag is no branch to open a pull request into
        ("refs/heads/release-1.2", {"pr": "7"}, None),  # a pull request brings its own base
    ],
)
def test_workflow_dispatch_base_is_the_chosen_branch(ref: str, inputs: dict[str, Any], base: str | None) -> None:
    data = dispatch(request="go", **inputs)
    data["ref"] = ref
    assert as_task(parse("workflow_dispatch", data)).base == base


@pytest.mark.parametrize(
    ("inputs", "issue", "pr"),
    [
        ({}, None, None),
        ({"issue": "", "pr": "  "}, None, None),
        ({"pr": "#7"}, None, 7),
        ({"pr": " 7 "}, None, 7),
        ({"issue": 3}, 3, None),
        ({"issue": None}, None, None),
    ],
)
def test_workflow_dispatch_numbers(inputs: dict[str, Any], issue: int | None, pr: int | None) -> None:
    task = as_task(parse("workflow_dispatch", dispatch(request="go", **inputs)))
    assert (task.issue_number, task.pr_number) == (issue, pr)


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"issue": "twelve"}, "input issue must be an issue or pull request number such as 42, not 'twelve'"),
        ({"pr": "0"}, "input pr must be an issue or pull request number such as 42, not '0'"),
        ({"pr": "-3"}, "input pr must be an issue or pull request number such as 42, not '-3'"),
        ({"pr": "4.5"}, "input pr must be an issue or pull request number such as 42, not '4.5'"),
        ({"pr": "١٢"}, "input pr must be an issue or pull request number such as 42, not '١٢'"),
        ({"pr": True}, "input pr must be an issue or pull request number such as 42, not True"),
        ({"pr": "9" * 5000}, "input pr must be an issue or pull request number such as 42, not '9999"),
        ({"issue": "1", "pr": "2"}, "give either input issue or input pr, not both (issue 1, pr 2)"),
        ({"request": 5}, "input request must be text, not int"),
    ],
)
def test_workflow_dispatch_garbage_raises(inputs: dict[str, Any], message: str) -> None:
    data = dispatch(**{"request": "go", **inputs})
    with pytest.raises(EventError) as raised:
        parse("workflow_dispatch", data)
    assert raised.value.message.startswith(message)
    assert "\n" not in raised.value.message
    assert len(raised.value.message) < 200


@pytest.mark.parametrize("inputs", [{}, {"request": ""}, {"request": " \n "}, {"request": None}])
def test_workflow_dispatch_without_request_skips(inputs: dict[str, Any]) -> None:
    skip = as_skip(parse("workflow_dispatch", dispatch(**inputs)))
    assert skip.reason == "workflow_dispatch needs a request input: say what the agent should do"


def test_workflow_dispatch_with_null_inputs_skips() -> None:
    data = dispatch()
    data["inputs"] = None
    assert isinstance(parse("workflow_dispatch", data), Skip)


def test_workflow_dispatch_requester_falls_back_to_actor() -> None:
    data = dispatch(request="go")
    del data["sender"]
    assert as_task(parse("workflow_dispatch", data)).github_user == "workflow-actor"
    with pytest.raises(EventError, match="no sender and no actor"):
        parse_event("workflow_dispatch", data, SETTINGS, run_id="1", actor="")


def test_workflow_dispatch_by_a_bot_is_left_to_the_permission_check() -> None:
    data = dispatch(request="go")
    data["sender"].update(login="github-actions[bot]", type="Bot")
    assert as_task(parse("workflow_dispatch", data)).context["requester_is_bot"] is True


# -- other events and malformed payloads -------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "name"),
    [
        ("push", "pull_request__synchronize.payload.json"),
        ("", "issues__opened.payload.json"),
    ],
)
def test_unsupported_events_skip(event: str, name: str) -> None:
    assert as_skip(parse(event, payload(name))).reason.startswith("prpilot does not act on")


@pytest.mark.parametrize("name", ["pull_request__opened.payload.json", "pull_request__labeled.payload.json"])
def test_pull_request_events_skip_without_mode_review(name: str) -> None:
    assert as_skip(parse("pull_request", payload(name))).reason == (
        "prpilot acts on pull_request events only with mode: review")


Mutation = Callable[[dict[str, Any]], object]


@pytest.mark.parametrize(
    ("event", "data", "mutate", "where"),
    [
        ("issue_comment", comment("/pilot x"), lambda d: d.pop("action"), "action: Field required"),
        ("issue_comment", comment("/pilot x"), lambda d: d.pop("comment"), "comment: Field required"),
        ("issue_comment", comment("/pilot x"), lambda d: d["comment"]["user"].pop("login"), "comment.user.login"),
        ("issue_comment", comment("/pilot x"), lambda d: d["comment"].update(body=5), "comment.body"),
        ("issue_comment", comment("/pilot x"), lambda d: d["issue"].update(number="one"), "issue.number"),
        ("issue_comment", comment("/pilot x"), lambda d: d["issue"].update(number=0), "issue.number"),
        ("issue_comment", comment("/pilot x"), lambda d: d["repository"].update(full_name="x"), "repository.full_name"),
        ("issue_comment", comment("/pilot x"), lambda d: d.update(sender=None), "sender"),
        (
            "pull_request_review_comment",
            review("/pilot x"),
            lambda d: d["pull_request"].pop("head"),
            "pull_request.head",
        ),
        ("pull_request_review", pull_review("/pilot x"), lambda d: d["review"].pop("id"), "review.id: Field required"),
        ("pull_request_review", pull_review("/pilot x"), lambda d: d.pop("review"), "review: Field required"),
        ("pull_request_review", pull_review("/pilot x"), lambda d: d["review"].update(body=[]), "review.body"),
        ("pull_request_review", pull_review("/pilot x"), lambda d: d["review"].update(user=None), "review.user"),
        ("pull_request_review", pull_review("/pilot x"), lambda d: d.pop("pull_request"), "pull_request"),
        ("issues", payload("issues__opened.payload.json"), lambda d: d["issue"].update(labels="bug"), "issue.labels"),
        ("workflow_dispatch", dispatch(request="go"), lambda d: d.update(inputs=[1]), "inputs"),
        ("workflow_dispatch", dispatch(request="go"), lambda d: d.pop("repository"), "repository"),
    ],
)
def test_malformed_payloads_raise_event_error(event: str, data: dict[str, Any], mutate: Mutation, where: str) -> None:
    mutate(data)
    with pytest.raises(EventError) as raised:
        parse(event, data, LABEL)
    assert raised.value.message.startswith(f"cannot read the {event} event: {where}")
    assert "\n" not in raised.value.message


@pytest.mark.parametrize("body", ["/pilot stop", "/Pilot STOP", "Looping again.\n/pilot stop\nit edits the same file"])
def test_stop_on_a_thread_is_a_stop_request_not_a_task(body: str) -> None:
    outcome = parse("issue_comment", comment(body))

    assert isinstance(outcome, StopRequest)
    data = comment(body)
    assert outcome.thread_number == data["issue"]["number"]
    assert outcome.requester == data["comment"]["user"]["login"]
    assert outcome.comment_id == data["comment"]["id"]
    assert outcome.comment_kind == "issue"
    assert not outcome.is_pull


def test_stop_in_a_review_comment_stops_the_pull_requests_tasks() -> None:
    outcome = parse("pull_request_review_comment", review("/pilot stop"))

    assert isinstance(outcome, StopRequest)
    assert outcome.is_pull
    assert outcome.thread_number == review("x")["pull_request"]["number"]


def test_a_budget_in_the_request_is_taken_off_the_work() -> None:
    task = as_task(parse("issue_comment", comment("/pilot --max-cost 2 add tests for the parser")))

    assert task.user_request == "add tests for the parser"
    assert task.max_cost_usd == Decimal(2)
    assert "request_error" not in task.context


def test_a_bad_budget_becomes_an_answer_for_the_requester() -> None:
    task = as_task(parse("issue_comment", comment("/pilot --max-cost lots add tests")))

    assert "`--max-cost` takes an amount in USD" in task.context["request_error"]
    assert task.max_cost_usd is None


def test_a_budget_and_no_work_is_an_empty_request() -> None:
    skip = as_skip(parse("issue_comment", comment("/pilot --max-cost 2")))

    assert skip.reason == "empty request"


@pytest.mark.parametrize(("mode", "action", "head", "skipped"), [
    ("review", "opened", "octo/proj", None),
    ("review", "synchronize", "Octo/Proj", None),
    ("", "opened", "octo/proj", "only with mode: review"),
    ("review", "closed", "octo/proj", "not on closed"),
    ("review", "opened", "mallory/proj", "comes from a fork (mallory/proj)"),
    ("review", "opened", None, "comes from a fork (a deleted repository)"),
])
def test_a_pull_request_event_asks_for_a_review_only_in_mode_review_and_never_from_a_fork(
    mode: str, action: str, head: str | None, skipped: str | None
) -> None:
    from prpilot.intake.rules import pull_request_skip

    outcome = pull_request_skip(mode, action, 7, head, "octo/proj")
    reason = outcome.reason if outcome is not None else None
    assert reason == skipped if skipped is None else skipped in (reason or "")
