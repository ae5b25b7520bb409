"""Tool calls written as text: taken as calls when they name one of our tools, else an answer."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from prpilot.agent.loop import AgentLimits, run_agent
from prpilot.agent.openai_model import OpenAIChatModel
from prpilot.agent.text_tool_calls import parse_text_tool_calls, strip_text_tool_calls
from prpilot.agent.tools import Toolbox
from prpilot.agent.workspace import Workspace
from prpilot.testing.openai_server import OpenAIServer, text

NAMES = ("read_file", "edit_file", "list_files")
READ = '{"name": "read_file", "arguments": {"path": "README.md"}}'


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (f"<tool_call>{READ}</tool_call>", [("read_file", {"path": "README.md"})]),
        (f"<tool_call>\n{READ}\n</tool_call>", [("read_file", {"path": "README.md"})]),
        (f"Let me look first.\n<tool_call>\n{READ}\n</tool_call>", [("read_file", {"path": "README.md"})]),
        (f"<tool_call>{READ}", [("read_file", {"path": "README.md"})]),  # stopped before the closing tag
        (
            f'<tool_call>{READ}</tool_call>\n<tool_call>{{"name": "list_files", "arguments": {{}}}}</tool_call>',
            [("read_file", {"path": "README.md"}), ("list_files", {})],
        ),
        (  # arguments as a JSON string, the way the API itself sends them
            '<tool_call>{"name": "edit_file", "arguments": "{\\"path\\": \\"a.py\\"}"}</tool_call>',
            [("edit_file", {"path": "a.py"})],
        ),
        ('<tool_call>{"name": "list_files"}</tool_call>', [("list_files", {})]),
        ('{"name": "read_file", "parameters": {"path": "a.py"}}', [("read_file", {"path": "a.py"})]),
        (READ, [("read_file", {"path": "README.md"})]),
        (f"```json\n{READ}\n```", [("read_file", {"path": "README.md"})]),
        (f"```\n{READ}\n```", [("read_file", {"path": "README.md"})]),
    ],
)
def test_calls_naming_our_tools_are_parsed(content: str, expected: list[tuple[str, dict[str, object]]]) -> None:
    calls = parse_text_tool_calls(content, NAMES)
    assert [(call.name, json.loads(call.arguments)) for call in calls] == expected
    assert len({call.id for call in calls}) == len(calls)


@pytest.mark.parametrize(
    "content",
    [
        "Fixed the typo in README.md.",
        "",
        '{"name": "Alice", "arguments": {}}',  # not one of our tools
        '{"name": "read_file", "arguments": {"path": "a"}, "explanation": "..."}',  # some other object
        f"Call it like this: {READ}",  # JSON inside prose is an answer
        f"```json\n{READ}\n```\nThat is how the call looks.",
        "<tool_call>not json</tool_call>",
        f'<tool_call>{READ}</tool_call><tool_call>{{"name": "rm_rf", "arguments": {{}}}}</tool_call>',
        '<tool_call>{"name": "read_file", "arguments": 3}</tool_call>',
        "[1, 2, 3]",
        "<tool_call>" + "[" * 100_000 + "</tool_call>",  # a parser attack: bounded, no RecursionError
        '{"name": "read_file", "arguments": ' + "[" * 100_000,
    ],
)
def test_anything_else_stays_an_answer(content: str) -> None:
    assert parse_text_tool_calls(content, NAMES) == []


def test_no_tools_offered_means_no_calls() -> None:
    assert parse_text_tool_calls(READ, ()) == []


def test_the_words_around_tagged_calls_are_kept() -> None:
    assert strip_text_tool_calls(f"Reading it.\n<tool_call>{READ}</tool_call>") == "Reading it."
    assert strip_text_tool_calls(READ) == ""


TOOLS = [
    {"type": "function", "function": {"name": name, "parameters": {"type": "object", "properties": {}}}}
    for name in NAMES
]


def _model(server: OpenAIServer) -> OpenAIChatModel:
    return OpenAIChatModel(server.base_url, "sk-test-key", "gpt-4.1-mini", retry_delay=0.01, timeout=5.0)


def test_the_adapter_takes_a_text_call_when_tools_were_offered(openai_server: OpenAIServer) -> None:
    openai_server.script(text(f"Reading.\n<tool_call>{READ}</tool_call>"))

    reply = _model(openai_server).complete([{"role": "user", "content": "fix it"}], TOOLS)

    [call] = reply.tool_calls
    assert (call.name, json.loads(call.arguments)) == ("read_file", {"path": "README.md"})
    assert reply.content == "Reading."
    # The conversation keeps what the model wrote, with the call the tool result answers.
    assert reply.message["content"] == f"Reading.\n<tool_call>{READ}</tool_call>"
    assert reply.message["tool_calls"][0]["id"] == call.id


def test_the_adapter_leaves_text_alone_when_no_tools_were_offered(openai_server: OpenAIServer) -> None:
    openai_server.script(text(READ))

    reply = _model(openai_server).complete([{"role": "user", "content": "a title please"}], [])

    assert reply.tool_calls == []
    assert reply.content == READ


def test_the_loop_runs_a_text_call_and_answers_in_words(openai_server: OpenAIServer, tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("This projet says hello.\n")
    openai_server.script(
        text('<tool_call>\n{"name": "read_file", "arguments": {"path": "README.md"}}\n</tool_call>'),
        text("The README says hello."),
    )

    outcome = run_agent(
        _model(openai_server),
        Toolbox(Workspace(tmp_path)),
        [{"role": "user", "content": "what does the README say?"}],
        AgentLimits(max_steps=5, max_seconds=60),
        lambda _usage: Decimal(0),
    )

    assert outcome.stop_reason == "done"
    assert outcome.answer == "The README says hello."
    assert [record.name for record in outcome.transcript] == ["read_file"]
    sent = openai_server.calls[1].messages
    assert sent[-1]["role"] == "tool"
    assert "This projet says hello." in sent[-1]["content"]
    assert sent[-1]["tool_call_id"] == sent[-2]["tool_calls"][0]["id"]
