"""The model a run talks to: the endpoint the settings name, its API, and the fallback behind it."""

from __future__ import annotations

from collections.abc import Callable

from prpilot.agent.endpoints import CopilotAccess, Endpoint, fallback_endpoint, primary_endpoint
from prpilot.agent.model import ChatModel
from prpilot.settings import Settings


def chat_model(settings: Settings, say: Callable[[str], None] | None = None) -> ChatModel:
    """The model the settings name: OpenAI-compatible as configured, else Copilot requests with the github-token.

    With a ``fallback-model``, a FallbackChatModel that moves to it when the primary's endpoint keeps failing.
    ``say`` logs a move to the Responses API.
    """
    from prpilot.agent.fallback import FallbackChatModel
    from prpilot.agent.openai_model import endpoint_unavailable

    primary = primary_endpoint(settings)
    model = model_at(primary, settings, say)
    fallback = fallback_endpoint(settings, primary)
    if fallback is None:
        return model
    return FallbackChatModel(model, model_at(fallback, settings, say), primary.model, fallback.model,
                             endpoint_unavailable)


def model_at(endpoint: Endpoint, settings: Settings, say: Callable[[str], None] | None = None) -> ChatModel:
    """The OpenAI-compatible client for ``endpoint``, bounded and on the API ``model-api`` picks for its model.

    The Copilot API explains a refused token.
    """
    from prpilot.agent.model_api import api_for
    from prpilot.agent.openai_model import OpenAIChatModel

    model: ChatModel = OpenAIChatModel(
        endpoint.base_url, endpoint.api_key, endpoint.model,
        api=api_for(endpoint.model, settings.model_api),
        max_output_tokens=settings.max_output_tokens,
        reasoning_effort=settings.reasoning_effort,
        headers=endpoint.headers,
        say=say,
    )
    return CopilotAccess(model) if endpoint.copilot else model
