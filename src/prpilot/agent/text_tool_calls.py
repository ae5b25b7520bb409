"""Tool calls a model wrote as text: the fallback for servers without a tool-call parser.

A server that renders a model's own chat template but does not parse its output (llama.cpp without
``--jinja``, llama-cpp-python's plain chat formats) returns the call in ``content``: Qwen and
Hermes models write ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>``, others a bare JSON
object, sometimes fenced as ```json. Only calls naming one of the offered tools count; anything
else stays the model's answer (issue 16).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection

from prpilot.agent.model import ToolCall, parse_arguments

# A closing tag may be missing when the model stopped right after the call.
_TAGGED = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
_FENCED = re.compile(r"\A```(?:json)?[ \t]*\n(.*?)\n?```\Z", re.DOTALL)


def parse_text_tool_calls(content: str, tool_names: Collection[str]) -> list[ToolCall]:
    """The tool calls written in ``content``, or ``[]`` when it is an answer.

    Every ``<tool_call>`` block must hold a call of one of ``tool_names``, else none counts (a
    model explaining the format is answering). Without tags the whole content must be one JSON
    object naming a tool (optionally fenced in ```json).
    """
    text = content.strip()
    if not text or not tool_names:
        return []
    if "<tool_call>" in text:
        blocks = _TAGGED.findall(text)
        calls = [_call(block, tool_names, index, content) for index, block in enumerate(blocks)]
        found = [call for call in calls if call is not None]
        return found if found and len(found) == len(calls) else []
    fenced = _FENCED.match(text)
    call = _call(fenced.group(1) if fenced else text, tool_names, 0, content)
    return [call] if call is not None else []


def strip_text_tool_calls(content: str) -> str:
    """``content`` without its ``<tool_call>`` blocks: the words the model wrote around its calls."""
    if "<tool_call>" not in content:
        return ""  # a bare JSON call has no words around it
    return _TAGGED.sub("", content).strip()


def native_or_text_calls(
    calls: list[ToolCall], content: str, tool_names: Collection[str]
) -> tuple[list[ToolCall], str]:
    """The native calls, else those written as text in ``content`` (then taken out of the answer); both APIs' rule."""
    if calls or not tool_names:
        return calls, content
    found = parse_text_tool_calls(content, tool_names)
    return found, strip_text_tool_calls(content) if found else content


def _call(text: str, tool_names: Collection[str], index: int, content: str) -> ToolCall | None:
    data = parse_arguments(text)  # bounded: a call nested 100,000 deep is no call, not a RecursionError
    if not isinstance(data, dict) or set(data) - {"name", "arguments", "parameters", "id", "type"}:
        return None
    name = data.get("name")
    if not isinstance(name, str) or name not in tool_names:
        return None
    arguments = data.get("arguments", data.get("parameters", {}))
    if isinstance(arguments, dict):
        arguments = json.dumps(arguments)
    elif not isinstance(arguments, str):
        return None
    # Unique within a conversation (the tool result names it), and the same for the same reply.
    digest = hashlib.sha256(content.encode()).hexdigest()[:12]
    return ToolCall(f"call_text_{digest}_{index}", name, arguments)
