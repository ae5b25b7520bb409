"""Task titles: one short model call, cleaned, with a fallback from the request."""

from __future__ import annotations

from typing import Any

import pytest

from prpilot.agent.model import ModelReply, ToolCall, assistant_message
from prpilot.agent.scripted_model import ScriptedChatModel
from prpilot.agent.title import MAX_TITLE, clean_title, fallback_title, generate_task_title
from prpilot.errors import ModelError
from prpilot.task import Usage

USAGE = Usage(prompt_tokens=50, completion_tokens=8, calls=1)


class OneReplyModel:
    """Answers one fixed reply (or raises), recording the call."""

    def __init__(self, answer: ModelReply | ModelError) -> None:
        self.answer = answer
        self.seen: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]] = []

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
        self.seen.append((messages, tools))
        if isinstance(self.answer, ModelError):
            raise self.answer
        return self.answer


def said(content: str, calls: list[ToolCall] | None = None) -> ModelReply:
    return ModelReply(assistant_message(content, calls or []), content, calls or [], USAGE)


def test_the_model_title_is_used() -> None:
    model = OneReplyModel(said("Fix crash on start"))
    assert generate_task_title(model, "please fix the crash") == ("Fix crash on start", USAGE)
    messages, tools = model.seen[0]
    assert tools == []
    assert "please fix the crash" in messages[1]["content"]


@pytest.mark.parametrize(
    ("reply", "title"),
    [
        ('"Add a --verbose flag."', "Add a --verbose flag"),
        ("Title: Update README", "Update README"),
        ("## `Rename module`\n\nBecause...", "Rename module"),
        ("\n\n  Fix   typo  \n", "Fix typo"),
        ("Fix it<!-- and more -->\u202e", "Fix it"),
        ("“Bump version”", "Bump version"),
    ],
)
def test_titles_are_cleaned(reply: str, title: str) -> None:
    assert generate_task_title(OneReplyModel(said(reply)), "r")[0] == title


def test_long_titles_are_cut_at_a_word() -> None:
    title, _ = generate_task_title(OneReplyModel(said("Refactor " + "the module loader " * 10)), "r")
    assert len(title) <= MAX_TITLE
    assert title == "Refactor the module loader the module loader the module loader the"


@pytest.mark.parametrize("reply", ["", "...", "```", "\n\n"])
def test_garbage_falls_back_to_the_request_but_keeps_usage(reply: str) -> None:
    assert generate_task_title(OneReplyModel(said(reply)), "Make the logo blue\nand bigger") == (
        "Make the logo blue",
        USAGE,
    )


def test_tool_calls_instead_of_a_title_fall_back() -> None:
    model = OneReplyModel(said("", [ToolCall("c", "read_file", "{}")]))
    assert generate_task_title(model, "Fix docs") == ("Fix docs", USAGE)


def test_model_error_falls_back() -> None:
    model = OneReplyModel(ModelError("down"))
    assert generate_task_title(model, "  Add tests for the parser  ") == ("Add tests for the parser", Usage())


def test_fallback_title() -> None:
    assert fallback_title("") == "Apply the requested changes"
    assert len(fallback_title("word " * 40)) <= MAX_TITLE
    assert clean_title("a" * 100) == "a" * MAX_TITLE


def test_a_title_call_that_timed_out_keeps_its_unknown_calls() -> None:
    """A title request that timed out may have been billed: its unknown calls reach the bill (once dropped)."""
    _title, usage = generate_task_title(ScriptedChatModel(_timed_out_twice()), "fix the typo")

    assert usage.unknown_calls == 2


def _timed_out_twice() -> ModelError:
    error = ModelError("The model endpoint (x) did not answer within 60 s twice; giving up.")
    error.unknown_calls = 2
    return error
