"""The meter of one task: the usage the API reported, priced, then settled into the ledger and sent."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from prpilot.billing.bill import Bill, create_bill
from prpilot.billing.money import cost_line
from prpilot.billing.pricing import PriceTable, find_price, price_usage
from prpilot.errors import BillingError, PrpilotError
from prpilot.notices import Notices
from prpilot.task import ModelUsage, Task, Usage

if TYPE_CHECKING:
    from prpilot.billing.delivery import BillSender
    from prpilot.billing.ledger import Ledger

log = logging.getLogger(__name__)


@dataclass
class Meter:
    """Add up every model call of a task; all cost arithmetic goes through here.

    ``by_model`` tells how the calls split between models when a fallback model may take over
    (:class:`~prpilot.agent.fallback.FallbackChatModel`); without it every call is ``model``'s.
    """

    model: str
    prices: PriceTable
    run_id: str = ""
    ledger: Ledger | None = None
    billing: BillSender | None = None
    notices: Notices | None = None
    usage: Usage = field(default_factory=Usage)
    by_model: Callable[[], Mapping[str, Usage]] | None = None
    billed_to: Mapping[str, str] = field(default_factory=dict)  # model -> who pays ("copilot"), when not the key's

    def add(self, usage: Usage) -> None:
        """Count ``usage`` (what the API reported for calls made): the one place a task's usage grows."""
        self.usage = self.usage + usage

    def split(self, usage: Usage | None = None) -> dict[str, Usage]:
        """``usage`` (default: everything so far) by model; what no model's record holds counts as ``model``'s."""
        total = self.usage if usage is None else usage
        recorded = {name: used for name, used in (self.by_model() if self.by_model else {}).items() if used.calls}
        if set(recorded) <= {self.model}:
            return {self.model: total}
        rest = _minus(total, sum(recorded.values(), Usage()))
        if rest.calls or rest.total_tokens:
            recorded[self.model] = recorded.get(self.model, Usage()) + rest
        return recorded

    def cost(self, usage: Usage | None = None) -> Decimal:
        """USD for ``usage`` (default: everything so far), each model at its price; an unknown model costs 0."""
        parts = self.split(usage)
        return sum((price_usage(used, name, self.prices)[0] for name, used in parts.items()), Decimal(0))

    @property
    def priced(self) -> bool:
        """Whether the model has a price: without one every cost is 0, and no cap can trip."""
        return find_price(self.model, self.prices) is not None

    @property
    def models(self) -> str:
        """The models that answered, for the cost line: ``model``, or ``primary, fallback``."""
        return ", ".join(self.split())

    def cost_line(self) -> str:
        line = cost_line(self.usage, self.cost(), self.models)
        if self.usage.unknown_calls:
            line += f" · {self.usage.unknown_calls} timed-out calls of unknown usage"
        if any(self.billed_to.get(name) == "copilot" for name in self.split()):
            line += " · billed to the organization's Copilot plan"
        return line

    def bill(self, task: Task) -> Bill:
        """The bill of everything the task used; the task carries the same figures."""
        parts = self.split()
        for name, used in parts.items():
            warning = price_usage(used, name, self.prices)[1]
            if warning and self.notices:
                self.notices.warning(warning)
        bill = create_bill(task, self.usage, self.model, self.prices, self.run_id, by_model=parts,
                           billed_to=self.billed_to)
        task.usage, task.cost_usd = self.usage, bill.cost_usd
        task.model_usage = [ModelUsage(model=name, usage=used, cost_usd=share.cost_usd)
                            for (name, used), share in zip(parts.items(), bill.models, strict=True)]
        return bill

    def settle(self, task: Task) -> Bill:
        """Bill the task into the ledger and deliver every bill still unsent; never fails the task.

        The two homes of a bill stand apart: one the ledger could not take is still sent to the
        billing endpoint (its Idempotency-Key bills it once however often it is sent), and one the
        endpoint could not take waits in the ledger for the next run. With both, the bills are sent
        between the ledger's read and its write, and the settlement and the deliveries are one commit.
        """
        bill = self.bill(task)
        ledger, billing = self.ledger, self.billing
        if ledger is None:
            if billing is not None:
                self._attempt("", billing.send, bill)
            return bill
        if billing is None:
            self._attempt("the ledger could not take the bill", ledger.settle, bill)
            return bill
        from prpilot.billing.delivery import deliver_pending

        try:  # the settlement and the deliveries in one write on the ledger
            deliver_pending(ledger, billing, bill)
        except BillingError as exc:  # recorded: what the endpoint did not take waits in the ledger
            self._warn(exc.message)
        except Exception as exc:  # the ledger could not take it: the endpoint still gets it
            self._warn(f"the ledger could not take the bill: {_said(exc)}")
            self._attempt("", billing.send, bill)
        return bill

    def _attempt(self, what: str, call: Callable[..., object], *args: object) -> None:
        """Run one half of settling; a failure is a warning (the task's outcome stands), said in words."""
        try:
            call(*args)
        except Exception as exc:  # a ledger or a sender that breaks must not keep the task from its answer
            self._warn(f"{what + ': ' if what else ''}{_said(exc)}")

    def _warn(self, message: str) -> None:
        log.warning("billing: %s", message)
        if self.notices:
            self.notices.warning(f"billing: {message}")


def _said(exc: Exception) -> str:
    """An error in words: prpilot's own message, else the type and text of one it did not expect."""
    return exc.message if isinstance(exc, PrpilotError) else f"{type(exc).__name__}: {exc}"


def _minus(total: Usage, part: Usage) -> Usage:
    """What ``total`` holds beyond ``part``, never below zero."""
    return Usage(
        prompt_tokens=max(0, total.prompt_tokens - part.prompt_tokens),
        cached_tokens=max(0, total.cached_tokens - part.cached_tokens),
        completion_tokens=max(0, total.completion_tokens - part.completion_tokens),
        calls=max(0, total.calls - part.calls),
    )
