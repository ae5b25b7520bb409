"""``prpilot eval``'s options: a wrong one is one line before any test bed starts."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import jsonschema
import pytest

from prpilot.cli import main
from prpilot.commands.eval import eval_main
from prpilot.errors import ConfigError
from prpilot.testing.openai_replies import always_error
from prpilot.testing.openai_server import OpenAIServer

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_a_token_copilot_refuses_names_the_permission_the_workflow_needs() -> None:
    with OpenAIServer(api_key="the-right-token") as copilot:
        done, _ = _prpilot_eval(env={"GITHUB_TOKEN": "ghs_wrong", "PRPILOT_COPILOT_API_URL": copilot.base_url})
    assert done.returncode == 2, done.stderr
    assert "refused the key (HTTP 401); check GITHUB_TOKEN (in a workflow it needs permissions: copilot-requests: " \
           "write)" in done.stderr
    assert "ghs_wrong" not in done.stderr


@pytest.mark.parametrize(("argv", "said"), [
    (["--runs", "0"], "--runs must be 1 or more"),
    (["--max-steps", "0"], "--max-steps must be 1 or more"),
    (["--task", "nope"], "no task named nope"),
    (["--tasks", "/nowhere"], "--tasks /nowhere: no such folder"),
])
def test_wrong_options_are_said_in_one_line(argv: list[str], said: str) -> None:
    with pytest.raises(ConfigError, match=said):
        eval_main(argv, {})


def test_a_key_variable_that_is_not_set_is_named_and_its_value_never_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["eval", "--task", "typo", "--api-key-env", "NOT_SET_HERE"])
    assert code == 1
    err = capsys.readouterr()
    assert "--api-key-env NOT_SET_HERE: that environment variable is not set or empty" in err.out + err.err
    assert "Traceback" not in err.out + err.err


def test_scripted_runs_of_a_users_tasks_need_their_scripts(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    (folder / "repo").mkdir(parents=True)
    (folder / "repo" / "a.txt").write_text("a\n")
    (folder / "task.yml").write_text("request: change a.txt\n")
    (folder / "check").write_text("#!/bin/sh\ntrue\n")
    with pytest.raises(ConfigError, match=r"--scripted right: no scripted/right.yml in mine"):
        eval_main(["--tasks", str(tmp_path), "--scripted"], {})


PRPILOT = Path(sys.executable).with_name("prpilot")


def _prpilot_eval(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run([str(PRPILOT), "eval", *args], env={"PATH": os.environ["PATH"], **(env or {})},
                          capture_output=True, text=True, timeout=60, check=False)
    return done, time.monotonic() - started


def test_an_endpoint_that_cannot_be_reached_is_bad_usage_named_at_once() -> None:
    with socket.socket() as listener:  # accepts, counts, and hangs up: an endpoint that cannot be reached
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.2)
        port, attempts = listener.getsockname()[1], list[int]()

        def count() -> None:
            while not done_event.is_set():
                try:
                    connection, _ = listener.accept()
                except TimeoutError:
                    continue
                attempts.append(1)
                connection.close()

        done_event = threading.Event()
        counter = threading.Thread(target=count)
        counter.start()
        try:
            done, _ = _prpilot_eval("--base-url", f"http://127.0.0.1:{port}/v1")
        finally:
            done_event.set()
            counter.join()
    assert done.returncode == 2, done.stderr
    assert len(attempts) == 1  # named at once: one try, no retries
    assert f"the model endpoint http://127.0.0.1:{port}/v1 could not be reached" in done.stderr
    assert "Traceback" not in done.stderr
    assert "prpilot eval:" not in done.stderr  # no task started


def test_an_endpoint_that_refuses_the_key_is_bad_usage() -> None:
    with OpenAIServer(api_key="the-right-key") as server:
        done, _ = _prpilot_eval("--base-url", server.base_url, "--api-key-env", "EVAL_KEY",
                                env={"EVAL_KEY": "a-wrong-key"})
        assert server.calls == []  # no task ran
    assert done.returncode == 2, done.stderr
    assert f"the model endpoint {server.base_url} refused the key (HTTP 401); check --api-key-env" in done.stderr
    assert "a-wrong-key" not in done.stderr


@pytest.mark.parametrize(("argv", "said"), [
    (["--base-url", "notaurl"], "--base-url must be an http(s) URL such as https://api.openai.com/v1, not 'notaurl'"),
    (["--fallback-base-url", "ftp://x"], "--fallback-base-url must be an http(s) URL"),
    (["--prices", "{bad"], "--prices is not valid JSON"),
    (["--prices", '{"m": {"input": "x"}}'], "--prices: entry 'm' must look like"),
    (["--runs", "0"], "--runs must be 1 or more"),
])
def test_malformed_options_are_bad_usage(argv: list[str], said: str) -> None:
    done, _ = _prpilot_eval(*argv)
    assert done.returncode == 2
    assert said in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.e2e
@pytest.mark.slow
def test_a_task_that_could_not_run_shows_why_in_the_table_and_the_json(tmp_path: Path) -> None:
    # The endpoint lists its models (so the check before the suite passes) and then refuses every call.
    with OpenAIServer(policy=always_error(400)) as server:
        code = eval_main(["--base-url", server.base_url, "--task", "typo", "--json", str(tmp_path / "r.json"),
                          "--markdown", str(tmp_path / "r.md")], {**os.environ, "PRPILOT_HTTP_BACKOFF": "0.01"})
    assert code == 1
    report = json.loads((tmp_path / "r.json").read_text())
    jsonschema.validate(report, json.loads((DOCS / "eval-report.schema.json").read_text()))
    [row] = report["scaffolds"][0]["results"]
    assert row["error"].startswith("the task failed before any model call answered: ")
    assert "rejected the request (400 Bad Request)" in row["error"]
    markdown = (tmp_path / "r.md").read_text()
    assert "| `typo` | typo | ❌ ⚠️ |" in markdown
    assert "- `typo` (prpilot, run 1): the task failed before any model call answered" in markdown
