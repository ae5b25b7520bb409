"""The meter of one task: the usage the API reported, priced, then settled into the ledger and sent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from prpilot.actions.runner_commands import ActionsRunner
from prpilot.billing.bill import Bill, create_bill
from prpilot.billing.pricing import PriceTable, find_price, price_usage
from prpilot.errors import PrpilotError
from prpilot.task import Task, Usage
from prpilot.thread import markdown as report

if TYPE_CHECKING:
    from prpilot.billing.delivery import BillSender
    from prpilot.billing.ledger import Ledger

log = logging.getLogger(__name__)


@dataclass
class Meter:
    """Add up every model call of a task; all cost arithmetic goes through here."""

    model: str
    prices: PriceTable
    run_id: str = ""
    ledger: Ledger | None = None
    billing: BillSender | None = None
    runner: ActionsRunner | None = None
    usage: Usage = field(default_factory=Usage)

    def cost(self, usage: Usage | None = None) -> Decimal:
        """USD for ``usage`` (default: everything so far); an unknown model costs 0."""
        return price_usage(self.usage if usage is None else usage, self.model, self.prices)[0]

    @property
    def priced(self) -> bool:
        """Whether the model has a price: without one every cost is 0, and no cap can trip."""
        return find_price(self.model, self.prices) is not None

    def cost_line(self) -> str:
        return report.cost_line(self.usage, self.cost(), self.model)

    def bill(self, task: Task) -> Bill:
        """The bill of everything the task used; the task carries the same figures."""
        cost, warning = price_usage(self.usage, self.model, self.prices)
        if warning and self.runner:
            self.runner.warning(warning)
        task.usage, task.cost_usd = self.usage, cost
        return create_bill(task, self.usage, self.model, self.prices, self.run_id)

    def settle(self, task: Task) -> Bill:
        """Bill the task into the ledger and deliver every bill still unsent; never fails the task.

        The two homes of a bill stand apart: one the ledger could not take is still sent to the
        billing endpoint (its Idempotency-Key bills it once however often it is sent), and one the
        endpoint could not take waits in the ledger for the next run.
        """
        bill = self.bill(task)
        ledger, billing = self.ledger, self.billing
        recorded = ledger is not None and self._attempt("the ledger could not take the bill", ledger.settle, bill)
        if billing is None:
            return bill
        if ledger is not None and recorded:
            from prpilot.billing.delivery import deliver_pending

            self._attempt("", deliver_pending, ledger, billing)  # what it could not send waits in the ledger
        else:
            self._attempt("", billing.send, bill)
        return bill

    def _attempt(self, what: str, call: Callable[..., object], *args: object) -> bool:
        """Run one half of settling; a failure is a warning (the task's outcome stands), said in words."""
        try:
            call(*args)
        except PrpilotError as exc:
            message = f"billing: {what + ': ' if what else ''}{exc.message}"
            log.warning("%s", message)
            if self.runner:
                self.runner.warning(message)
            return False
        return True
