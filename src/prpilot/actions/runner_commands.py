"""The Actions runner's file and log commands, behind one small module.

actions-toolkit (last released 2022) does the command escaping and the ``$GITHUB_OUTPUT`` heredoc
format; it has no job-summary support, so that is written here. Only these submodules are
imported: ``actions_toolkit.core`` pulls in its OIDC client (~80 ms) on the scheduler's start-up path.
Swap the library by changing this file alone.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from actions_toolkit.command import issue_command
from actions_toolkit.file_command import prepare_key_value_message


class ActionsRunner:
    """Write outputs, the job summary and log commands the way the runner reads them."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._output = env.get("GITHUB_OUTPUT", "")
        self._summary = env.get("GITHUB_STEP_SUMMARY", "")
        self._in_actions = env.get("GITHUB_ACTIONS") == "true"

    def set_output(self, name: str, value: object) -> None:
        """Append one output in the heredoc form, safe for multi-line values."""
        text = "" if value is None else str(value)
        if not self._output:
            print(f"{name}={text}")
            return
        with open(self._output, "a", encoding="utf-8", newline="") as handle:
            handle.write(prepare_key_value_message(name, text) + "\n")

    def set_outputs(self, values: Mapping[str, object]) -> None:
        for name, value in values.items():
            self.set_output(name, value)

    def add_summary(self, markdown: str) -> None:
        """Append Markdown to the job summary (the toolkit has no API for it)."""
        if not self._summary:
            return
        path = Path(self._summary)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(markdown.rstrip("\n") + "\n")

    def mask(self, secret: str) -> None:
        """Ask the runner to hide ``secret`` in the log, line by line for multi-line values."""
        for line in secret.splitlines() or [secret]:
            if line.strip():
                issue_command("add-mask", {}, line)

    def error(self, message: str) -> None:
        if self._in_actions:
            issue_command("error", {}, message)
        else:
            print(f"error: {message}", file=sys.stderr)

    def warning(self, message: str) -> None:
        if self._in_actions:
            issue_command("warning", {}, message)
        else:
            print(f"warning: {message}", file=sys.stderr)

    def info(self, message: str) -> None:
        print(message, flush=True)
