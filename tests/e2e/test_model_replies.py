"""Model replies of odd shapes through the whole action: the task ends in words, with the whole bill.

Each once ended in an internal error, a lost bill or a lost review (an audit of 2026-12-08); the
units of the same fixes sit in tests/agent/test_openai_model.py.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from prpilot.testing import openai_replies as say
from prpilot.testing._http import HTTPRequest, HTTPResponse, LocalServer
from prpilot.testing.scenario import Bed, start_bed

MAX_COMMENT = 65_536  # GitHub refuses longer comment, review and review-comment bodies
Mutate = Callable[[int, bytes], tuple[bytes, str]]


@pytest.fixture
def bed(tmp_path: Path) -> Iterator[Bed]:
    with start_bed(tmp_path) as started:
        yield started


@contextmanager
def rewriting(bed: Bed, mutate: Mutate) -> Iterator[str]:
    """A proxy in front of the scripted model: the body of its answer to call ``n`` becomes ``mutate(n, body)``."""
    count = [0]

    def handle(request: HTTPRequest) -> HTTPResponse:
        upstream = bed.model.base_url.removesuffix("/v1") + request.path
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("authorization", "content-type")}
        forwarded = urllib.request.Request(upstream, data=request.body, method=request.method, headers=headers)
        with urllib.request.urlopen(forwarded, timeout=30) as answer:  # the local scripted model
            body = answer.read()
        index, count[0] = count[0], count[0] + 1
        new, content_type = mutate(index, body)
        return HTTPResponse(200, new, {"content-type": content_type})

    server = LocalServer(handle)
    server.start()
    try:
        yield f"{server.url}/v1"
    finally:
        server.stop()


def _edit(at: int, edit: Callable[[dict[str, Any]], None]) -> Mutate:
    def mutate(index: int, body: bytes) -> tuple[bytes, str]:
        if index != at:
            return body, "application/json"
        data = json.loads(body)
        edit(data)
        return json.dumps(data).encode(), "application/json"
    return mutate


def _status(bed: Bed, number: int) -> str:
    [comment] = bed.status_comments(number)
    return comment


def test_an_html_200_ends_the_task_in_words_without_a_traceback(bed: Bed) -> None:
    """A proxy answering 200 with an HTML page (once an internal error and a traceback): the task fails in
    words that name the model endpoint."""
    bed.model.script(say.tool("read_file", {"path": "README.md"}), say.text("Nothing to change."))
    event = bed.issue_comment("/pilot look around")
    html = b"<html><body>Please sign in to the proxy</body></html>"
    with rewriting(bed, lambda i, body: (html, "text/html") if i == 1 else (body, "application/json")) as url:
        result = bed.run("issue_comment", event, openai_base_url=url)

    comment = _status(bed, event["issue"]["number"])
    assert result.outputs["status"] == "failed"
    assert "Traceback" not in result.logs
    assert "internal error" not in comment
    assert "model endpoint" in comment


def test_an_answered_call_whose_reply_cannot_be_read_is_still_billed(bed: Bed) -> None:
    """The second reply's content is a list of parts (as some servers send): read as its text, and both
    answered calls are in the bill (once the second was lost from it)."""
    bed.model.script(say.tool("read_file", {"path": "README.md"}), say.text("Nothing to change."))
    event = bed.issue_comment("/pilot look around")
    parts = _edit(1, lambda d: d["choices"][0]["message"].update(content=[{"type": "text", "text": "Nothing."}]))
    with rewriting(bed, parts) as url:
        bed.run("issue_comment", event, openai_base_url=url)

    [bill] = bed.billing.bills
    served = bed.model.total_usage()
    assert served.calls == 2
    assert bill["prompt_tokens"] == served.prompt_tokens or bill["unknown_calls"] == 1, bill


@pytest.mark.parametrize(("field", "value", "error"), [
    ("arguments", {"path": "README.md"}, "AttributeError: 'dict' object has no attribute 'strip'"),
    ("name", None, "TypeError: expected string or bytes-like object"),
])
def test_a_tool_call_with_a_non_string_field_is_an_observation_not_a_crash(
        bed: Bed, field: str, value: object, error: str) -> None:
    """Arguments sent as a JSON object (not its text), or a null function name (once an internal error): the
    object is read as its JSON, a missing name gets the toolbox's answer in words, and the task completes."""
    bed.model.script(say.tool("read_file", {"path": "README.md"}), say.text("Nothing to change."))
    event = bed.issue_comment("/pilot look around")
    odd = _edit(0, lambda d: d["choices"][0]["message"]["tool_calls"][0]["function"].update({field: value}))
    with rewriting(bed, odd) as url:
        result = bed.run("issue_comment", event, openai_base_url=url)

    comment = _status(bed, event["issue"]["number"])
    assert "Traceback" not in result.logs
    assert "internal error" not in comment, error
    assert result.outputs["status"] == "completed", result.logs


def test_a_models_refusal_is_its_answer(bed: Bed) -> None:
    """A reply with ``content: null`` and OpenAI's ``refusal`` field is the model's answer (once read as an
    empty reply, nudged until max-steps with the refusal never shown)."""
    bed.model.set_policy(lambda _request, _index: say.text(""))

    def refuse(index: int, body: bytes) -> tuple[bytes, str]:
        data = json.loads(body)
        data["choices"][0]["message"].update(content=None, refusal="I can't help with that request.")
        return json.dumps(data).encode(), "application/json"

    event = bed.issue_comment("/pilot look around")
    with rewriting(bed, refuse) as url:
        bed.run("issue_comment", event, openai_base_url=url, max_steps="3")

    comment = _status(bed, event["issue"]["number"])
    assert "I can't help with that request." in comment
    assert len(bed.model.calls) == 1


def test_a_negative_usage_report_does_not_erase_other_calls_from_the_bill(bed: Bed) -> None:
    """Call 1 reports 80,000 prompt tokens, call 2 reports -80,000 (once summed as is, erasing call 1's
    cost): a count below zero makes that call one of unknown usage, and call 1 stays billed."""
    bed.model.script(
        say.tool("read_file", {"path": "README.md"}).with_usage(prompt_tokens=80_000, completion_tokens=10),
        say.text("Nothing to change.").with_usage(prompt_tokens=-80_000, completion_tokens=10, cached_tokens=0),
    )
    event = bed.issue_comment("/pilot look around")

    bed.run("issue_comment", event)

    [bill] = bed.billing.bills
    assert bill["prompt_tokens"] >= 80_000, bill
    assert min(bill["prompt_tokens"], bill["cached_tokens"], bill["completion_tokens"]) >= 0


APP = "".join(f"value_{n} = {n}\n" for n in range(1, 31))


def _review_pull(bed: Bed) -> int:
    bed.github.commit(bed.repo, "main", {"app.py": APP}, "Add app")
    bed.github.commit(bed.repo, "feature", {"app.py": APP.replace("value_5 = 5\n", "value_5 = 'five'\n")}, "Change")
    return bed.github.add_pull(bed.repo, head="feature", title="Change values")


@pytest.mark.parametrize("answer", [
    {"summary": "x" * 70_000, "comments": []},
    {"summary": "s", "comments": [{"path": "app.py", "line": 5, "body": "y" * 70_000}]},
    {"summary": "s", "comments": [{"path": f"gone{i}.py", "line": 1, "body": "z" * 200} for i in range(400)]},
], ids=["long-summary", "long-inline-comment", "many-comments-outside-the-diff"])
def test_a_review_posts_only_bodies_github_takes(bed: Bed, answer: dict[str, Any]) -> None:
    """The review's summary (the model's summary plus every comment outside the diff) and each inline
    comment stay within what GitHub takes (65,536 characters; once posted whole, refused with a 422 and the
    whole review lost); the words are cut, prpilot's mark stays."""
    pull = _review_pull(bed)
    bed.model.script(say.text(json.dumps(answer)))

    bed.run("issue_comment", bed.pull_comment("/pilot review", pull))

    reviews = list(bed.github.state.reviews.values())
    assert reviews
    assert max(len(r.body or "") for r in reviews) <= MAX_COMMENT
    assert all(len(c.body) <= MAX_COMMENT for c in bed.github.review_comments(bed.repo, pull))
