"""A short pull request and commit title for a request: one model call, with a fallback."""

from __future__ import annotations

import re

from prpilot.agent.model import ChatModel
from prpilot.agent.sanitize import strip_hidden, untrusted
from prpilot.errors import ModelError
from prpilot.task import Usage

MAX_TITLE = 72
DEFAULT_TITLE = "Apply the requested changes"

TITLE_PROMPT = (
    "Write the title of the pull request and commit that will carry out the request below: "
    f"imperative mood, at most {MAX_TITLE} characters, one line, no quotes, no trailing period. "
    "Reply with the title only."
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PREFIX = re.compile(r"^(?:#+\s*|(?:pr |pull request |commit )?title\s*:\s*)", re.IGNORECASE)
# Typographic quotes too: models like to wrap titles in them.
_WRAPPERS = "\"'`*_“”‘’ "


def clean_title(text: str) -> str | None:
    """The first line of ``text`` made into a title (≤ 72 characters), or None when nothing usable is left."""
    lines = [line.strip() for line in strip_hidden(text).splitlines() if line.strip()]
    if not lines:
        return None
    title = _PREFIX.sub("", _CONTROL.sub(" ", lines[0])).strip().strip(_WRAPPERS)
    title = " ".join(title.split()).rstrip(".:;, ")
    if not any(ch.isalnum() for ch in title):
        return None
    if len(title) > MAX_TITLE:
        # Cut at the last word that fits, unless that would throw away more than half.
        cut = title[: MAX_TITLE + 1].rsplit(" ", 1)[0] if " " in title[: MAX_TITLE + 1] else ""
        title = (cut if len(cut) >= MAX_TITLE // 2 else title[:MAX_TITLE]).rstrip(".:;,- ")
    return title


def fallback_title(request: str) -> str:
    """A title derived from the request itself: its first line, trimmed."""
    return clean_title(request) or DEFAULT_TITLE


def generate_task_title(model: ChatModel, request: str) -> tuple[str, Usage]:
    """Ask ``model`` for a title (no tools); fall back to the request's first line on failure or garbage.

    The usage of the call is returned whenever the call answered, even when its title is not used.
    """
    messages = [
        {"role": "system", "content": TITLE_PROMPT},
        {"role": "user", "content": untrusted("Request", request[:4000])},
    ]
    try:
        reply = model.complete(messages, [])
    except ModelError as exc:  # its requests that timed out may have been billed
        return fallback_title(request), Usage(unknown_calls=exc.unknown_calls)
    if reply.tool_calls:
        return fallback_title(request), reply.usage
    return clean_title(reply.content) or fallback_title(request), reply.usage
