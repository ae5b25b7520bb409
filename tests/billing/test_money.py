from __future__ import annotations

from decimal import Decimal

import pytest

from prpilot.billing.money import format_usd


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
