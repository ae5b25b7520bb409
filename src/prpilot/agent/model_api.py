"""Which OpenAI API a model is called through: Chat Completions, or Responses for the families that only have it.

The Responses-only families below are OpenAI's model pages as gathered in github/gh-aw-firewall
``containers/api-proxy/model-api-mapping.json`` (lastUpdated 2026-10-08, read 2026-12-07): the codex
families, the ``-pro`` models, the deep-research and computer-use models. Every other model keeps Chat
Completions, which every OpenAI-compatible server (llama.cpp, vLLM, Azure, Copilot) speaks.
"""

from __future__ import annotations

import re

CHAT_COMPLETIONS = "chat-completions"
RESPONSES = "responses"

RESPONSES_ONLY_FAMILIES = (
    "gpt-5-codex",
    "gpt-5.1-codex",  # and -mini, -max
    "gpt-5.2-codex",
    "gpt-5.3-codex",
    "gpt-5.6-cyber",
    "codex-mini",
    "o3-deep-research",
    "o4-mini-deep-research",
    "computer-use-preview",
)
# gpt-5-pro, gpt-5.2-pro, gpt-5.5-pro, o1-pro, o3-pro, with or without a dated snapshot suffix.
_PRO = re.compile(r"-pro(-\d{4}-\d{2}-\d{2})?$")

# OpenAI's answer when a Responses-only model is asked on /chat/completions: "This model is only supported
# in v1/responses and not in v1/chat/completions."
_ONLY_ON_RESPONSES = re.compile(r"only supported (in|on|through) (/?v1)?/?responses", re.IGNORECASE)


def api_for(model: str, choice: str) -> str:
    """The API to call ``model`` through: ``choice`` unless it is ``auto``, then by the family table."""
    if choice != "auto":
        return choice
    name = model.strip().lower().rsplit("/", 1)[-1]
    families = RESPONSES_ONLY_FAMILIES
    if _PRO.search(name) or any(name == f or name.startswith(f"{f}-") for f in families):
        return RESPONSES
    return CHAT_COMPLETIONS


def says_only_responses(server_text: str) -> bool:
    """Whether an endpoint's 400 says the model is served on ``/responses`` only."""
    return bool(_ONLY_ON_RESPONSES.search(server_text))
