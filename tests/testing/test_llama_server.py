"""The real-model harness without the real model: the recording proxy, the set-up check, the fixtures' verdict."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from prpilot.agent.openai_model import OpenAIChatModel
from prpilot.errors import ModelError
from prpilot.task import Usage
from prpilot.testing.llama_server import MODEL_FILE, LlamaServer, RecordingProxy, missing, model_path
from prpilot.testing.openai_server import OpenAIServer, error, text, tool

MESSAGES = [{"role": "user", "content": "hi"}]
TOOLS = [{"type": "function", "function": {"name": "list_files", "parameters": {"type": "object", "properties": {}}}}]


def test_the_proxy_forwards_what_prpilot_sends_adding_only_missing_defaults(openai_server: OpenAIServer) -> None:
    openai_server.script(tool("list_files", prompt_tokens=30, completion_tokens=4), text("done", prompt_tokens=40))
    with RecordingProxy(openai_server.base_url, defaults={"temperature": 0, "max_tokens": 8}) as proxy:
        model = OpenAIChatModel(proxy.base_url, "sk-test", "m", max_retries=0)
        first = model.complete(MESSAGES, TOOLS)
        second = model.complete([*MESSAGES, first.message], TOOLS)

    assert [e.status for e in proxy.chat_calls()] == [200, 200]
    [sent, _] = [e.request for e in proxy.chat_calls()]
    assert sent == {"model": "m", "messages": MESSAGES, "tools": TOOLS, "tool_choice": "auto"}
    assert openai_server.requests[0] == {**sent, "temperature": 0, "max_tokens": 8}
    assert proxy.total_usage() == openai_server.total_usage() == first.usage + second.usage
    assert proxy.total_usage().prompt_tokens == 70


def test_the_proxy_passes_errors_through_and_counts_no_usage_for_them(openai_server: OpenAIServer) -> None:
    openai_server.script(error(500, "content: Input should be a valid string"))
    with RecordingProxy(openai_server.base_url) as proxy:
        model = OpenAIChatModel(proxy.base_url, "sk-test", "m", max_retries=0)
        with pytest.raises(ModelError, match="The server said: content: Input should be a valid string"):
            model.complete(MESSAGES, TOOLS)
    [exchange] = proxy.exchanges
    assert exchange.status == 500
    assert proxy.total_usage() == Usage()


def test_the_proxy_answers_502_when_the_server_is_gone() -> None:
    server = OpenAIServer().start()
    upstream = server.base_url
    server.stop()
    with RecordingProxy(upstream, timeout=2) as proxy:
        model = OpenAIChatModel(proxy.base_url, "sk-test", "m", max_retries=0)
        with pytest.raises(ModelError, match=r"502 Bad Gateway once; giving up. The server said: the llama server did"):
            model.complete(MESSAGES, [])


def test_the_set_up_check_names_the_fix(tmp_path: Path) -> None:
    why = missing({"PRPILOT_REAL_MODEL": str(tmp_path / "nothing.gguf")})
    assert why is not None
    assert why.endswith(": run `scripts/dev.sh real-model` to build llama-cpp-python and fetch the model "
                        "(cached after the first time).")
    assert f"the model {tmp_path / 'nothing.gguf'} is missing" in why or "llama-cpp-python is not installed" in why
    assert model_path({"PRPILOT_CACHE": "/c"}) == Path("/c/models") / MODEL_FILE
    assert model_path({"XDG_CACHE_HOME": "/x"}) == Path("/x/prpilot/models") / MODEL_FILE


def test_the_server_command_line(tmp_path: Path) -> None:
    native = LlamaServer(tmp_path / "m.gguf", tmp_path / "log", chat_format="chatml-function-calling").command()
    own = LlamaServer(tmp_path / "m.gguf", tmp_path / "log").command()
    assert native[1:3] == ["-m", "llama_cpp.server"]
    assert native[native.index("--n_threads") + 1] == "1"  # two shared cores
    assert native[native.index("--chat_format") + 1] == "chatml-function-calling"
    assert "--chat_format" not in own  # the model's own template, from the .gguf


USES_THE_SERVER = """
def test_needs_the_server(llama_native):
    pass
"""


def _run_pytest(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_uses.py").write_text(USES_THE_SERVER)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PRPILOT_REAL_MODEL"] = str(tmp_path / "absent.gguf")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "prpilot.testing.pytest_plugin", "-p", "no:cacheprovider",
         str(tmp_path / "test_uses.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_without_the_model_ci_fails_with_the_fix_and_a_developer_skips(tmp_path: Path) -> None:
    in_ci = _run_pytest(tmp_path, "true")
    assert in_ci.returncode == 1, in_ci.stdout
    assert "The real-model tests cannot run:" in in_ci.stdout
    assert "scripts/dev.sh real-model" in in_ci.stdout

    locally = _run_pytest(tmp_path, None)
    assert locally.returncode == 0, locally.stdout
    assert "1 skipped" in locally.stdout
    assert "scripts/dev.sh real-model" in locally.stdout
