"""The Bill: what one task cost, priced from the usage the model API reported."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from prpilot.billing.pricing import PriceTable, price_usage
from prpilot.task import Task, TaskStatus, Usage

# Fixed-point text, never exponent notation: "0.000000300", not "3.00E-7".
ExactUSD = Annotated[Decimal, PlainSerializer(lambda amount: format(amount, "f"), return_type=str, when_used="json")]


class ModelBill(BaseModel):
    """One model's share of a bill: its tokens as the API reported them, priced at its own price."""

    model_config = ConfigDict(frozen=True)

    model: str
    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    cost_usd: ExactUSD
    price_known: bool = True
    billed_to: str | None = None  # "copilot": the organization's Copilot plan paid; None: the endpoint's account


class Bill(BaseModel):
    """One task's bill.

    ``cost_usd`` is a Decimal and serializes to JSON as a fixed-point *string* ("0.0123450"), so no float
    rounding creeps in between the price table and the receiver; receivers parse it as a decimal.
    ``price_known`` is false when a model had no price (its cost is then 0). ``models`` splits the
    totals by model (one entry, unless a fallback model took over); the totals are their sums.
    """

    model_config = ConfigDict(frozen=True)

    task_id: str
    repository: str
    user: str
    model: str
    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    cost_usd: ExactUSD
    run_id: str
    pr_number: int | None = None
    pr_url: str | None = None
    status: TaskStatus | None = None
    created_at: datetime
    price_known: bool = True
    models: list[ModelBill] = Field(default_factory=list)  # empty in bills written before the split
    # Requests that timed out after they were sent (usage unknown, not in the counts above), and what the
    # bill's reader should know about them.
    unknown_calls: int = 0
    notes: list[str] = Field(default_factory=list)
    # "copilot" when the model's usage was billed to the organization's Copilot plan (AI credits at these
    # per-token prices); None when the endpoint's own account pays.
    billed_to: str | None = None


def create_bill(
    task: Task,
    usage: Usage,
    model: str,
    prices: PriceTable,
    run_id: str,
    *,
    at: datetime | None = None,
    by_model: Mapping[str, Usage] | None = None,
    billed_to: Mapping[str, str] | None = None,
) -> Bill:
    """Price ``usage`` for ``task``, each model's share (``by_model``, default: all on ``model``) at its price.

    Dated ``at``, else when the task finished (or began). ``billed_to`` names who paid for each model that
    someone other than the endpoint's own account pays for (``{"gpt-5-mini": "copilot"}``).
    """
    payers = billed_to or {}
    shares = [_model_bill(name, used, prices).model_copy(update={"billed_to": payers.get(name)})
              for name, used in (by_model or {model: usage}).items()]
    return Bill(
        task_id=task.id,
        repository=task.github_project,
        user=task.github_user,
        model=model,
        prompt_tokens=usage.prompt_tokens,
        cached_tokens=usage.cached_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=sum((share.cost_usd for share in shares), Decimal(0)),
        run_id=run_id,
        pr_number=task.pr_number,
        pr_url=task.pr_url,
        status=task.status,
        created_at=at or task.finished_at or task.created_at,
        price_known=all(share.price_known for share in shares),
        models=shares,
        billed_to=payers.get(model),
        unknown_calls=usage.unknown_calls,
        notes=[unknown_usage_note(usage.unknown_calls)] if usage.unknown_calls else [],
    )


def unknown_usage_note(calls: int) -> str:
    """The bill's note on requests that timed out after they were sent."""
    requests = "1 model request" if calls == 1 else f"{calls:,} model requests"
    return (f"{requests} timed out after being sent: the endpoint may have generated and billed a reply whose "
            "usage it never reported, so the real cost may be higher than this bill.")


def _model_bill(model: str, usage: Usage, prices: PriceTable) -> ModelBill:
    cost_usd, warning = price_usage(usage, model, prices)
    return ModelBill(
        model=model,
        prompt_tokens=usage.prompt_tokens,
        cached_tokens=usage.cached_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=cost_usd,
        price_known=warning is None,
    )
