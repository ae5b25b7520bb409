"""Property: whatever a real payload is mutated into, parse_event answers Task, Skip or EventError."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import event as tally
from hypothesis import strategies as st

from prpilot.errors import EventError
from prpilot.intake.events import Skip, parse_event
from prpilot.settings import Settings
from prpilot.task import Task
from prpilot.testing.webhooks import fixtures_dir, review_event

FIXTURES = fixtures_dir()

# (event name, fixture, change that makes the payload reach deep into the parser)
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("issue_comment", "issue_comment__created.payload.json", {"comment": {"body": "/pilot fix it"}}),
    ("issue_comment", "issue_comment__created.with-organization.payload.json", {}),
    ("issue_comment", "issue_comment__edited.payload.json", {"comment": {"body": "/pilot fix"}}),
    (
        "pull_request_review_comment",
        "pull_request_review_comment__created.payload.json",
        {"comment": {"body": "/pilot x"}},
    ),
    # octokit has no pull_request_review fixture: _payload makes one from the review comment's.
    (
        "pull_request_review",
        "pull_request_review_comment__created.payload.json",
        {"review": {"body": "/pilot address these comments"}},
    ),
    ("issues", "issues__opened.payload.json", {}),
    ("issues", "issues__labeled.payload.json", {}),
    ("issues", "issues__opened.with-empty-body.payload.json", {}),
    ("workflow_dispatch", "workflow_dispatch__payload.json", {"inputs": {"request": "go", "issue": "3"}}),
    ("pull_request", "pull_request__opened.payload.json", {}),
]

# Fields the parser reads: mutated more often than the hundreds it ignores.
READ_PATHS: list[tuple[str | int, ...]] = [
    ("action",), ("comment",), ("comment", "body"), ("comment", "id"), ("comment", "user"),
    ("comment", "user", "login"), ("comment", "user", "type"), ("comment", "author_association"),
    ("comment", "line"), ("comment", "original_line"), ("comment", "path"), ("comment", "diff_hunk"),
    ("issue",), ("issue", "number"), ("issue", "title"), ("issue", "body"), ("issue", "labels"),
    ("issue", "pull_request"), ("label",), ("label", "name"), ("changes",), ("changes", "body"),
    ("changes", "body", "from"), ("repository",), ("repository", "full_name"), ("sender",),
    ("sender", "login"), ("sender", "type"), ("pull_request",), ("pull_request", "number"),
    ("pull_request", "head"), ("pull_request", "head", "ref"), ("pull_request", "head", "repo"),
    ("pull_request", "base"), ("inputs",), ("inputs", "request"), ("inputs", "issue"), ("inputs", "pr"),
    ("ref",), ("review",), ("review", "id"), ("review", "body"), ("review", "user"), ("review", "user", "login"),
    ("review", "state"), ("review", "html_url"),
]  # fmt: skip

SETTINGS = [
    Settings(),
    Settings(trigger_label="bug", allow_edited=True, allowed_bots=("Codertocat",)),
    Settings(trigger="@pilot", trigger_label="BUG"),
]

huge_text = st.builds(lambda chunk, times: chunk * times, st.text(min_size=1, max_size=4), st.integers(1, 300_000))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**30),
    st.floats(allow_nan=True),
    st.text(),
    st.text().map(lambda text: "/pilot " + text),
    st.text().map(lambda text: "> /pilot\n```\n" + text),
    huge_text,
    st.sampled_from(["", " ", "0", "-1", "12", "Bot", "User", "x[bot]", "a/b", "created", "edited", "bug"]),
)
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.text(max_size=8), scalars, max_size=3),
)


@cache
def _load(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _payload(event: str, name: str) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(_load(name))
    return review_event(payload, body=None) if event == "pull_request_review" else payload


def _merge(target: dict[str, Any], change: dict[str, Any]) -> None:
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _paths(node: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [prefix] if prefix else []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        found += _paths(child, (*prefix, key))
    return found


def _mutate(payload: dict[str, Any], path: tuple[str | int, ...], delete: bool, value: Any) -> None:
    parent: Any = payload
    for key in path[:-1]:
        in_dict = isinstance(parent, dict) and key in parent
        in_list = isinstance(parent, list) and isinstance(key, int) and key < len(parent)
        if not (in_dict or in_list):
            return  # an earlier mutation removed the way
        parent = parent[key]
    last = path[-1]
    if isinstance(parent, dict):
        if delete:
            parent.pop(last, None)
        else:
            parent[last] = value
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        if delete:
            del parent[last]
        else:
            parent[last] = value


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    event, name, change = draw(st.sampled_from(CASES))
    payload = _payload(event, name)
    _merge(payload, change)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.one_of(st.sampled_from(READ_PATHS), st.sampled_from(_paths(payload))))
        _mutate(payload, path, draw(st.booleans()), draw(values))
    return event, payload


def _assert_one_line(error: EventError) -> None:
    tally("EventError")
    assert error.message.strip()
    assert "\n" not in error.message
    assert len(error.message) < 400


@pytest.mark.slow
@settings(
    max_examples=400,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=mutated(), config=st.sampled_from(SETTINGS), actor=st.sampled_from(["", "octocat"]))
def test_mutated_payloads_give_task_skip_or_event_error(
    case: tuple[str, dict[str, Any]], config: Settings, actor: str
) -> None:
    event, payload = case
    try:
        outcome = parse_event(event, payload, config, run_id="1", actor=actor)
    except EventError as exc:
        _assert_one_line(exc)
        return
    assert isinstance(outcome, Task | Skip)
    tally(type(outcome).__name__)
    if isinstance(outcome, Task):
        assert outcome.status is None
        assert outcome.github_user
        assert "/" in outcome.github_project
        assert outcome.user_request.strip()
        assert outcome.thread_number is None or outcome.thread_number > 0


@settings(max_examples=200, deadline=None, database=None)
@given(body=st.text(), config=st.sampled_from(SETTINGS))
def test_any_comment_body_gives_task_or_skip(body: str, config: Settings) -> None:
    payload: dict[str, Any] = json.loads(_load("issue_comment__created.payload.json"))
    payload["comment"]["body"] = body
    outcome = parse_event("issue_comment", payload, config, run_id="1", actor="a")
    assert isinstance(outcome, Task | Skip)
    if isinstance(outcome, Task):
        assert outcome.user_request
        assert outcome.user_request == outcome.user_request.strip()
