"""Which endpoint, key and model name each model uses: OpenAI-compatible as set, else GitHub Models."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from prpilot.agent.endpoints import (
    Endpoint,
    GitHubModelsAccess,
    fallback_endpoint,
    models_name,
    primary_endpoint,
)
from prpilot.agent.model import ModelReply
from prpilot.agent.openai_model import OpenAIChatModel
from prpilot.billing.pricing import load_prices, price_usage
from prpilot.errors import ConfigError, ModelError
from prpilot.settings import GITHUB_MODELS_URL, Settings, parse_settings
from prpilot.task import Usage
from prpilot.testing.openai_server import OpenAIServer, error

TOKEN = "ghs_workflowtoken0123"


@pytest.mark.parametrize(
    ("model", "sent"),
    [
        ("gpt-4.1-mini", "openai/gpt-4.1-mini"),
        ("gpt-4o", "openai/gpt-4o"),
        ("openai/gpt-4.1", "openai/gpt-4.1"),
        ("meta/Llama-4-Scout-17B-16E-Instruct", "meta/Llama-4-Scout-17B-16E-Instruct"),
    ],
)
def test_a_name_without_a_publisher_is_openais_on_github_models(model: str, sent: str) -> None:
    assert models_name(model) == sent


def test_no_key_and_no_base_url_is_github_models_with_the_workflow_token() -> None:
    settings = parse_settings({"github-token": TOKEN})
    assert primary_endpoint(settings) == Endpoint(GITHUB_MODELS_URL, TOKEN, "openai/gpt-4.1-mini", True)
    moved = parse_settings({"github-token": TOKEN}, github_models_url="http://127.0.0.1:9/v1")
    assert primary_endpoint(moved).base_url == "http://127.0.0.1:9/v1"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"openai-api-key": "sk-proj-0123456789"}, Endpoint("", "sk-proj-0123456789", "gpt-4.1-mini")),
        ({"openai-base-url": "http://llm:8080/v1"}, Endpoint("http://llm:8080/v1", "", "gpt-4.1-mini")),
        (
            {"openai-api-key": "k" * 12, "openai-base-url": "http://llm:8080/v1", "model": "qwen"},
            Endpoint("http://llm:8080/v1", "k" * 12, "qwen"),
        ),
    ],
)
def test_a_key_or_a_base_url_is_the_openai_compatible_endpoint_as_set(
    raw: dict[str, str], expected: Endpoint
) -> None:
    endpoint = primary_endpoint(parse_settings({"github-token": TOKEN, **raw}))
    assert endpoint == expected
    assert endpoint.api_key != TOKEN


def test_github_models_without_a_token_is_a_clear_config_error() -> None:
    with pytest.raises(ConfigError, match="GitHub Models needs the github-token"):
        primary_endpoint(Settings())


def test_the_fallback_shares_the_endpoint_and_key_unless_given_its_own() -> None:
    base = {"openai-api-key": "sk-proj-0123456789", "openai-base-url": "http://a/v1", "fallback-model": "small"}
    settings = parse_settings(base)
    assert fallback_endpoint(settings, primary_endpoint(settings)) == Endpoint("http://a/v1", "sk-proj-0123456789",
                                                                                "small")
    own = parse_settings({**base, "fallback-base-url": "http://b/v1", "fallback-api-key": "sk-other-0123456"})
    assert fallback_endpoint(own, primary_endpoint(own)) == Endpoint("http://b/v1", "sk-other-0123456", "small")
    assert fallback_endpoint(parse_settings({}), Endpoint("", "k", "m")) is None


def test_the_github_token_never_goes_to_a_fallback_elsewhere() -> None:
    on_models = parse_settings({"github-token": TOKEN, "fallback-model": "gpt-4.1-nano"})
    assert fallback_endpoint(on_models, primary_endpoint(on_models)) == Endpoint(
        GITHUB_MODELS_URL, TOKEN, "openai/gpt-4.1-nano", True
    )
    elsewhere = parse_settings({"github-token": TOKEN, "fallback-model": "qwen", "fallback-base-url": "http://b/v1"})
    with pytest.raises(ConfigError, match="fallback-api-key must be set"):
        fallback_endpoint(elsewhere, primary_endpoint(elsewhere))


@pytest.mark.parametrize(
    ("prices", "expected"),
    [
        ("", Decimal("0.000002")),  # gpt-4.1-mini: $0.40 + $1.60 per million
        ('{"openai/gpt-4.1-mini": {"input": 10, "output": 10}}', Decimal("0.00002")),
    ],
)
def test_a_router_prefixed_model_is_priced_as_its_model_unless_prices_names_it(prices: str, expected: Decimal) -> None:
    usage = Usage(prompt_tokens=1, completion_tokens=1, calls=1)
    cost, warning = price_usage(usage, "openai/gpt-4.1-mini", load_prices(prices))
    assert warning is None
    assert cost == expected


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_names_the_models_permission(openai_server: OpenAIServer, status: int) -> None:
    openai_server.script(error(status, "no access"))
    model = GitHubModelsAccess(OpenAIChatModel(openai_server.base_url, TOKEN, "openai/gpt-4.1-mini"))
    with pytest.raises(ModelError) as refused:
        model.complete([{"role": "user", "content": "hi"}], [])
    assert refused.value.message == (
        f"GitHub Models refused the workflow's token ({status}): give the job `permissions: models: read` "
        "(or set openai-api-key to use another endpoint)."
    )


def test_other_failures_pass_through_unchanged() -> None:
    class Failing:
        def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
            raise ModelError("The model endpoint (x) answered something unexpected.")

    with pytest.raises(ModelError, match="something unexpected"):
        GitHubModelsAccess(Failing()).complete([], [])
