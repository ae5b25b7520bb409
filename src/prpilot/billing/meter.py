"""The meter of one task: the usage the API reported, priced, then settled into the ledger and sent."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from prpilot.billing.bill import Bill, create_bill
from prpilot.billing.money import cost_line
from prpilot.billing.pricing import PriceTable, find_price, price_usage
from prpilot.errors import PrpilotError
from prpilot.notices import Notices
from prpilot.task import Task, Usage

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
    notices: Notices | None = None
    usage: Usage = field(default_factory=Usage)

    def cost(self, usage: Usage | None = None) -> Decimal:
        """USD for ``usage`` (default: everything so far); an unknown model costs 0."""
        return price_usage(self.usage if usage is None else usage, self.model, self.prices)[0]

    @property
    def priced(self) -> bool:
        """Whether the model has a price: without one every cost is 0, and no cap can trip."""
        return find_price(self.model, self.prices) is not None

    def cost_line(self) -> str:
        return cost_line(self.usage, self.cost(), self.model)

    def bill(self, task: Task) -> Bill:
        """The bill of everything the task used; the task carries the same figures."""
        cost, warning = price_usage(self.usage, self.model, self.prices)
        if warning and self.notices:
            self.notices.warning(warning)
        task.usage, task.cost_usd = self.usage, cost
        return create_bill(task, self.usage, self.model, self.prices, self.run_id)

    def settle(self, task: Task) -> Bill:
        """Bill the task into the ledger and deliver every bill still unsent; never fails the task."""
        bill = self.bill(task)
        try:
            if self.ledger is not None:
                self.ledger.settle(bill)
                if self.billing is not None:
                    from prpilot.billing.delivery import deliver_pending

                    deliver_pending(self.ledger, self.billing)
            elif self.billing is not None:
                self.billing.send(bill)
        except PrpilotError as exc:  # the task's outcome stands; the bill waits in the ledger
            log.warning("billing: %s", exc.message)
            if self.notices:
                self.notices.warning(f"billing: {exc.message}")
        return bill
