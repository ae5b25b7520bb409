"""What the core tells whoever runs it: log lines, masks, outputs and a summary.

In Actions that is the runner's file and log commands (``prpilot.actions.runner_commands``); a
library user or a queue worker passes anything with these methods, or nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Protocol


class Notices(Protocol):
    """The runner as the core sees it: the Actions layer implements it, the core never imports that layer."""

    def info(self, message: str) -> None: ...

    def warning(self, message: str) -> None: ...

    def error(self, message: str) -> None: ...

    def mask(self, secret: str) -> None: ...

    def set_outputs(self, values: Mapping[str, object]) -> None: ...

    def add_summary(self, markdown: str) -> None: ...


class LogNotices:
    """Notices as plain log lines, for a process no runner reads (a queue worker, a Kubernetes Job).

    Nothing is masked (only a runner reads a mask, and printing one would print the secret), outputs
    are ``name=value`` lines and the summary is dropped: there is no run page to show it.
    """

    def info(self, message: str) -> None:
        print(message, flush=True)

    def warning(self, message: str) -> None:
        print(f"warning: {message}", file=sys.stderr, flush=True)

    def error(self, message: str) -> None:
        print(f"error: {message}", file=sys.stderr, flush=True)

    def mask(self, secret: str) -> None:
        return None

    def set_outputs(self, values: Mapping[str, object]) -> None:
        for name, value in values.items():
            print(f"{name}={'' if value is None else value}", flush=True)

    def add_summary(self, markdown: str) -> None:
        return None
