"""The forms a secret takes in text, for masking in the log and redacting everywhere else.

Kept out of :mod:`prpilot.agent` so the schedule step can mask without loading the agent.
"""

from __future__ import annotations

import base64
import re

# A secret shorter than this is a placeholder ("x", "dummy" for a local model server), not a key:
# masking every "x" in the prompt garbles what the model reads (issue 16), and hides nothing real.
MIN_REDACTED_LENGTH = 8


def is_placeholder(secret: str) -> bool:
    """Whether ``secret`` is too short to be a real key: it is not redacted from prpilot's text."""
    return 0 < len(secret) < MIN_REDACTED_LENGTH


def placeholder_warning(input_name: str, secret: str) -> str:
    """The warning for a secret input too short to be a key."""
    return (
        f"the {input_name} input is only {len(secret)} character(s) long and looks like a placeholder: "
        f"prpilot does not redact values shorter than {MIN_REDACTED_LENGTH} characters from the text it sends "
        "to the model or writes on the thread (the run log still masks it)."
    )


def secret_forms(secret: str) -> list[str]:
    """``secret`` as text may carry it: as is, base64-encoded, and inside git's basic-auth header.

    actions/checkout leaves ``AUTHORIZATION: basic base64(x-access-token:TOKEN)`` in .git/config
    unless ``persist-credentials: false``, so a command that prints git's config shows the token in
    that form; the runner masks it in logs, and prpilot masks it wherever its own text goes.
    """
    if not secret:
        return []
    encoded = [base64.b64encode(text.encode()).decode() for text in (secret, f"x-access-token:{secret}")]
    return [secret, *encoded]


_SECRET_LIKE = re.compile(r"(gh[pousr]_|github_pat_|sk-)\S*|[A-Za-z0-9_\-+/=]{32,}")


def shown(value: str) -> str:
    """``value`` quoted for a message about a malformed input, unless it looks like a secret."""
    if _SECRET_LIKE.search(value):
        return "a value that looks like a secret (not shown)"
    return repr(value if len(value) <= 60 else value[:57] + "...")

