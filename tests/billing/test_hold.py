"""The hold a task takes at admission: its max-cost, or what its model calls may cost at most."""

from __future__ import annotations

from decimal import Decimal

import pytest

from prpilot.billing.hold import admission_hold, default_hold
from prpilot.billing.pricing import Price

CHEAP = Price(input=Decimal("0.40"), output=Decimal("1.60"))
DEAR = Price(input=Decimal("2.50"), output=Decimal("10.00"))


@pytest.mark.parametrize(
    ("steps", "tokens", "prices", "expected"),
    [
        (30, 16384, [CHEAP], "0.786432"),  # 30 × 16,384 × $1.60 / 1M
        (10, 1000, [CHEAP], "0.016"),
        (10, 1000, [CHEAP, DEAR], "0.1"),  # the fallback may answer every call: the dearer price holds
        (10, 1000, [], "0"),
        (0, 1000, [DEAR], "0"),
    ],
)
def test_default_hold_is_steps_times_output_bound_times_the_dearest_output_price(
    steps: int, tokens: int, prices: list[Price], expected: str
) -> None:
    assert default_hold(steps, tokens, prices) == Decimal(expected)


@pytest.mark.parametrize(
    ("max_cost", "budgeted", "expected"),
    [
        (Decimal("0.30"), True, Decimal("0.30")),  # max-cost is the hold, budget or not
        (Decimal("0.30"), False, Decimal("0.30")),
        (None, True, Decimal("0.786432")),  # under a budget a task without max-cost still holds
        (None, False, Decimal(0)),  # nothing counts holds without a budget
    ],
)
def test_admission_hold(max_cost: Decimal | None, budgeted: bool, expected: Decimal) -> None:
    hold = admission_hold(max_cost, budgeted=budgeted, max_steps=30, max_output_tokens=16384, prices=[CHEAP])
    assert hold == expected

