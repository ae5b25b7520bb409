"""The one way prpilot writes an amount of money: US dollars, exact to a millionth, no noise.

Tasks often cost fractions of a cent, so rounding to cents would show $0.00 for real spend. Every
amount shows up to six decimals with trailing zeros dropped, and at least cents, the dollars grouped by
thousands: $0.003, $0.000125, $1.50, $1,234.00. The thread, the job summary, the pull request body
and ``prpilot spend`` all use it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the first step formats money on the runner's python3, without pydantic
    from prpilot.task import Usage

_MICRO = Decimal("0.000001")


def format_usd(amount: Decimal | float | int) -> str:
    """``$`` and the amount to the millionth, trailing zeros dropped down to cents."""
    value = Decimal(str(amount)).quantize(_MICRO, rounding=ROUND_HALF_UP)
    text = format(value, "f").rstrip("0")
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}${int(whole.lstrip('-')):,}.{fraction.ljust(2, '0')}"


def cost_line(usage: Usage, cost: Decimal | float, model: str) -> str:
    """One line with the tokens and the cost, as the API reported them."""
    cached = f" ({usage.cached_tokens:,} cached)" if usage.cached_tokens else ""
    return (
        f"💰 {format_usd(cost)} · {usage.prompt_tokens:,} prompt tokens{cached} + "
        f"{usage.completion_tokens:,} completion tokens · {usage.calls} model calls · `{model}`"
    )
