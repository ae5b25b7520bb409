"""The built-in scripted models: each task's replies, assistant messages in OpenAI's format, for the scripted server.

A script is a YAML (or JSON) list of assistant messages, answered in order, the title of the pull
request last when the run changes something::

    - tool_calls:
        - type: function
          function: {name: edit_file, arguments: {path: README.md, old: projet, new: project}}
    - content: Fixed the typo.
    - content: Fix the typo in README.md

``arguments`` is a JSON string as OpenAI sends it, or a mapping (written as JSON).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from prpilot.evaluation.task_folder import read_yaml_model
from prpilot.testing import openai_replies as say
from prpilot.testing.openai_replies import Reply


class FunctionCall(BaseModel):
    """``function`` of a tool call: its name and arguments."""

    model_config = ConfigDict(extra="forbid")

    name: str
    arguments: str | dict[str, Any] = "{}"


class ScriptedToolCall(BaseModel):
    """One entry of ``tool_calls``."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["function"] = "function"
    id: str | None = None  # the server numbers the calls itself
    function: FunctionCall


class ScriptedMessage(BaseModel):
    """One assistant message: text, tool calls, or both."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["assistant"] = "assistant"
    content: str | None = None
    tool_calls: list[ScriptedToolCall] = Field(default_factory=list)


class Script(RootModel[list[ScriptedMessage]]):
    """A script file: the assistant messages, in the order the model sends them."""


def as_reply(message: ScriptedMessage) -> Reply:
    """The scripted server's reply for ``message``."""
    if not message.tool_calls:
        return say.text(message.content or "")
    calls: list[tuple[str, str | Mapping[str, Any]]] = [
        (call.function.name, call.function.arguments) for call in message.tool_calls
    ]
    return say.tools(calls, content=message.content)


def load_script(path: Path) -> list[Reply]:
    """The replies of one script file; a malformed one is said in one line."""
    script = read_yaml_model(path, Script, f"the script in {path.parent}")
    return [as_reply(message) for message in script.root]

