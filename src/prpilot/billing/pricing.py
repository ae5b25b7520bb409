"""Model prices and cost arithmetic: exact Decimal, from the usage the model API reported.

Prices are USD per million tokens. The built-in table holds OpenAI's public list prices (standard
processing, prompts under the long-context threshold) as published on :data:`PRICES_AS_OF`
(https://openai.com/api/pricing/), and the per-token prices of the models Copilot requests serve
(:data:`COPILOT_PRICES_AS_OF`; Copilot bills them in AI credits, 1 credit = $0.01); each row's source
is in :data:`PRICE_SOURCES`. The ``prices`` input overrides or extends the table with the same shape:
``{"model": {"input": 2, "cached_input": 0.5, "output": 8}}``. Models OpenAI still serves but no longer
lists stay at their last list price.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal, localcontext
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from prpilot.errors import ConfigError
from prpilot.task import Usage

PRICES_AS_OF = "2026-06-01"
COPILOT_PRICES_AS_OF = "2026-10-03"

OPENAI_LIST = f"OpenAI's list prices, https://openai.com/api/pricing/, {PRICES_AS_OF}"
# Input and output: GitHub's supported-models page (docs.github.com/en/copilot/reference/ai-models/
# supported-models) as kept by rajbos/github-copilot-model-notifier, release models-2026-10-03. Cached
# input: a tenth of input, the providers' cache-read rate, as github/gh-aw-firewall's
# containers/api-proxy/ai-credits-pricing.js (read 2026-12-07) also prices it.
COPILOT_LIST = f"Copilot's supported-models page, {COPILOT_PRICES_AS_OF}; cached input a tenth of input"


class Price(BaseModel):
    """What one million tokens cost, in USD. ``cached_input`` defaults to ``input`` (no discount)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    input: Decimal = Field(ge=0, allow_inf_nan=False)
    cached_input: Decimal | None = Field(default=None, ge=0, allow_inf_nan=False)
    output: Decimal = Field(ge=0, allow_inf_nan=False)

    @property
    def cached_rate(self) -> Decimal:
        return self.input if self.cached_input is None else self.cached_input


PriceTable = Mapping[str, Price]


def _p(input_: str, cached: str, output: str) -> Price:
    return Price(input=Decimal(input_), cached_input=Decimal(cached), output=Decimal(output))


DEFAULT_PRICES: dict[str, Price] = {
    "gpt-5.5": _p("5.00", "0.50", "30.00"),
    "gpt-5.4": _p("2.50", "0.25", "15.00"),
    "gpt-5.4-mini": _p("0.75", "0.075", "4.50"),
    "gpt-5.4-nano": _p("0.20", "0.02", "1.25"),
    "gpt-5.2": _p("1.75", "0.175", "14.00"),
    "gpt-5.1": _p("1.25", "0.125", "10.00"),
    "gpt-5": _p("1.25", "0.125", "10.00"),
    "gpt-5-mini": _p("0.25", "0.025", "2.00"),
    "gpt-5-nano": _p("0.05", "0.005", "0.40"),
    "gpt-4.1": _p("2.00", "0.50", "8.00"),
    "gpt-4.1-mini": _p("0.40", "0.10", "1.60"),
    "gpt-4.1-nano": _p("0.10", "0.025", "0.40"),
    "gpt-4o": _p("2.50", "1.25", "10.00"),
    "gpt-4o-mini": _p("0.15", "0.075", "0.60"),
    "o3": _p("2.00", "0.50", "8.00"),
    "o4-mini": _p("1.10", "0.275", "4.40"),
    # Served through Copilot requests (and, the GPT ones, by OpenAI), by Copilot's model ids.
    "gpt-5.3-codex": _p("1.75", "0.175", "14.00"),
    "gpt-5.2-codex": _p("1.75", "0.175", "14.00"),
    "claude-haiku-4.5": _p("1.00", "0.10", "5.00"),
    "claude-sonnet-4.5": _p("3.00", "0.30", "15.00"),
    "claude-sonnet-4.6": _p("3.00", "0.30", "15.00"),
    "claude-opus-4.8": _p("5.00", "0.50", "25.00"),
    "claude-sonnet-5": _p("2.00", "0.20", "10.00"),
    "gemini-2.5-pro": _p("1.25", "0.125", "10.00"),
    "gemini-3-flash": _p("0.50", "0.05", "3.00"),
    "gemini-3.1-pro": _p("2.00", "0.20", "12.00"),
    "gemini-3.5-flash": _p("1.50", "0.15", "9.00"),
}
_COPILOT_ROWS = ("gpt-5.3-codex", "gpt-5.2-codex", "claude-", "gemini-")
PRICE_SOURCES: dict[str, str] = {
    model: COPILOT_LIST if model.startswith(_COPILOT_ROWS) else OPENAI_LIST for model in DEFAULT_PRICES
}

# Anthropic's own ids write versions with a dash (claude-sonnet-4-6), Copilot's with a dot (claude-sonnet-4.6).
_DASHED_VERSION = re.compile(r"^(claude-[a-z]+-\d+)-(\d+)$")

# Snapshot suffixes the API reports in place of the alias: gpt-4o-2024-08-06, gpt-4-0613.
_DATED = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")


def parse_prices(text: str) -> dict[str, Price]:
    """Parse a price table from JSON text; a malformed table raises ConfigError saying where."""
    try:
        raw = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except ValueError as exc:
        raise ConfigError(f"input prices is not valid JSON: {exc}") from None
    except RecursionError:
        raise ConfigError("input prices is nested too deep to be a price table") from None
    if not isinstance(raw, dict):
        raise ConfigError('input prices must be a JSON object such as {"gpt-4o": {"input": 2.5, "output": 10}}')
    table: dict[str, Price] = {}
    for model, entry in raw.items():
        try:
            table[model.lower()] = Price.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'value'}: {err['msg']}" for err in exc.errors()
            )
            raise ConfigError(
                f"input prices: entry {model!r} must look like "
                f'{{"input": 2, "cached_input": 0.5, "output": 8}} (USD per million tokens); {problems}'
            ) from None
    return table


def load_prices(override: str = "") -> dict[str, Price]:
    """Return the built-in table updated with ``override`` (JSON text, a JSON file's path, or empty)."""
    table = dict(DEFAULT_PRICES)
    override = override.strip()
    if not override:
        return table
    if override[0] not in "{[":  # JSON text; anything else names a file
        try:
            override = Path(override).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"input prices: cannot read price file {override!r}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"input prices: the price file {override!r} is not UTF-8 text") from None
    table.update(parse_prices(override))
    return table


def find_price(model: str, prices: PriceTable) -> Price | None:
    """Find ``model``'s price, tolerating case, a provider prefix and a dated snapshot suffix."""
    name = model.strip().lower()
    candidates = [name, name.rsplit("/", 1)[-1]]  # "openai/gpt-4o" as routers name it
    for candidate in list(candidates):
        undated = _DATED.sub("", candidate)
        if undated != candidate:
            candidates.append(undated)
    candidates += [_DASHED_VERSION.sub(r"\1.\2", c) for c in list(candidates) if _DASHED_VERSION.match(c)]
    for candidate in candidates:
        if candidate in prices:
            return prices[candidate]
    return None


def cost(usage: Usage, price: Price) -> Decimal:
    """Return the exact cost in USD; cached tokens are the part of the prompt billed at the cached rate."""
    cached = min(max(usage.cached_tokens, 0), max(usage.prompt_tokens, 0))
    uncached = max(usage.prompt_tokens, 0) - cached
    output = max(usage.completion_tokens, 0)
    with localcontext(prec=100):  # far beyond any token count times any price: no rounding happens
        micro = uncached * price.input + cached * price.cached_rate + output * price.output
        return micro.scaleb(-6)  # USD per million tokens -> USD


def unknown_model_warning(model: str) -> str:
    """The warning shown when a model has no price: its cost counts as 0."""
    return (
        f"no price known for model {model!r}: its cost is recorded as 0 USD. "
        'Add it with the prices input, e.g. {"' + model + '": {"input": 1, "cached_input": 0.5, "output": 4}}.'
    )


def price_usage(usage: Usage, model: str, prices: PriceTable) -> tuple[Decimal, str | None]:
    """Cost ``usage`` on ``model``: (cost, None), or (0, warning) when the model has no price."""
    price = find_price(model, prices)
    if price is None:
        return Decimal(0), unknown_model_warning(model)
    return cost(usage, price), None
