"""Notices that record what the core told the runner: log lines, masks, outputs, the summary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class RecordedNotices:
    """The runner as the core sees it (:class:`prpilot.notices.Notices`), keeping everything it was told."""

    infos: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    masks: list[str] = field(default_factory=list)
    outputs: dict[str, object] = field(default_factory=dict)
    summaries: list[str] = field(default_factory=list)

    def info(self, message: str) -> None:
        self.infos.append(message)

    def warning(self, message: str) -> None:
        self.warnings.append(message)

    def error(self, message: str) -> None:
        self.errors.append(message)

    def mask(self, secret: str) -> None:
        self.masks.append(secret)

    def set_outputs(self, values: Mapping[str, object]) -> None:
        self.outputs.update(values)

    def add_summary(self, markdown: str) -> None:
        self.summaries.append(markdown)
