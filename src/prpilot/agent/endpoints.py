"""Which endpoint, key and model name each model of a task uses: pure rules over the settings.

With neither ``openai-api-key`` nor ``openai-base-url`` set, prpilot needs no secret at all: it
calls GitHub Models' OpenAI-compatible endpoint with the workflow's ``github-token``
(https://docs.github.com/en/github-models). That token goes to the models endpoint and nowhere
else: a fallback on another host must bring its own key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prpilot.agent.model import ChatModel, ModelReply
from prpilot.errors import ConfigError, ModelError
from prpilot.settings import Settings

# GitHub Models names a model by publisher and name; the publisher of OpenAI's is "openai".
ROUTER_PUBLISHER = "openai"

MODELS_PERMISSION = (
    "GitHub Models refused the workflow's token{status}: give the job `permissions: models: read` "
    "(or set openai-api-key to use another endpoint)."
)


@dataclass(frozen=True)
class Endpoint:
    """Where one model is called: base URL (empty: OpenAI's own), key and model name as sent."""

    base_url: str
    api_key: str
    model: str
    github_models: bool = False


def models_name(model: str) -> str:
    """``model`` as GitHub Models names it: ``gpt-4.1-mini`` (the input's default) is ``openai/gpt-4.1-mini``.

    A name with a publisher (``meta/Llama-4-Scout-17B-16E-Instruct``, ``openai/gpt-4.1``) is kept.
    """
    return model if "/" in model else f"{ROUTER_PUBLISHER}/{model}"


def primary_endpoint(settings: Settings) -> Endpoint:
    """The endpoint of the ``model`` input: OpenAI-compatible as configured, else GitHub Models."""
    if settings.openai_api_key or settings.openai_base_url:
        return Endpoint(settings.openai_base_url, settings.openai_api_key, settings.model)
    if not settings.github_token:
        raise ConfigError(
            "no model endpoint: openai-api-key and openai-base-url are empty, and GitHub Models needs the "
            "github-token input"
        )
    return Endpoint(settings.github_models_url, settings.github_token, models_name(settings.model), True)


def fallback_endpoint(settings: Settings, primary: Endpoint) -> Endpoint | None:
    """The endpoint of ``fallback-model`` (None when there is none); empty URL and key are the primary's."""
    if not settings.fallback_model:
        return None
    base_url = settings.fallback_base_url or primary.base_url
    same_host = base_url.rstrip("/") == primary.base_url.rstrip("/")
    if settings.fallback_api_key:
        api_key = settings.fallback_api_key
    elif primary.github_models and not same_host:
        raise ConfigError(
            "fallback-base-url points away from GitHub Models, so fallback-api-key must be set: prpilot sends "
            "the github-token to GitHub Models only"
        )
    else:
        api_key = primary.api_key
    on_models = primary.github_models and same_host
    model = models_name(settings.fallback_model) if on_models else settings.fallback_model
    return Endpoint(base_url, api_key, model, on_models)


@dataclass
class GitHubModelsAccess:
    """Wrap the GitHub Models model: a refused token (401/403) is explained in one sentence."""

    inner: ChatModel

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
        try:
            return self.inner.complete(messages, tools)
        except ModelError as exc:
            status = http_status(exc)
            if status in (401, 403):
                raise ModelError(MODELS_PERMISSION.format(status=f" ({status})")) from exc
            raise


def http_status(exc: ModelError) -> int | None:
    """The HTTP status behind a ModelError from the OpenAI adapter, when an answer caused it."""
    status = getattr(exc.__cause__, "status_code", None)
    return status if isinstance(status, int) else None
