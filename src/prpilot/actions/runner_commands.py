"""The Actions runner's file and log commands, behind one small module: the standard library only.

The action's first step writes its outputs through this module on the runner's own python3,
before anything is installed. The formats are the runner's own:
https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/workflow-commands-for-github-actions
(a log command's data escapes ``%``, CR and LF; an output is a ``name<<delimiter`` heredoc).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from prpilot.notices import LogNotices


def escape_data(text: str) -> str:
    """Escape a log command's message as the runner reads it back."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_line(command: str, message: str) -> str:
    """One ``::command::message`` line."""
    return f"::{command}::{escape_data(message)}"


def inert(text: str) -> str:
    """``text`` as a log line the runner cannot take for a command (it may hold what someone else wrote).

    The runner reads a line that starts with ``::`` (after spaces) or holds ``##[`` as a workflow
    command; such text goes between ``::stop-commands::`` and its resume token, the runner's own way
    to print what is not to be run. Other text is left as it is.
    """
    lines = text.splitlines()
    if not any(line.lstrip().startswith("::") or "##[" in line for line in lines):
        return text
    token = os.urandom(16).hex()
    return f"::stop-commands::{token}\n{text}\n::{token}::"


def output_entry(name: str, value: str) -> str:
    """``name<<delimiter`` heredoc: safe for values of several lines; the delimiter is fresh each time."""
    delimiter = f"ghadelimiter_{os.urandom(16).hex()}"
    if delimiter in name or delimiter in value:  # astronomically unlikely; the runner would misread it
        raise ValueError("an output collides with its delimiter")
    return f"{name}<<{delimiter}{os.linesep}{value}{os.linesep}{delimiter}"


def debugging(env: Mapping[str, str]) -> bool:
    """Whether the run asked for debug output (RUNNER_DEBUG=1, as "Enable debug logging" sets, or PRPILOT_DEBUG=1)."""
    return env.get("RUNNER_DEBUG") == "1" or env.get("PRPILOT_DEBUG") == "1"


def use_logging(env: Mapping[str, str]) -> None:
    """Log records as plain lines in the step's log (debug ones when :func:`debugging`)."""
    import logging  # not at import: the first step needs it only once it talks to GitHub

    class Inert(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return inert(super().format(record))  # a record may quote a path, a reply, an error body

    handler = logging.StreamHandler()
    handler.setFormatter(Inert("%(message)s") if env.get("GITHUB_ACTIONS") == "true" else
                         logging.Formatter("%(message)s"))
    logging.basicConfig(level=logging.DEBUG if debugging(env) else logging.INFO, handlers=[handler])


class ActionsRunner(LogNotices):
    """Write outputs, the job summary and log commands the way the runner reads them.

    Away from a runner (no ``GITHUB_ACTIONS``, no command files) it writes the plain lines of
    :class:`~prpilot.notices.LogNotices` instead.
    """

    def __init__(self, env: Mapping[str, str]) -> None:
        self._output = env.get("GITHUB_OUTPUT", "")
        self._summary = env.get("GITHUB_STEP_SUMMARY", "")
        self._in_actions = env.get("GITHUB_ACTIONS") == "true"

    def set_output(self, name: str, value: object) -> None:
        """Append one output in the heredoc form, safe for multi-line values."""
        text = "" if value is None else str(value)
        if not self._output:
            super().set_outputs({name: text})
            return
        with open(self._output, "a", encoding="utf-8", newline="") as handle:
            handle.write(output_entry(name, text) + "\n")

    def set_outputs(self, values: Mapping[str, object]) -> None:
        for name, value in values.items():
            self.set_output(name, value)

    def add_summary(self, markdown: str) -> None:
        """Append Markdown to the job summary."""
        if not self._summary:
            return
        with open(self._summary, "a", encoding="utf-8") as handle:
            handle.write(markdown.rstrip("\n") + "\n")

    def mask(self, secret: str) -> None:
        """Ask the runner to hide ``secret`` in the log, line by line for multi-line values.

        Only a runner reads ``::add-mask::``: anywhere else (a Redis worker, a Kubernetes Job's log) the
        command would print the secret itself, so nothing is printed there.
        """
        if not self._in_actions:
            return super().mask(secret)
        for line in secret.splitlines() or [secret]:
            if line.strip():
                print(command_line("add-mask", line), flush=True)

    def info(self, message: str) -> None:
        super().info(inert(message) if self._in_actions else message)

    def error(self, message: str) -> None:
        if self._in_actions:
            print(command_line("error", message), flush=True)
        else:
            super().error(message)

    def warning(self, message: str) -> None:
        if self._in_actions:
            print(command_line("warning", message), flush=True)
        else:
            super().warning(message)
