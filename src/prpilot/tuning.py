"""How long a GitHub request may take and how retries back off: one value the entry point may set.

Production keeps the defaults. The entry point (``prpilot.cli``) reads ``PRPILOT_HTTP_TIMEOUT``
and ``PRPILOT_HTTP_BACKOFF`` and calls :func:`use`, so the fault sweep's timeouts and retries cost
milliseconds instead of seconds; nothing below the entry point reads the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from prpilot.errors import ConfigError


class HttpTuning(NamedTuple):  # not a dataclass: the action's first step imports this, and dataclasses is slow
    """Timeouts and backoff of every retried GitHub request (REST, git, the ledger, the status comment)."""

    timeout: float = 20.0  # seconds a REST request may take before it counts as failed
    backoff: float = 1.0  # the first retry's wait; later waits double


_current = HttpTuning()


def current() -> HttpTuning:
    """The tuning in force."""
    return _current


def use(tuning: HttpTuning) -> None:
    """Put ``tuning`` in force for this process (the entry point's call)."""
    global _current
    _current = tuning


def from_env(env: Mapping[str, str]) -> HttpTuning:
    """Read ``PRPILOT_HTTP_TIMEOUT`` and ``PRPILOT_HTTP_BACKOFF`` (seconds) from ``env``; unset keeps a default."""
    values: dict[str, float] = {}
    for name, field in (("PRPILOT_HTTP_TIMEOUT", "timeout"), ("PRPILOT_HTTP_BACKOFF", "backoff")):
        text = env.get(name, "").strip()
        if not text:
            continue
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not value >= 0 or (field == "timeout" and value == 0):
            raise ConfigError(f"{name} must be a number of seconds (got {text!r})")
        values[field] = value
    return HttpTuning(**values)
