"""Which endpoint, key and model name each model uses: OpenAI-compatible as set, else the Copilot API."""

from __future__ import annotations

from typing import Any

import pytest

from prpilot.agent.endpoints import (
    CopilotAccess,
    Endpoint,
    copilot_host,
    fallback_endpoint,
    payers,
    primary_endpoint,
)
from prpilot.agent.model import ModelReply
from prpilot.agent.openai_model import OpenAIChatModel
from prpilot.errors import ConfigError, ModelError
from prpilot.settings import COPILOT_API_URL, Settings, copilot_api_url, parse_settings
from prpilot.testing.openai_server import OpenAIServer, error

TOKEN = "ghs_workflowtoken0123"
COPILOT_ID = "copilot-developer-cli"


@pytest.mark.parametrize(
    ("server_url", "api"),
    [
        ("https://github.com", "https://api.githubcopilot.com"),
        ("", "https://api.githubcopilot.com"),
        ("https://octocorp.ghe.com", "https://copilot-api.octocorp.ghe.com"),
        ("https://github.example.com", "https://api.enterprise.githubcopilot.com"),
    ],
)
def test_the_copilot_api_follows_the_github_instance(server_url: str, api: str) -> None:
    assert copilot_api_url(server_url) == api


def test_no_key_and_no_base_url_is_the_copilot_api_with_the_workflow_token() -> None:
    settings = parse_settings({"github-token": TOKEN})
    endpoint = primary_endpoint(settings)
    assert endpoint == Endpoint(COPILOT_API_URL, TOKEN, "gpt-5-mini", COPILOT_ID)
    assert endpoint.headers == {"Copilot-Integration-Id": COPILOT_ID}
    moved = parse_settings({"github-token": TOKEN, "copilot-integration-id": "mine"}, copilot_api="http://127.0.0.1:9/")
    assert primary_endpoint(moved) == Endpoint("http://127.0.0.1:9", TOKEN, "gpt-5-mini", "mine")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"openai-api-key": "sk-proj-0123456789"}, Endpoint("", "sk-proj-0123456789", "gpt-5-mini")),
        ({"openai-base-url": "http://llm:8080/v1"}, Endpoint("http://llm:8080/v1", "", "gpt-5-mini")),
        (
            {"openai-api-key": "k" * 12, "openai-base-url": "http://llm:8080/v1", "model": "qwen"},
            Endpoint("http://llm:8080/v1", "k" * 12, "qwen"),
        ),
        (
            {"openai-api-key": "gho_x" * 3, "openai-base-url": "https://api.githubcopilot.com"},
            Endpoint("https://api.githubcopilot.com", "gho_x" * 3, "gpt-5-mini", COPILOT_ID),
        ),
    ],
)
def test_a_key_or_a_base_url_is_the_openai_compatible_endpoint_as_set(
    raw: dict[str, str], expected: Endpoint
) -> None:
    endpoint = primary_endpoint(parse_settings({"github-token": TOKEN, **raw}))
    assert endpoint == expected
    assert endpoint.api_key != TOKEN


@pytest.mark.parametrize(
    ("url", "copilot"),
    [
        ("https://api.githubcopilot.com", True),
        ("https://api.enterprise.githubcopilot.com/", True),
        ("https://copilot-api.octocorp.ghe.com", True),
        ("https://api.openai.com/v1", False),
        ("https://githubcopilot.com.evil.example/v1", False),
        ("", False),
    ],
)
def test_copilot_hosts_are_told_by_their_name(url: str, copilot: bool) -> None:
    assert copilot_host(url) is copilot


def test_copilot_without_a_token_is_a_clear_config_error() -> None:
    with pytest.raises(ConfigError, match="Copilot requests need the github-token"):
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
    on_copilot = parse_settings({"github-token": TOKEN, "fallback-model": "gpt-5-nano"})
    assert fallback_endpoint(on_copilot, primary_endpoint(on_copilot)) == Endpoint(
        COPILOT_API_URL, TOKEN, "gpt-5-nano", COPILOT_ID
    )
    assert payers(on_copilot) == {"gpt-5-mini": "copilot", "gpt-5-nano": "copilot"}
    elsewhere = parse_settings({"github-token": TOKEN, "fallback-model": "qwen", "fallback-base-url": "http://b/v1"})
    with pytest.raises(ConfigError, match="fallback-api-key must be set"):
        fallback_endpoint(elsewhere, primary_endpoint(elsewhere))
    own_key = parse_settings({"github-token": TOKEN, "fallback-model": "qwen", "fallback-base-url": "http://b/v1",
                              "fallback-api-key": "sk-b-0123456789"})
    fallback = fallback_endpoint(own_key, primary_endpoint(own_key))
    assert fallback == Endpoint("http://b/v1", "sk-b-0123456789", "qwen")
    assert payers(own_key) == {"gpt-5-mini": "copilot"}  # the fallback elsewhere is paid by its own key


def test_a_key_of_its_own_is_billed_to_nobody_else() -> None:
    assert payers(parse_settings({"openai-api-key": "sk-proj-0123456789"})) == {}
    assert payers(Settings()) == {}


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_names_the_copilot_permission(openai_server: OpenAIServer, status: int) -> None:
    openai_server.script(error(status, "no access"))
    model = CopilotAccess(OpenAIChatModel(openai_server.base_url, TOKEN, "gpt-5-mini"))
    with pytest.raises(ModelError) as refused:
        model.complete([{"role": "user", "content": "hi"}], [])
    assert refused.value.message == (
        f"Copilot refused the workflow's token ({status}): the job needs `permissions: copilot-requests: write`, "
        "and the organization must allow Copilot requests billed to it (a user-owned repository has no "
        "organization to bill: set openai-api-key instead)."
    )


def test_other_failures_pass_through_unchanged() -> None:
    class Failing:
        def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
            raise ModelError("The model endpoint (x) answered something unexpected.")

    with pytest.raises(ModelError, match="something unexpected"):
        CopilotAccess(Failing()).complete([], [])
