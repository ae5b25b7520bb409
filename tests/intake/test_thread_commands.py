"""The thread commands a request may carry: stop, and a budget (--max-cost)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from prpilot.intake.thread_commands import effective_cap, is_review, is_stop, read_options


@pytest.mark.parametrize(
    ("request_text", "work", "cap"),
    [
        ("--max-cost 2 add tests for the parser", "add tests for the parser", Decimal(2)),
        ("--max-cost=2 add tests", "add tests", Decimal(2)),
        ("--max-cost $2 add tests", "add tests", Decimal(2)),
        ("--max-cost=$2.50 add tests", "add tests", Decimal("2.50")),
        ("--max-cost 2.50\nadd tests\non two lines", "add tests\non two lines", Decimal("2.50")),
        ("--max-cost .5 go", "go", Decimal("0.5")),
        ("  --max-cost 0.01 go", "go", Decimal("0.01")),
        ("add tests --max-cost 2", "add tests --max-cost 2", None),  # options lead the request
        ("--max-costly words", "--max-costly words", None),
        ("fix the bug", "fix the bug", None),
    ],
)
def test_options_are_read_off_the_front_of_the_request(request_text: str, work: str, cap: Decimal | None) -> None:
    options = read_options(request_text)

    assert options.error == ""
    assert options.work == work
    assert options.max_cost_usd == cap


@pytest.mark.parametrize(
    ("request_text", "says"),
    [
        ("--max-cost lots add tests", "not `lots`"),
        ("--max-cost -2 add tests", "not `-2`"),
        ("--max-cost 0 add tests", "greater than zero"),
        ("--max-cost 1e3 add tests", "not `1e3`"),
        ("--max-cost 2,50 add tests", "not `2,50`"),
        ("--max-cost NaN go", "not `NaN`"),
        ("--max-cost", "needs an amount"),
        ("--max-cost=", "needs an amount"),
        ("--max-cost\n2 add tests", "needs an amount"),
        ("--max-cost 9999999999999 go", "not `9999999999999`"),
    ],
)
def test_a_bad_budget_is_answered_in_words(request_text: str, says: str) -> None:
    options = read_options(request_text)

    assert says in options.error
    assert options.max_cost_usd is None
    assert options.work == request_text  # quoted back as asked


@pytest.mark.parametrize(
    ("request_text", "stop"),
    [("stop", True), ("Stop", True), ("  stop  ", True), ("stop\nit is looping", True),
     ("stop the server in tests", False), ("stopping", False), ("please stop", False), ("", False)],
)
def test_stop_is_the_word_alone_on_the_trigger_line(request_text: str, stop: bool) -> None:
    assert is_stop(request_text) is stop


@pytest.mark.parametrize(
    ("requested", "workflow", "cap"),
    [(None, None, None), (Decimal(2), None, Decimal(2)), (None, Decimal(1), Decimal(1)),
     (Decimal("0.5"), Decimal(1), Decimal("0.5")), (Decimal(5), Decimal(1), Decimal(1))],
)
def test_the_request_lowers_max_cost_and_never_raises_it(
    requested: Decimal | None, workflow: Decimal | None, cap: Decimal | None
) -> None:
    assert effective_cap(requested, workflow) == cap


@pytest.mark.parametrize(("request_text", "expected"), [
    ("review", True), ("Review focus on the parser", True), ("review: security", True),
    ("reviewer names", False), ("address the review comments", False), ("", False),
])
def test_is_review_is_the_leading_word(request_text: str, expected: bool) -> None:
    assert is_review(request_text) is expected
