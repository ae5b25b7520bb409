"""The first step: the standard library only, the same reading of events as the schedule step, three requests."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from prpilot.actions.acknowledge import INPUTS, STEP_OUTPUTS, acknowledge_step, task_json
from prpilot.actions.schedule_step import schedule_step
from prpilot.intake import rules
from prpilot.intake.events import Skip, StopRequest, parse_event
from prpilot.intake.thread_commands import effective_cap
from prpilot.settings import Settings
from prpilot.task import Task
from prpilot.testing.github import FakeGitHub
from prpilot.testing.webhooks import fixtures_dir, load_webhook, retarget, review_event
from prpilot.thread.markdown import status_comment
from prpilot.thread.records import extract_task

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"


def test_the_first_step_imports_nothing_but_the_standard_library() -> None:
    # -S: no site-packages at all, as on a runner where nothing is installed yet.
    code = (f"import sys; sys.path.insert(0, {str(SRC)!r}); "
            "import prpilot.cli, prpilot.actions.acknowledge, prpilot.actions.uv_wheel; "
            "print(sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) "
            "- {'prpilot', '__main__'}))")
    done = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _comment(body: str, *, action: str = "created", user: str = "alice", kind: str = "issue") -> dict[str, Any]:
    if kind == "issue":
        payload = retarget(load_webhook("issue_comment__created"), user=user, body=body)
    else:
        payload = retarget(load_webhook("pull_request_review_comment__created"), user=user, body=body)
    payload["action"] = action
    if kind == "pull_review":
        payload = review_event(payload, body=body, action="submitted" if action == "created" else action)
    return payload


def _cases() -> list[tuple[str, str, dict[str, Any], Settings]]:
    settings = Settings(model="m", max_cost_usd=Decimal("3"))
    cases = [
        ("plain request", "issue_comment", _comment("/pilot fix the typo"), settings),
        ("options", "issue_comment", _comment("/pilot --max-cost 2 fix it"), settings),
        ("a higher cap", "issue_comment", _comment("/pilot --max-cost 9 fix it"), settings),
        ("bad option", "issue_comment", _comment("/pilot --max-cost abc fix it"), settings),
        ("bare trigger", "issue_comment", _comment("/pilot"), settings),
        ("quoted", "issue_comment", _comment("> /pilot fix it\n\nthanks"), settings),
        ("in code", "issue_comment", _comment("```\n/pilot fix it\n```"), settings),
        ("not ours", "issue_comment", _comment("looks good"), settings),
        ("stop", "issue_comment", _comment("/pilot stop"), settings),
        ("a bot", "issue_comment", _comment("/pilot fix", user="helper[bot]"), settings),
        ("an allowed bot", "issue_comment", _comment("/pilot fix", user="helper[bot]"),
         Settings(model="m", allowed_bots=("helper",))),
        ("edited", "issue_comment", _comment("/pilot fix", action="edited"), settings),
        ("edited, allowed", "issue_comment", _comment("/pilot fix", action="edited"),
         Settings(model="m", allow_edited=True)),
        ("deleted", "issue_comment", _comment("/pilot fix", action="deleted"), settings),
        ("review comment", "pull_request_review_comment", _comment("/pilot rename it", kind="review"), settings),
        ("review", "pull_request_review", _comment("/pilot address this", kind="pull_review"), settings),
        ("empty review", "pull_request_review", _comment("", kind="pull_review"), settings),
        ("push", "push", {"ref": "refs/heads/main"}, settings),
        ("dispatch without request", "workflow_dispatch", {**load_webhook("workflow_dispatch__payload"), "inputs": {}},
         settings),
    ]
    on_pull = _comment("/pilot fix the test")
    on_pull["issue"]["pull_request"] = {"url": "https://api.github.com/repos/o/r/pulls/1"}
    cases.append(("on a pull request", "issue_comment", on_pull, settings))
    empty_review = _comment("x", kind="pull_review")
    empty_review["review"]["body"] = None
    cases.append(("review without summary", "pull_request_review", empty_review, settings))
    for name in sorted(path.name for path in fixtures_dir().glob("issues__*.json")):
        event = json.loads((fixtures_dir() / name).read_text())
        cases.append((name, "issues", event, Settings(model="m", trigger_label="bug")))
        cases.append((name + " no label", "issues", copy.deepcopy(event), settings))
        labeled = copy.deepcopy(event)
        labeled["issue"]["labels"] = [{"name": "Bug"}]
        labeled["label"] = {"name": "BUG"}
        cases.append((name + " labeled", "issues", labeled, Settings(model="m", trigger_label="bug")))
    return cases


@pytest.mark.parametrize(("event_name", "payload", "settings"), [case[1:] for case in _cases()],
                         ids=[case[0] for case in _cases()])
def test_the_first_step_reads_events_as_the_schedule_step_does(event_name: str, payload: dict[str, Any],
                                                               settings: Settings) -> None:
    intake = rules.Intake(trigger=settings.trigger, trigger_label=settings.trigger_label,
                          allow_edited=settings.allow_edited, allowed_bots=settings.allowed_bots)
    first = rules.read_request(event_name, payload, intake)
    outcome = parse_event(event_name, payload, settings, run_id="77", actor="alice")
    if isinstance(outcome, Skip):
        assert isinstance(first, rules.Skipped)
        assert first.reason == outcome.reason
        assert first.usage == (outcome.reply is not None)
        return
    if isinstance(outcome, StopRequest):
        assert isinstance(first, rules.Request)
        assert first.is_stop
        return
    assert isinstance(first, rules.Request)
    assert not first.is_stop
    # The task the first step embeds in the status comment is the schedule step's task, field for field.
    outcome.max_cost_usd = effective_cap(outcome.max_cost_usd, settings.max_cost_usd)
    requested = first.fields["max_cost_usd"]
    embedded = Task.model_validate_json(task_json(
        first, task_id=outcome.id, created_at=outcome.created_at, model="m", run_id="77", event_name=event_name,
        max_cost=effective_cap(requested, settings.max_cost_usd)))
    assert embedded == outcome


def test_a_malformed_payload_is_left_to_the_schedule_step() -> None:
    payload = _comment("/pilot fix")
    payload["comment"]["id"] = "seven"
    assert rules.read_request("issue_comment", payload, rules.Intake()) is None


def _env(tmp_path: Path, github: FakeGitHub, repo: str, payload: dict[str, Any], **extra: str) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload))
    for name in ("output", "summary"):
        (tmp_path / name).touch()
    return {"GITHUB_REPOSITORY": repo, "GITHUB_API_URL": github.api_url, "GITHUB_SERVER_URL": github.server_url,
            "GITHUB_EVENT_NAME": "issue_comment", "GITHUB_EVENT_PATH": str(event), "GITHUB_RUN_ID": "77",
            "GITHUB_OUTPUT": str(tmp_path / "output"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
            "RUNNER_TEMP": str(tmp_path), "INPUT_GITHUB-TOKEN": github.issue_token("github-actions[bot]"),
            "INPUT_MODEL": "gpt-4.1-mini",
            "INPUT_TRIGGER": "/pilot", "PRPILOT_HTTP_BACKOFF": "0", **extra}


def _outputs(tmp_path: Path) -> dict[str, str]:
    from prpilot.testing.runner.env import parse_command_file

    return parse_command_file((tmp_path / "output").read_text())


def _request(github: FakeGitHub, body: str, *, user: str = "alice") -> tuple[str, dict[str, Any]]:
    repo = "octo/hello"
    if repo not in github.state.repos:
        github.add_repo(repo, files={"README.md": "hi\n"})
    github.set_permission(repo, "alice", "write")
    number = github.add_issue(repo, "Typo", "It says projet.", user=user)
    comment_id = github.add_comment(repo, number, body, user=user)
    payload = retarget(load_webhook("issue_comment__created"), repository=repo, user=user, body=body, number=number,
                       default_branch="main", server_url=github.server_url, api_url=github.api_url)
    payload["comment"]["id"] = comment_id
    payload["issue"].pop("pull_request", None)
    return repo, payload


def test_the_first_step_acknowledges_in_three_requests_and_the_schedule_step_does_not_ask_again(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    repo, payload = _request(fake_github, "/pilot fix the typo")
    env = _env(tmp_path, fake_github, repo, payload, INPUT_STRATEGY="log")
    before = len(fake_github.requests)

    assert acknowledge_step(env) == 0

    made = fake_github.requests[before:]
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in made] == [
        ("GET", "permission"), ("POST", "reactions"), ("POST", "comments")]
    outputs = _outputs(tmp_path)
    assert outputs["proceed"] == "true"
    assert set(outputs) <= set(STEP_OUTPUTS)
    handed = json.loads(Path(outputs["acknowledged"]).read_text())
    [(comment_id, body)] = [(c.id, c.body) for c in fake_github.state.comments.values() if "prpilot:status" in c.body]
    assert handed["status_comment_id"] == comment_id
    posted = extract_task(body)
    assert posted is not None
    assert posted.id == handed["task_id"]
    assert body == status_comment(posted, run_url=f"{fake_github.server_url}/{repo}/actions/runs/77")

    (tmp_path / "output").write_text("")
    before = len(fake_github.requests)
    assert schedule_step({**env, "PRPILOT_ACKNOWLEDGED": outputs["acknowledged"]}) == 0
    again = [r for r in fake_github.requests[before:]
             if r.path.endswith(("/permission", "/reactions")) or (r.method == "POST" and r.path.endswith("/comments"))]
    assert again == []
    assert _outputs(tmp_path)["task-id"] == handed["task_id"]


def test_a_comment_that_is_no_request_ends_in_the_first_step_without_a_request(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    repo, payload = _request(fake_github, "thanks, looks good")
    before = len(fake_github.requests)

    assert acknowledge_step(_env(tmp_path, fake_github, repo, payload)) == 0

    assert fake_github.requests[before:] == []
    outputs = _outputs(tmp_path)
    assert outputs == {"status": "skipped", "result": "the comment does not start a line with /pilot",
                       "proceed": "false"}
    assert "skipped" in (tmp_path / "summary").read_text()


def test_a_reader_is_refused_in_the_first_step_on_the_thread(tmp_path: Path, fake_github: FakeGitHub) -> None:
    repo, payload = _request(fake_github, "/pilot fix the typo", user="rita")
    fake_github.set_permission(repo, "rita", "read")

    assert acknowledge_step(_env(tmp_path, fake_github, repo, payload)) == 0

    outputs = _outputs(tmp_path)
    assert outputs["status"] == "rejected"
    assert outputs["proceed"] == "false"
    assert "@rita has read access" in outputs["result"]
    [body] = [c.body for c in fake_github.state.comments.values() if "prpilot:status" in c.body]
    rejected = extract_task(body)
    assert rejected is not None
    assert rejected.status == "rejected"
    assert body == status_comment(rejected, run_url=f"{fake_github.server_url}/{repo}/actions/runs/77",
                                  detail=rejected.result)


@pytest.mark.parametrize("change", [{"INPUT_ALLOW-EDITED": "maybe"}, {"INPUT_TASK": "{}"}, {"GITHUB_RUN_ATTEMPT": "2"},
                                    {"INPUT_MAX-COST": "lots"}])
def test_what_the_first_step_cannot_decide_goes_to_the_schedule_step_untouched(
    tmp_path: Path, fake_github: FakeGitHub, change: dict[str, str]
) -> None:
    repo, payload = _request(fake_github, "/pilot fix the typo")
    before = len(fake_github.requests)

    assert acknowledge_step(_env(tmp_path, fake_github, repo, payload, **change)) == 0

    assert fake_github.requests[before:] == []
    assert _outputs(tmp_path) == {"proceed": "true", "acknowledged": ""}


def test_the_first_step_reads_exactly_its_declared_inputs(tmp_path: Path, fake_github: FakeGitHub) -> None:
    repo, payload = _request(fake_github, "/pilot fix the typo")
    env = _env(tmp_path, fake_github, repo, payload)
    seen: set[str] = set()

    class Recording(dict[str, str]):
        def get(self, key: str, default: Any = None) -> Any:
            seen.add(key)
            return super().get(key, default)

    acknowledge_step(Recording(env))
    assert {key.removeprefix("INPUT_").lower() for key in seen if key.startswith("INPUT_")} == set(INPUTS)


def test_a_runner_temp_it_cannot_write_leaves_everything_to_the_schedule_step(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    repo, payload = _request(fake_github, "/pilot fix the typo")
    env = _env(tmp_path, fake_github, repo, payload, INPUT_STRATEGY="log",
               RUNNER_TEMP=str(tmp_path / "missing" / "temp"))
    before = len(fake_github.requests)

    assert acknowledge_step(env) == 0

    # Nothing posted that no later step would know about: only the permission was read.
    assert [r.path.rsplit("/", 1)[-1] for r in fake_github.requests[before:]] == ["permission"]
    assert _outputs(tmp_path) == {"proceed": "true", "acknowledged": ""}
    (tmp_path / "output").write_text("")
    assert schedule_step({**env, "RUNNER_TEMP": str(tmp_path)}) == 0
    [body] = [c.body for c in fake_github.state.comments.values() if "prpilot:status" in c.body]
    task = extract_task(body)
    assert task is not None
    assert task.id == _outputs(tmp_path)["task-id"]


def test_a_status_comment_whose_id_was_not_handed_over_is_found_by_its_task_id(
    tmp_path: Path, fake_github: FakeGitHub, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from prpilot.actions import acknowledge

    repo, payload = _request(fake_github, "/pilot fix the typo")
    # A rate limit of 0 refuses the task in the schedule step, which says so in the status comment.
    env = _env(tmp_path, fake_github, repo, payload, INPUT_STRATEGY="log", **{"INPUT_RATE-LIMIT": "0"})
    write = acknowledge._write_handoff
    writes: list[dict[str, Any]] = []

    def second_write_fails(path: str, handoff: dict[str, Any]) -> None:
        writes.append(dict(handoff))
        if len(writes) == 2:
            raise OSError(28, "No space left on device")
        write(path, handoff)

    monkeypatch.setattr(acknowledge, "_write_handoff", second_write_fails)
    assert acknowledge_step(env) == 0

    outputs = _outputs(tmp_path)
    handed = json.loads(Path(outputs["acknowledged"]).read_text())
    assert handed["acknowledged"] is True
    assert handed["status_comment_id"] is None
    [(comment_id, queued)] = [(c.id, c.body) for c in fake_github.state.comments.values() if "prpilot:status" in c.body]
    said = capsys.readouterr()
    assert "could not write the status comment's id" in said.out + said.err
    (tmp_path / "output").write_text("")
    before = len(fake_github.requests)

    assert schedule_step({**env, "PRPILOT_ACKNOWLEDGED": outputs["acknowledged"]}) == 0

    made = fake_github.requests[before:]
    assert not [r for r in made if r.method == "POST" and r.path.endswith("/comments")]
    [(still, final)] = [(c.id, c.body) for c in fake_github.state.comments.values() if "prpilot:status" in c.body]
    assert still == comment_id
    assert final != queued  # the schedule step's answer is in the first step's comment
    refused = extract_task(final)
    assert refused is not None
    assert refused.status == "rejected"
    assert _outputs(tmp_path)["task-id"] == handed["task_id"]
