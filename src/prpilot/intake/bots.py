"""Bots: which bot logins an admin allowed to make requests (pure)."""

from __future__ import annotations

from collections.abc import Sequence


def bot_name(login: str) -> str:
    """Return a bot login without its ``[bot]`` suffix, lower-cased, for comparing."""
    return login.strip().lower().removesuffix("[bot]")


def is_allowed_bot(login: str, allowed_bots: Sequence[str]) -> bool:
    """Tell whether ``login`` is listed in allowed-bots, with or without its ``[bot]`` suffix."""
    return bot_name(login) in {bot_name(allowed) for allowed in allowed_bots if allowed.strip()}
