"""Outside inputs through the real entry points: each gets one clear line and a sensible exit code.

Found by an audit of 2026-12-08 (each once ended in an internal error, a traceback, a wrong exit
code, a misleading message or a status comment left "queued"); the unit-level halves of that audit
sit beside the code they check.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "entrypoint.py"


def _prpilot(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``entrypoint.py`` of this checkout (its own src/ first on the path), in a bare environment."""
    base = {"PATH": "/usr/bin:/bin", "PRPILOT_HTTP_BACKOFF": "0.01", "PRPILOT_HTTP_TIMEOUT": "2"}
    return subprocess.run([sys.executable, str(ENTRYPOINT), *args], cwd=cwd, env=base | env, capture_output=True,
                          text=True, timeout=120, check=False)


def _prpilot(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``entrypoint.py`` of this checkout (its own src/ first on the path), in a bare environment."""
    base = {"PATH": "/usr/bin:/bin", "PRPILOT_HTTP_BACKOFF": "0.01", "PRPILOT_HTTP_TIMEOUT": "2"}
    return subprocess.run([sys.executable, str(ENTRYPOINT), *args], cwd=cwd, env=base | env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_a_huge_max_cost_input_is_not_an_internal_error(tmp_path: Path) -> None:
    """``max-cost: 1e30`` passes the input check, then the acknowledge and schedule steps exit 2 with
    "prpilot: internal error (InvalidOperation: [<class 'decimal.InvalidOperation'>])"."""
    from prpilot.testing.scenario import start_bed

    with start_bed(tmp_path / "bed") as bed:
        event = bed.issue_comment("/pilot fix the typo")
        event_path = tmp_path / "event.json"
        event_path.write_text(json.dumps(event))
        env = {
            "GITHUB_EVENT_NAME": "issue_comment", "GITHUB_EVENT_PATH": str(event_path), "GITHUB_REPOSITORY": bed.repo,
            "GITHUB_API_URL": bed.github.api_url, "GITHUB_SERVER_URL": bed.github.server_url, "GITHUB_RUN_ID": "7",
            "RUNNER_TEMP": str(tmp_path), "INPUT_GITHUB-TOKEN": bed.github.token, "INPUT_MAX-COST": "1e30",
        }
        done = _prpilot("acknowledge", cwd=tmp_path, env=env)

    assert "internal error" not in done.stdout + done.stderr
    assert done.returncode in (0, 1, 2)


def test_a_huge_monthly_budget_in_spend_is_not_an_internal_error(tmp_path: Path) -> None:
    """``PRPILOT_MONTHLY_BUDGET=1e30 prpilot spend`` exits 2 with an internal error (InvalidOperation)."""
    from prpilot.testing.github import FakeGitHub

    with FakeGitHub(tmp_path / "github") as github:
        github.add_repo("octo-org/hello", files={"README.md": "hello\n"})
        done = _prpilot("spend", "--repo", "octo-org/hello", cwd=tmp_path, env={
            "GITHUB_TOKEN": github.token, "GITHUB_API_URL": github.api_url, "GITHUB_SERVER_URL": github.server_url,
            "PRPILOT_MONTHLY_BUDGET": "1e30"})

    assert "internal error" not in done.stderr, done.stderr


def _review_comment_steps(tmp_path: Path, bed: Any) -> tuple[dict[str, Any], dict[str, str], Path, Any]:
    """A review comment asking for work, and the steps' environment for it."""
    bed.github.commit(bed.repo, "feature", {"src/hello.py": 'print("helo")\n'}, "Add a greeting")
    pull = bed.github.add_pull(bed.repo, head="feature", title="Greeting")
    event = bed.review_comment("/pilot fix this typo", pull, path="src/hello.py", line=1, hunk="@@ -1 +1 @@")
    event_path, outputs = tmp_path / "event.json", tmp_path / "outputs"
    outputs.touch()
    env = {
        "GITHUB_EVENT_NAME": "pull_request_review_comment", "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_REPOSITORY": bed.repo, "GITHUB_API_URL": bed.github.api_url,
        "GITHUB_SERVER_URL": bed.github.server_url, "GITHUB_RUN_ID": "7", "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(outputs), "INPUT_GITHUB-TOKEN": bed.github.token,
        "INPUT_OPENAI-API-KEY": "sk-test", "INPUT_OPENAI-BASE-URL": bed.model.base_url,
    }
    return event, env, outputs, pull


def test_a_review_comment_line_that_is_no_number_is_left_by_the_first_step_as_the_schedule_step_refuses_it(
        tmp_path: Path) -> None:
    """The first step read a review comment's line/path/side raw, the schedule step through its payload
    model: ``comment.line: "one"`` was acknowledged ("👀 On it ... queued") by the one and refused by the other."""
    from prpilot.testing.runner.env import parse_command_file
    from prpilot.testing.scenario import start_bed

    with start_bed(tmp_path / "bed") as bed:
        event, env, outputs, pull = _review_comment_steps(tmp_path, bed)
        event["comment"]["line"] = "one"
        Path(env["GITHUB_EVENT_PATH"]).write_text(json.dumps(event))
        first = _prpilot("acknowledge", cwd=tmp_path, env=env)
        comments = bed.status_comments(pull)

    assert first.returncode == 0, first.stdout + first.stderr
    assert parse_command_file(outputs.read_text())["acknowledged"] == ""
    assert comments == []


def test_an_acknowledged_request_whose_event_the_schedule_step_cannot_read_ends_failed(tmp_path: Path) -> None:
    """Whatever makes the two steps read an event differently, the request the first step acknowledged is
    ended on its status comment when the schedule step cannot read the event: never "queued" for ever."""
    from prpilot.testing.runner.env import parse_command_file
    from prpilot.testing.scenario import start_bed

    with start_bed(tmp_path / "bed") as bed:
        event, env, outputs, pull = _review_comment_steps(tmp_path, bed)
        Path(env["GITHUB_EVENT_PATH"]).write_text(json.dumps(event))
        first = _prpilot("acknowledge", cwd=tmp_path, env=env)
        assert first.returncode == 0, first.stdout + first.stderr
        acknowledged = parse_command_file(outputs.read_text())["acknowledged"]
        assert acknowledged, first.stdout
        assert "queued" in bed.status_comments(pull)[0]
        event["comment"]["line"] = "one"  # what the schedule step reads now, it cannot
        Path(env["GITHUB_EVENT_PATH"]).write_text(json.dumps(event))
        scheduled = _prpilot("schedule", cwd=tmp_path, env={**env, "PRPILOT_ACKNOWLEDGED": acknowledged})
        comments = bed.status_comments(pull)

    assert scheduled.returncode == 1
    assert "comment.line" in scheduled.stdout + scheduled.stderr
    assert len(comments) == 1
    assert "queued" not in comments[0], comments[0]
    assert "could not read this request's event" in comments[0]


@pytest.mark.parametrize("args", [
    ["--visibility-timeout", "nan"],  # now: "queue refused to reserve a task: value is not a valid float script"
    ["--visibility-timeout", "inf"],  # now: an OverflowError traceback from the heartbeat thread
    ["--visibility-timeout", "-5"],  # now: taken; every lease has expired when it is granted
    ["--heartbeat-interval", "-1"],  # now: taken; Event.wait(-1) returns at once, heartbeats in a busy loop
])
def test_worker_time_options_must_be_positive_seconds(tmp_path: Path, args: list[str]) -> None:
    """argparse's ``type=float`` takes nan, inf and negatives; the worker uses them as they are."""
    done = _prpilot("worker", "--burst", "--redis-url", "redis://127.0.0.1:9/0", *args, cwd=tmp_path, env={})

    assert done.returncode == 2, done.stderr
    assert args[0] in done.stderr


@pytest.fixture
def ledgered_github(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fake GitHub whose octo-org/hello has a ledger ref; the environment that reaches it."""
    from prpilot.github.rest import open_repository
    from prpilot.testing.github import FakeGitHub

    with FakeGitHub(tmp_path / "github") as github:
        github.add_repo("octo-org/hello", files={"README.md": "hello\n"})
        store = open_repository(github.token, github.api_url, "octo-org/hello").ledger_store()
        store.move(None, store.commit_file(None, "ledger/2026-01.jsonl", "", "prpilot ledger"))
        yield {"GITHUB_TOKEN": github.token, "GITHUB_API_URL": github.api_url, "GITHUB_SERVER_URL": github.server_url}


def test_spend_month_of_year_zero_is_bad_usage(tmp_path: Path, ledgered_github: dict[str, str]) -> None:
    """``--month 0000-01`` passes the YYYY-MM check, then the clock ``datetime(0, 1, 15)`` raises:
    "prpilot: internal error (ValueError: year 0 is out of range)"."""
    done = _prpilot("spend", "--repo", "octo-org/hello", "--month", "0000-01", cwd=tmp_path, env=ledgered_github)

    assert done.returncode == 2
    assert "internal error" not in done.stderr
    assert "--month" in done.stderr


def test_spend_names_the_variable_that_is_malformed(tmp_path: Path) -> None:
    """``PRPILOT_RATE_LIMIT=abc prpilot spend`` says "input rate-limit must be a whole number" (an action input
    the person never set) and exits 1, where a malformed value is bad usage."""
    done = _prpilot("spend", "--repo", "octo-org/hello", cwd=tmp_path,
                    env={"GITHUB_TOKEN": "t", "PRPILOT_RATE_LIMIT": "abc"})

    assert "PRPILOT_RATE_LIMIT" in done.stderr, done.stderr
    assert done.returncode == 2
