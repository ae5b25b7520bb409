"""Which endpoint, key and model name each model of a task uses: pure rules over the settings.

With neither ``openai-api-key`` nor ``openai-base-url`` set, prpilot needs no secret at all: it calls
the Copilot API (OpenAI-compatible) with the workflow's ``github-token``, which a job may use for
inference once it has ``permissions: copilot-requests: write``; the organization's Copilot plan pays
(https://docs.github.com/en/copilot, "Using Copilot CLI in GitHub Actions with GITHUB_TOKEN"). That
token goes to the Copilot API and nowhere else: a fallback on another host must bring its own key.
GitHub Models, the earlier no-secret endpoint, was retired on 2026-07-30 and answers 410.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from prpilot.agent.model import ChatModel, ModelReply
from prpilot.errors import ConfigError, ModelError
from prpilot.settings import Settings

COPILOT_PERMISSION = (
    "Copilot refused the workflow's token{status}: the job needs `permissions: copilot-requests: write`, and the "
    "organization must allow Copilot requests billed to it (a user-owned repository has no organization to bill: "
    "set openai-api-key instead)."
)
# The bill's, the ledger's and the billing POST's word for usage the organization's Copilot plan pays.
BILLED_TO_COPILOT = "copilot"


@dataclass(frozen=True)
class Endpoint:
    """Where one model is called: base URL (empty: OpenAI's own), key and model name as sent.

    ``integration_id`` is set only on the Copilot API, which wants it in a ``Copilot-Integration-Id`` header.
    """

    base_url: str
    api_key: str
    model: str
    integration_id: str = ""

    @property
    def copilot(self) -> bool:
        return bool(self.integration_id)

    @property
    def headers(self) -> dict[str, str]:
        return {"Copilot-Integration-Id": self.integration_id} if self.copilot else {}


def primary_endpoint(settings: Settings) -> Endpoint:
    """The endpoint of the ``model`` input: OpenAI-compatible as configured, else the Copilot API."""
    if settings.openai_api_key or settings.openai_base_url:
        integration = settings.copilot_integration_id if copilot_host(settings.openai_base_url) else ""
        return Endpoint(settings.openai_base_url, settings.openai_api_key, settings.model, integration)
    if not settings.github_token:
        raise ConfigError(
            "no model endpoint: openai-api-key and openai-base-url are empty, and Copilot requests need the "
            "github-token input"
        )
    return Endpoint(settings.copilot_api_url, settings.github_token, settings.model, settings.copilot_integration_id)


def copilot_host(base_url: str) -> bool:
    """Whether ``base_url`` is a Copilot API (GitHub.com's, GitHub Enterprise Server's or a GHE.com tenant's)."""
    host = (urlparse(base_url).hostname or "").lower()
    return host.endswith(".githubcopilot.com") or (host.startswith("copilot-api.") and host.endswith(".ghe.com"))


def fallback_endpoint(settings: Settings, primary: Endpoint) -> Endpoint | None:
    """The endpoint of ``fallback-model`` (None when there is none); empty URL and key are the primary's."""
    if not settings.fallback_model:
        return None
    base_url = settings.fallback_base_url or primary.base_url
    same_host = base_url.rstrip("/") == primary.base_url.rstrip("/")
    if settings.fallback_api_key:
        api_key = settings.fallback_api_key
    elif primary.copilot and not same_host:
        raise ConfigError(
            "fallback-base-url points away from the Copilot API, so fallback-api-key must be set: prpilot sends "
            "the github-token to GitHub's Copilot API only"
        )
    else:
        api_key = primary.api_key
    on_copilot = (primary.copilot and same_host) or copilot_host(base_url)
    return Endpoint(base_url, api_key, settings.fallback_model, settings.copilot_integration_id if on_copilot else "")


def payers(settings: Settings) -> dict[str, str]:
    """Who pays for each model of ``settings`` beyond the key's own account: ``{model: "copilot"}``, for the bill."""
    try:
        primary = primary_endpoint(settings)
        fallback = fallback_endpoint(settings, primary)
    except ConfigError:  # no endpoint at all: nothing is called, nothing is paid
        return {}
    return {e.model: BILLED_TO_COPILOT for e in (primary, fallback) if e is not None and e.copilot}


@dataclass
class CopilotAccess:
    """Wrap the Copilot model: a refused token (401/403) is explained in one sentence."""

    inner: ChatModel

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
        try:
            return self.inner.complete(messages, tools)
        except ModelError as exc:
            status = http_status(exc)
            if status in (401, 403):
                raise ModelError(COPILOT_PERMISSION.format(status=f" ({status})")) from exc
            raise


def http_status(exc: ModelError) -> int | None:
    """The HTTP status behind a ModelError from the OpenAI adapter, when an answer caused it."""
    status = getattr(exc.__cause__, "status_code", None)
    return status if isinstance(status, int) else None
