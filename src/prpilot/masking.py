"""The forms a secret takes in text, for masking in the log and redacting everywhere else.

Kept out of :mod:`prpilot.agent` so the schedule step can mask without loading the agent.
"""

from __future__ import annotations

import base64


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
