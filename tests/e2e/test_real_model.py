"""End to end against a REAL model server: llama-cpp-python's OpenAI-compatible server, SmolLM2-135M.

These tests check plumbing, not quality (the model has 135M parameters): the server accepts every
request prpilot sends, tool calls come back and are executed, the token outputs are the usage the
server reported, and the task ends in a final state with an answer on the thread. A whole task runs
through the local test bed (fake GitHub, simulated runner) with ``openai-base-url`` aimed at a
:class:`RecordingProxy` in front of the server, which keeps every exchange.

How the tiny model is made to call a tool, deterministically and without faking a reply:

* The proxy adds ``temperature: 0`` (greedy decoding) and ``max_tokens: 128`` to requests that do
  not set them, as llama.cpp's own server does with ``--temp``/``--n-predict`` (llama-cpp-python's
  has no such option, and prpilot sends neither). Nothing prpilot sends is changed; the server
  also runs with a fixed ``--seed``. Every reply is the model's own.
* The request asks plainly for the tool call, in the form each path understands.

``scripts/dev.sh real-model`` sets up llama-cpp-python and the model (``scripts/dev.sh test`` runs
it); without them these tests fail under ``CI=true`` and are skipped elsewhere.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from prpilot.task import Usage
from prpilot.testing.llama_server import MODEL_ALIAS, Exchange, LlamaServer, RecordingProxy
from prpilot.testing.runner.job import RunResult
from prpilot.testing.scenario import Bed

# The first test of each server also starts and warms it; a busy 2-core machine can take minutes.
# One worker runs every test of a server (--dist loadgroup): the native one's with test_eval_real_model.py
# (group "real-model"), the text one's in a group of its own, so it starts beside the eval, not after it.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]

DEFAULTS = {"temperature": 0, "max_tokens": 128}
MAX_STEPS = "4"


@pytest.fixture
def native(llama_native: LlamaServer) -> Iterator[RecordingProxy]:
    """A recording proxy in front of the server that returns native tool calls."""
    with RecordingProxy(llama_native.ensure_running().base_url, defaults=DEFAULTS) as proxy:
        yield proxy


@pytest.fixture
def text(llama_text: LlamaServer) -> Iterator[RecordingProxy]:
    """A recording proxy in front of the server that uses the model's own template (tool calls as text)."""
    with RecordingProxy(llama_text.ensure_running().base_url, defaults=DEFAULTS) as proxy:
        yield proxy


def run_task(bed: Bed, proxy: RecordingProxy, server: LlamaServer, request: str) -> tuple[RunResult, int]:
    """Run ``/pilot <request>`` on a new issue against ``proxy``; print the timing and the exchanges."""
    event = bed.issue_comment(f"/pilot {request}")
    started = time.monotonic()
    result = bed.run("issue_comment", event, openai_base_url=proxy.base_url, model=MODEL_ALIAS, max_steps=MAX_STEPS)
    print(f"task: {time.monotonic() - started:.1f} s, {len(proxy.chat_calls())} model calls")
    for exchange in proxy.chat_calls():
        print(f"  {exchange.status} {exchange.seconds:5.1f} s {json.dumps(_message(exchange))[:300]}")
    assert result.outputs.get("status"), f"{result.logs}\n--- server log ---\n{server.log_tail()}"
    return result, event["issue"]["number"]


def _message(exchange: Exchange) -> Any:
    if exchange.status != 200:
        return exchange.response
    return exchange.response["choices"][0]["message"]


def assert_plumbing(bed: Bed, proxy: RecordingProxy, server: LlamaServer, result: RunResult, number: int) -> None:
    """What both tool-call paths promise: accepted requests, exact tokens, a final state and an answer."""
    calls = proxy.chat_calls()
    rejected = [(e.status, e.response) for e in calls if e.status != 200]
    assert not rejected, f"the server refused prpilot's request: {rejected}\n{server.log_tail()}"
    for exchange in calls:
        sent = exchange.request
        assert all(isinstance(m.get("content"), str) for m in sent["messages"]), "a null content was sent"
        if sent.get("tools"):
            assert sent["tool_choice"] == "auto"
        assert {k: v for k, v in exchange.forwarded.items() if k not in DEFAULTS} == sent  # forwarded as sent
    # The token outputs are exactly the usage the server reported (a timed-out call, retried, would show here).
    reported = proxy.total_usage()
    outputs = result.outputs
    ours = Usage(
        prompt_tokens=int(outputs["prompt-tokens"]),
        cached_tokens=int(outputs["cached-tokens"]),
        completion_tokens=int(outputs["completion-tokens"]),
        calls=len(calls),
    )
    assert ours == reported, f"prpilot's outputs {outputs} differ from the server's usage {reported}"
    assert reported.prompt_tokens > 0
    assert reported.completion_tokens > 0
    # A final state with an answer on the thread.
    assert outputs["status"] in ("completed", "failed"), result.logs
    assert outputs["result"].strip()
    [status] = bed.status_comments(number)
    assert outputs["result"].strip().splitlines()[0] in status
    assert "⏳" not in status
    assert "✅" in status or "❌" in status


def agent_calls(proxy: RecordingProxy) -> list[Exchange]:
    """The agent's calls (they offer tools; the title call does not)."""
    return [e for e in proxy.chat_calls() if e.request.get("tools")]


def executed_tools(proxy: RecordingProxy) -> list[dict[str, Any]]:
    """The tool results prpilot sent back in its last agent request (each answers a call of the model)."""
    last = agent_calls(proxy)[-1].request["messages"]
    return [m for m in last if m["role"] == "tool"]


@pytest.mark.xdist_group("real-model")
def test_native_tool_calls_with_a_real_server(bed: Bed, native: RecordingProxy, llama_native: LlamaServer) -> None:
    """``--chat_format chatml-function-calling``: the server decides tool or message under a grammar.

    With ``tool_choice: "auto"`` (issue 16, fix 2) the format picks ``functions.<name>:`` or
    ``message:`` greedily, then writes the arguments under the tool's JSON schema. Asked plainly to
    call list_files, the model does; its arguments are its own (often a path that does not exist:
    the tool's error is still a result sent back). This format's "message" branch can only write a
    tool name or nothing, so the task usually ends at max-steps: a final state with an answer all the
    same. The second agent call carries the assistant tool-call message with ``"content": ""``,
    which this server refuses when it is null (fix 1).
    """
    result, number = run_task(bed, native, llama_native, "Call the list_files tool, then say which files you saw.")

    assert_plumbing(bed, native, llama_native, result, number)
    agent = agent_calls(native)
    assert len(agent) >= 2
    calling = [_message(e) for e in agent if _message(e).get("tool_calls")]
    assert calling, f"the model never called a tool: {[_message(e) for e in agent]}"
    called = {call["id"]: call["function"]["name"] for call in calling[0]["tool_calls"]}
    results = executed_tools(native)
    assert any(m["tool_call_id"] in called for m in results), results
    assert all(m["content"] for m in results)


@pytest.mark.xdist_group("real-model-text")
def test_text_tool_calls_with_a_real_server(bed: Bed, text: RecordingProxy, llama_text: LlamaServer) -> None:
    """The model's own chat template (from the .gguf): tools are not shown, so a call can only be text.

    Greedy decoding makes SmolLM2 echo the request, which spells out a Hermes-style call, so its
    reply is a real ``<tool_call>{"name": "list_files", ...}</tool_call>`` in ``content`` with no
    native tool calls. prpilot's text fallback must turn it into a call and execute it; without
    the fallback that JSON would be posted as the answer.
    """
    request = (
        'To call a tool, write <tool_call>{"name": "list_files", "arguments": {}}</tool_call>. Call list_files now.'
    )
    result, number = run_task(bed, text, llama_text, request)

    agent = agent_calls(text)
    first = _message(agent[0])
    assert not first.get("tool_calls")
    assert '<tool_call>{"name": "list_files"' in (first["content"] or "")
    assert_plumbing(bed, text, llama_text, result, number)
    assert len(agent) >= 2, f"the text tool call was taken as the answer: {result.outputs['result']!r}"
    later = agent[1].request["messages"]
    asked = [c for m in later if m["role"] == "assistant" for c in m.get("tool_calls") or []]
    assert any(c["function"]["name"] == "list_files" for c in asked), later
    results = executed_tools(text)
    assert results
    assert any("README.md" in m["content"] for m in results), results  # list_files ran on the checkout
