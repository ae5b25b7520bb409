"""The one way prpilot writes a figure: money, a count of things, a share of a budget.

Tasks often cost fractions of a cent, so rounding to cents would show $0.00 for real spend. Every
amount shows up to six decimals with trailing zeros dropped, and at least cents, the dollars grouped by
thousands: $0.003, $0.000125, $1.50, $1,234.00. Counts are grouped by thousands and say their noun in
the right number ("1 model call", "2,709 tokens"); a small share is never rounded to "0%". The thread,
the job summary, the pull request body, ``prpilot spend`` and ``prpilot eval`` all use them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the first step formats money on the runner's python3, without pydantic
    from prpilot.task import Usage

_MICRO = Decimal("0.000001")


def format_usd(amount: Decimal | float | int) -> str:
    """``$`` and the amount to the millionth, trailing zeros dropped down to cents."""
    value = Decimal(str(amount))
    if not value.is_finite():
        return f"${value}"
    with localcontext() as context:  # enough digits for any amount an input or the ledger may hold
        context.prec = max(context.prec, value.adjusted() + 8)
        value = value.quantize(_MICRO, rounding=ROUND_HALF_UP)
    text = format(value, "f").rstrip("0")
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}${int(whole.lstrip('-')):,}.{fraction.ljust(2, '0')}"


def count(number: int, noun: str, plural: str = "") -> str:
    """``number`` grouped by thousands and ``noun`` in the right number: 1 model call, 2,709 model calls."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"


def share(part: Decimal, whole: Decimal) -> str:
    """``part`` as a percentage of ``whole``: whole percents, but a small non-zero share keeps two figures (0.42%)."""
    if not whole:
        return "—"
    percent = Decimal(100) * part / whole
    if percent and abs(percent) < 10:
        return f"{float(percent):.2g}%"
    return f"{percent:.0f}%"


def cost_line(usage: Usage, cost: Decimal | float, model: str) -> str:
    """One line with the tokens and the cost, as the API reported them."""
    cached = f" ({usage.cached_tokens:,} cached)" if usage.cached_tokens else ""
    return (
        f"💰 {format_usd(cost)} · {count(usage.prompt_tokens, 'prompt token')}{cached} + "
        f"{count(usage.completion_tokens, 'completion token')} · {count(usage.calls, 'model call')} · `{model}`"
    )
