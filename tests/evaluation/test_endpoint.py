"""Which endpoint the eval calls: the action's rules, with the GitHub token from the environment."""

from __future__ import annotations

import pytest

from prpilot.errors import ConfigError
from prpilot.evaluation.endpoint import endpoint_target
from prpilot.settings import COPILOT_API_URL


def test_a_base_url_or_a_key_is_that_endpoint_as_given() -> None:
    local = endpoint_target(model="qwen", base_url="http://127.0.0.1:8080/v1", github_token="ghp_x")
    assert local.inputs == {"openai-api-key": "", "openai-base-url": "http://127.0.0.1:8080/v1", "model": "qwen",
                            "model-api": "auto"}
    assert local.endpoint == "http://127.0.0.1:8080/v1"
    openai = endpoint_target(model="gpt-4.1-mini", api_key="sk-1")
    assert openai.endpoint == "OpenAI"
    assert (openai.inputs["openai-api-key"], openai.inputs["openai-base-url"]) == ("sk-1", "")


def test_neither_is_the_copilot_api_with_the_token_and_the_names_as_given() -> None:
    target = endpoint_target(model="gpt-5-mini", github_token="ghp_token", fallback_model="gpt-5-nano",
                             model_api="responses")
    assert target.endpoint == "Copilot"
    assert target.inputs["openai-base-url"] == COPILOT_API_URL
    assert target.inputs["openai-api-key"] == "ghp_token"
    assert target.inputs["model-api"] == "responses"
    assert (target.model, target.inputs["fallback-model"]) == ("gpt-5-mini", "gpt-5-nano")
    assert endpoint_target(model="m", github_token="t", copilot_api="http://proxy").inputs[
        "openai-base-url"] == "http://proxy"


def test_no_endpoint_and_a_fallback_away_from_copilot_without_a_key_are_refused() -> None:
    with pytest.raises(ConfigError, match="no model endpoint"):
        endpoint_target(model="m")
    with pytest.raises(ConfigError, match="--fallback-api-key-env"):
        endpoint_target(model="m", github_token="t", fallback_model="f", fallback_base_url="http://elsewhere/v1")
    elsewhere = endpoint_target(model="m", github_token="t", fallback_model="f",
                                fallback_base_url="http://elsewhere/v1", fallback_api_key="k")
    assert elsewhere.inputs["fallback-model"] == "f"
