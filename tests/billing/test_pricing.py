"""Prices and cost arithmetic: exact, tolerant of model names, loud about bad tables."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from prpilot.billing.pricing import (
    DEFAULT_PRICES,
    Price,
    cost,
    find_price,
    load_prices,
    parse_prices,
    price_usage,
)
from prpilot.errors import ConfigError
from prpilot.task import Usage

GPT_4O = Price(input=Decimal("2.50"), cached_input=Decimal("1.25"), output=Decimal("10.00"))


@pytest.mark.parametrize(
    ("prompt", "cached", "completion", "expected"),
    [
        (0, 0, 0, "0"),
        (1_000_000, 0, 0, "2.50"),
        (1_000_000, 1_000_000, 0, "1.25"),
        (0, 0, 1_000_000, "10.00"),
        (1, 0, 0, "0.0000025"),
        (1, 1, 1, "0.00001125"),
        (1000, 400, 200, "0.004"),  # 600*2.5 + 400*1.25 + 200*10 = 4000 micro-dollars
        (123_457, 100_000, 9_876, "0.28240250"),
        (10, 50, 0, "0.0000125"),  # more cached than prompt (nonsense): capped at the prompt
    ],
)
def test_cost_bills_cached_tokens_as_part_of_the_prompt(
    prompt: int, cached: int, completion: int, expected: str
) -> None:
    usage = Usage(prompt_tokens=prompt, cached_tokens=cached, completion_tokens=completion)
    assert cost(usage, GPT_4O) == Decimal(expected)


def test_cost_is_exact_where_floats_drift() -> None:
    price = Price(input=Decimal("0.1"), output=Decimal("0.2"))
    total = sum((cost(Usage(prompt_tokens=1, completion_tokens=1), price) for _ in range(10)), Decimal(0))
    assert total == Decimal("0.000003")


def test_cached_rate_defaults_to_input_rate() -> None:
    price = Price(input=Decimal(3), output=Decimal(6))
    assert cost(Usage(prompt_tokens=10, cached_tokens=10), price) == Decimal("0.00003")


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("gpt-4o", "gpt-4o"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("GPT-4.1-Mini", "gpt-4.1-mini"),
        ("gpt-4.1-2025-04-14", "gpt-4.1"),
        ("o3-2025-04-16", "o3"),
        ("o4-mini", "o4-mini"),
        ("openai/gpt-5-mini", "gpt-5-mini"),
        ("gpt-5-2025-08-07", "gpt-5"),
        (" gpt-4.1-nano ", "gpt-4.1-nano"),
    ],
)
def test_find_price_tolerates_dated_and_prefixed_names(model: str, expected: str) -> None:
    assert find_price(model, DEFAULT_PRICES) is DEFAULT_PRICES[expected]


@pytest.mark.parametrize("model", ["my-azure-deployment", "gpt-4o-turbo-preview", "llama-3-70b", ""])
def test_unknown_model_costs_zero_with_a_warning(model: str) -> None:
    usage = Usage(prompt_tokens=1000, completion_tokens=1000)
    amount, warning = price_usage(usage, model, DEFAULT_PRICES)
    assert amount == 0
    assert warning is not None
    assert repr(model) in warning
    assert "prices" in warning


def test_known_model_has_no_warning() -> None:
    amount, warning = price_usage(Usage(prompt_tokens=1_000_000), "gpt-4.1-mini", DEFAULT_PRICES)
    assert (amount, warning) == (Decimal("0.40"), None)


def test_every_built_in_model_is_priced() -> None:
    wanted = {"gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini", "o3", "o4-mini", "gpt-5"}
    current = {"gpt-5.5", "gpt-5.4", "gpt-5.4-mini", "gpt-5.4-nano", "gpt-5.2", "gpt-5.1"}
    assert wanted | current | {"gpt-5-mini"} <= DEFAULT_PRICES.keys()
    for price in DEFAULT_PRICES.values():
        assert price.cached_rate <= price.input < price.output


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        # One million uncached prompt tokens + one million cached + one million completion tokens,
        # at the list prices of the pricing page (input + cached input + output).
        ("gpt-5.4-mini-2026-03-17", "5.325"),  # 0.75 + 0.075 + 4.50
        ("gpt-5.5", "35.50"),  # 5.00 + 0.50 + 30.00
        ("gpt-5.2", "15.925"),  # 1.75 + 0.175 + 14.00
    ],
)
def test_current_models_are_billed_at_their_list_prices(model: str, expected: str) -> None:
    usage = Usage(prompt_tokens=2_000_000, cached_tokens=1_000_000, completion_tokens=1_000_000)
    amount, warning = price_usage(usage, model, DEFAULT_PRICES)
    assert (amount, warning) == (Decimal(expected), None)


@pytest.mark.parametrize(
    ("override", "model", "expected"),
    [
        ('{"gpt-4o": {"input": 5, "cached_input": 1, "output": 20}}', "gpt-4o-2024-05-13", "0.021"),
        ('{"My-Model": {"input": 1, "output": 2}}', "my-model", "0.003"),  # cached billed at input
        ('{"local": {"input": 0, "output": 0}}', "local", "0"),
        ('{"x": {"input": 0.000001, "output": 1e-6}}', "x", "0.000000002000"),
        ("", "gpt-4o", "0.01125"),
    ],
)
def test_override_replaces_or_adds_models(override: str, model: str, expected: str) -> None:
    prices = load_prices(override)
    amount, _ = price_usage(Usage(prompt_tokens=1000, cached_tokens=1000, completion_tokens=1000), model, prices)
    assert amount == Decimal(expected)
    assert "gpt-4.1" in prices  # the built-in table stays underneath


def test_override_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"house-model": {"input": 1, "cached_input": 0.1, "output": 3}}))
    assert find_price("house-model", load_prices(str(path))) == Price(
        input=Decimal(1), cached_input=Decimal("0.1"), output=Decimal(3)
    )


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"m": {"input": 1}}', "entry 'm'"),
        ('{"m": {"input": -1, "output": 1}}', "greater than or equal to 0"),
        ('{"m": {"input": "cheap", "output": 1}}', "input"),
        ('{"m": {"input": 1, "output": 1, "outptu": 2}}', "outptu"),
        ('{"m": 3}', "entry 'm'"),
        ("/no/such/prices.json", "cannot read price file"),
    ],
)
def test_bad_override_is_a_config_error(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_prices(override)


def test_parse_prices_keeps_decimals_exact() -> None:
    table = parse_prices('{"m": {"input": 0.1, "cached_input": 0.01, "output": 0.3}}')
    assert table["m"].input == Decimal("0.1")
    assert table["m"].output == Decimal("0.3")


def test_every_built_in_row_names_its_source_and_date() -> None:
    from prpilot.billing.pricing import PRICE_SOURCES

    assert PRICE_SOURCES.keys() == DEFAULT_PRICES.keys()
    assert all(re.search(r"\d{4}-\d{2}-\d{2}", source) for source in PRICE_SOURCES.values())
    assert "Copilot" in PRICE_SOURCES["claude-sonnet-4.6"]
    assert "OpenAI" in PRICE_SOURCES["gpt-5-mini"]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        # 1M uncached + 1M cached prompt tokens + 1M completion tokens, as in the test above.
        ("gpt-5.3-codex", "15.925"),  # 1.75 + 0.175 + 14.00
        ("claude-sonnet-4.6", "18.30"),  # 3 + 0.30 + 15
        ("claude-sonnet-4-6", "18.30"),  # Anthropic's own id finds Copilot's row
        ("claude-haiku-4.5", "6.10"),  # 1 + 0.10 + 5
        ("gemini-3.1-pro", "14.20"),  # 2 + 0.20 + 12
    ],
)
def test_the_models_copilot_serves_are_priced_per_token(model: str, expected: str) -> None:
    usage = Usage(prompt_tokens=2_000_000, cached_tokens=1_000_000, completion_tokens=1_000_000)
    assert price_usage(usage, model, DEFAULT_PRICES) == (Decimal(expected), None)


def test_a_price_file_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    """``prices: prices.json`` naming a Latin-1 file passes the input check (it is a file), then load_prices
    raises UnicodeDecodeError: "prpilot: internal error (UnicodeDecodeError: ...)" (``prpilot eval --prices``
    the same)."""
    from prpilot.billing.pricing import load_prices

    path = tmp_path / "prices.json"
    path.write_bytes('{"caf\u00e9": {"input": 1, "output": 2}}'.encode("latin-1"))

    with pytest.raises(ConfigError, match="prices"):
        load_prices(str(path))


def test_prices_nested_too_deep_are_a_config_error() -> None:
    """parse_settings and parse_prices catch ValueError only: JSON nested past the parser's depth raises
    RecursionError, an internal error (output-schema, read the same way, catches it)."""
    from prpilot.settings import parse_settings

    deep = '{"gpt-x": ' + "[" * 100_000 + "]" * 100_000 + "}"

    with pytest.raises(ConfigError, match="prices"):
        parse_settings({"prices": deep})
