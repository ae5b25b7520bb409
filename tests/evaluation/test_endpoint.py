"""Which endpoint the eval calls: the action's rules, with the GitHub token from the environment."""

from __future__ import annotations

import pytest

from prpilot.errors import ConfigError
from prpilot.evaluation.endpoint import endpoint_target
from prpilot.settings import GITHUB_MODELS_URL


def test_a_base_url_or_a_key_is_that_endpoint_as_given() -> None:
    local = endpoint_target(model="qwen", base_url="http://127.0.0.1:8080/v1", github_token="ghp_x")
    assert local.inputs == {"openai-api-key": "", "openai-base-url": "http://127.0.0.1:8080/v1", "model": "qwen"}
    assert local.endpoint == "http://127.0.0.1:8080/v1"
    openai = endpoint_target(model="gpt-4.1-mini", api_key="sk-1")
    assert openai.endpoint == "OpenAI"
    assert (openai.inputs["openai-api-key"], openai.inputs["openai-base-url"]) == ("sk-1", "")


def test_neither_is_github_models_with_the_token_and_a_publisher_on_the_names() -> None:
    target = endpoint_target(model="gpt-4.1-mini", github_token="ghp_token", fallback_model="gpt-4.1-nano")
    assert target.endpoint == "GitHub Models"
    assert target.inputs["openai-base-url"] == GITHUB_MODELS_URL
    assert target.inputs["openai-api-key"] == "ghp_token"
    assert (target.model, target.inputs["fallback-model"]) == ("openai/gpt-4.1-mini", "openai/gpt-4.1-nano")
    assert endpoint_target(model="m", github_token="t", github_models_url="http://proxy/v1").inputs[
        "openai-base-url"] == "http://proxy/v1"


def test_no_endpoint_and_a_fallback_away_from_github_models_without_a_key_are_refused() -> None:
    with pytest.raises(ConfigError, match="no model endpoint"):
        endpoint_target(model="m")
    with pytest.raises(ConfigError, match="--fallback-api-key-env"):
        endpoint_target(model="m", github_token="t", fallback_model="f", fallback_base_url="http://elsewhere/v1")
    elsewhere = endpoint_target(model="m", github_token="t", fallback_model="f",
                                fallback_base_url="http://elsewhere/v1", fallback_api_key="k")
    assert elsewhere.inputs["fallback-model"] == "f"
