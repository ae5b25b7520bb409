"""What the core tells whoever runs it: log lines, masks, outputs and a summary.

In Actions that is the runner's file and log commands (``prpilot.actions.runner_commands``); a
library user or a queue worker passes anything with these methods, or nothing.
"""

from __future__ import annotations

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
