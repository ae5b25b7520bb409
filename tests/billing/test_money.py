from __future__ import annotations

from decimal import Decimal

import pytest

from prpilot.billing.money import cost_line, count, format_usd, share


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("0.003"), "$0.003"),  # a fraction of a cent is shown, not rounded to $0.00
        (Decimal("0.000125"), "$0.000125"),
        (Decimal("0.0000004"), "$0.00"),  # below a millionth: nothing billable to show
        (Decimal(25), "$25.00"),
        (Decimal("25.305"), "$25.305"),
        (Decimal("1234.5"), "$1,234.50"),
        (Decimal(0), "$0.00"),
        (0.1, "$0.10"),
    ],
)
def test_one_precision_everywhere(amount: Decimal | float, text: str) -> None:
    assert format_usd(amount) == text


@pytest.mark.parametrize(("number", "noun", "plural", "text"), [
    (1, "model call", "", "1 model call"),
    (0, "model call", "", "0 model calls"),
    (2709, "task", "", "2,709 tasks"),
    (1, "most expensive task", "most expensive tasks", "1 most expensive task"),
])
def test_counts_are_grouped_and_say_their_noun_in_the_right_number(number: int, noun: str, plural: str,
                                                                  text: str) -> None:
    assert count(number, noun, plural) == text


@pytest.mark.parametrize(("part", "whole", "text"), [
    (Decimal("0.0004"), Decimal(1), "0.04%"),  # small, but not nothing
    (Decimal("0.004"), Decimal(1), "0.4%"),
    (Decimal("0.0456"), Decimal(1), "4.6%"),
    (Decimal("0.5"), Decimal(1), "50%"),
    (Decimal(0), Decimal(1), "0%"),
    (Decimal(3), Decimal(2), "150%"),
    (Decimal(1), Decimal(0), "—"),
])
def test_a_share_is_never_rounded_to_nothing(part: Decimal, whole: Decimal, text: str) -> None:
    assert share(part, whole) == text


def test_the_cost_line_says_one_model_call_and_groups_thousands() -> None:
    from prpilot.task import Usage

    line = cost_line(Usage(prompt_tokens=5611, completion_tokens=1, calls=1), Decimal("0.01"), "m")
    assert line == "💰 $0.01 · 5,611 prompt tokens + 1 completion token · 1 model call · `m`"


def test_a_huge_amount_is_formatted_not_an_invalid_operation() -> None:
    """format_usd quantizes in the default 28-digit context: any amount of 1e22 USD or more raised
    decimal.InvalidOperation. Such amounts come from outside: the max-cost, monthly-budget and
    user-monthly-budget inputs (all accept 1e30), PRPILOT_MONTHLY_BUDGET, a bill or hold in the ledger."""
    from prpilot.billing.money import format_usd

    assert format_usd(Decimal("1e30")).startswith("$1,000,000,000,000,000,000,000,000,000,000")
