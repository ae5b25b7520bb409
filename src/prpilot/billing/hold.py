"""What a task holds against the budgets from admission until its bill: the most it may cost.

Without a hold, tasks admitted together each see the budget as it stood before any of them spent,
so any number of them fit under a budget that has a cent left (issue 28, item 4). With one, the
sum of the open holds and the settled spend is what admission compares with the budget, so a burst
of concurrent tasks overruns it by at most the last admitted task's hold.

The hold is the task's max-cost when it has one. Without it the hold is what the task can spend on
output at most: every model call may write up to ``max_output_tokens`` tokens, and the agent makes
at most ``max_steps`` calls, so::

    hold = max_steps × max_output_tokens × output price (USD per million tokens) / 1,000,000

priced at the dearest of the models that may answer (the model, and the fallback model that may
take over any call). Prompt tokens are not in it: the prompt has no bound prpilot knows before the
task runs. So the engine stops a task at its hold as at a max-cost (checked before each model
call): the bill passes the hold by the last call's cost at most, and the output bound is generous
(16,384 tokens a call where agent steps write a few hundred), so most tasks end far below it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from prpilot.billing.pricing import Price


def default_hold(max_steps: int, max_output_tokens: int, prices: Iterable[Price]) -> Decimal:
    """The most ``max_steps`` calls of at most ``max_output_tokens`` tokens each cost, at the dearest output price."""
    dearest = max((price.output for price in prices), default=Decimal(0))
    return (max(0, max_steps) * max(0, max_output_tokens) * dearest).scaleb(-6)


def admission_hold(
    max_cost: Decimal | None,
    *,
    budgeted: bool,
    max_steps: int,
    max_output_tokens: int,
    prices: Iterable[Price],
) -> Decimal:
    """The task's hold: its max-cost if set; under a budget without one, :func:`default_hold`; else nothing."""
    if max_cost is not None:
        return max_cost
    if not budgeted:
        return Decimal(0)  # no budget counts holds: nothing to bound
    return default_hold(max_steps, max_output_tokens, prices)
