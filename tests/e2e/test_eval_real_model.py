"""``prpilot eval`` against a REAL model server (llama-cpp-python, SmolLM2-135M): plumbing, not quality.

Every built-in task must come back with a result row (its figures from the action's outputs, its
check run) and none may break the harness; the tiny model is not expected to solve much. max-steps
is 2 to keep it short. The server and its setup are those of tests/e2e/test_real_model.py.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from prpilot.commands.eval import eval_main
from prpilot.evaluation.task_folder import BUILTIN_SUITE, load_suite
from prpilot.testing.llama_server import MODEL_ALIAS, LlamaServer, RecordingProxy

# One worker runs every test of the native server (scripts/dev.sh test: --dist loadgroup), so it starts once
# per run; it answers one request at a time, so more workers would only wait on it.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1800),
              pytest.mark.xdist_group("real-model")]

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "eval-report.schema.json").read_text())


@pytest.fixture
def native(llama_native: LlamaServer) -> Iterator[RecordingProxy]:
    upstream = llama_native.ensure_running().base_url
    with RecordingProxy(upstream, defaults={"temperature": 0, "max_tokens": 128}) as proxy:
        yield proxy


def test_eval_completes_every_task_against_the_real_model(
    native: RecordingProxy, llama_native: LlamaServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    steps_python: str,
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    started = time.monotonic()
    code = eval_main(["--base-url", native.base_url, "--model", MODEL_ALIAS, "--max-steps", "2",
                      "--json", str(tmp_path / "report.json")], env, steps_python=steps_python)
    took = time.monotonic() - started
    said = capsys.readouterr()
    report = json.loads((tmp_path / "report.json").read_text())
    jsonschema.validate(report, SCHEMA)
    [scaffold] = report["scaffolds"]
    rows = {row["task"]: row for row in scaffold["results"]}
    with capsys.disabled():
        print(f"\neval against {MODEL_ALIAS}: {took:.0f} s, {len(native.chat_calls())} model calls")
        print(said.out)
    assert sorted(rows) == sorted(task.name for task in load_suite(BUILTIN_SUITE))
    broken = {name: row["error"] for name, row in rows.items() if row["error"]}
    assert not broken, f"{broken}\n--- server log ---\n{llama_native.log_tail()}"
    assert code == 0
    assert "Traceback" not in said.out + said.err
    for row in rows.values():
        assert row["status"] in ("completed", "failed"), row
        assert row["check_output"] or row["solved"] is False
    # The token figures are the server's own usage, summed over the calls the proxy saw answered.
    answered = [e for e in native.chat_calls() if e.status == 200]
    assert sum(row["prompt_tokens"] for row in rows.values()) == sum(
        e.response["usage"]["prompt_tokens"] for e in answered)
    assert sum(row["model_calls"] for row in rows.values()) == len(answered)
