"""The runner simulator, on a throwaway composite action and a local bare repository."""

from __future__ import annotations

import base64
import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from prpilot.testing.runner.expressions import UnsupportedExpression
from prpilot.testing.runner.job import Runner, RunResult
from prpilot.testing.webhooks import load_webhook, retarget

ACTION = """
name: probe
inputs:
  greeting:
    default: hello
  token:
    default: "${{ github.token }}"
  fail-at:
    default: ""
outputs:
  answer:
    value: ${{ steps.second.outputs.answer || steps.first.outputs.fallback }}
  letter:
    value: ${{ steps.first.outputs.letter }}
  never:
    value: ${{ steps.skipped.outputs.x }}
runs:
  using: composite
  steps:
    - id: first
      shell: bash
      env:
        GREETING: ${{ inputs.greeting }}
        TOKEN: ${{ inputs.token }}
        ACTION_DIR: ${{ github.action_path }}
        WORKSPACE_DIR: ${{ github.workspace }}
      run: |
        env | sort > "$RUNNER_TEMP/first.env"
        echo "fallback=$GREETING" >> "$GITHUB_OUTPUT"
        {
          echo "letter<<EOF_LETTER"
          echo "Dear $GREETING,"
          echo "a=b == c"
          echo "EOF_LETTER"
        } >> "$GITHUB_OUTPUT"
        echo "FROM_FIRST=carried" >> "$GITHUB_ENV"
        echo "### first ran" >> "$GITHUB_STEP_SUMMARY"
        echo "hello from first"
        test "$(pwd)" = "$GITHUB_WORKSPACE"
        if [ "${{ inputs.fail-at }}" = first ]; then echo "boom" >&2; exit 3; fi
    - id: skipped
      if: inputs.greeting == 'never'
      shell: bash
      run: echo "x=1" >> "$GITHUB_OUTPUT"
    - id: second
      if: ${{ steps.first.outputs.fallback != '' && !(inputs.fail-at == 'second') }}
      shell: bash
      env:
        ONLY_SECOND: yes
      run: |
        env | sort > "$RUNNER_TEMP/second.env"
        echo "answer=42" >> "$GITHUB_OUTPUT"
        echo "### second ran" >> "$GITHUB_STEP_SUMMARY"
    - id: after-failure
      if: failure()
      shell: bash
      run: echo "cleanup after failure"
    - id: finally
      if: always()
      shell: bash
      run: echo "status=${{ steps.first.outcome }}" >> "$GITHUB_OUTPUT"
"""


def make_action(tmp_path: Path, text: str = ACTION) -> Path:
    folder = tmp_path / "action"
    folder.mkdir()
    (folder / "action.yml").write_text(textwrap.dedent(text))
    return folder


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def remote(tmp_path: Path) -> tuple[str, str]:
    """A ``file://`` "server" holding ``acme/widgets`` with two commits on main and a feature branch."""
    server = tmp_path / "server"
    bare = server / "acme" / "widgets"
    bare.mkdir(parents=True)
    git(bare, "init", "--bare", "--quiet", "--initial-branch=main")
    seed = tmp_path / "seed"
    seed.mkdir()
    git(seed, "init", "--quiet", "--initial-branch=main")
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    (seed / "README.md").write_text("one\n")
    git(seed, "add", ".")
    git(seed, *ident, "commit", "--quiet", "-m", "one")
    first = git(seed, "rev-parse", "HEAD")
    (seed / "README.md").write_text("two\n")
    git(seed, *ident, "commit", "--quiet", "-am", "two")
    git(seed, "branch", "feature", first)
    git(seed, "push", "--quiet", str(bare), "main", "feature")
    return f"file://{server}", first


@pytest.fixture
def payload() -> dict[str, object]:
    return retarget(load_webhook("issue_comment__created"), repository="acme/widgets", user="alice", body="/pilot go")


def make_runner(tmp_path: Path, action: Path, server_url: str = "https://github.com") -> Runner:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "INPUT_LEAK": "x", "GITHUB_TOKEN": "leak", "KEEP": "1"}
    return Runner(tmp_path / "runner", action_path=action, server_url=server_url, token="ghs_T", base_env=base)


def env_file(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_runs_steps_collects_outputs_and_summary(tmp_path: Path, payload: dict[str, object]) -> None:
    action = make_action(tmp_path)
    result = make_runner(tmp_path, action).run("issue_comment", payload, {"greeting": "Ada"}, checkout=False)

    assert result.ok, result.logs
    assert [(s.id, s.outcome) for s in result.steps] == [
        ("first", "success"),
        ("skipped", "skipped"),
        ("second", "success"),
        ("after-failure", "skipped"),
        ("finally", "success"),
    ]
    assert result.outputs == {"answer": "42", "letter": "Dear Ada,\na=b == c", "never": ""}
    assert result.step("first").stdout == "hello from first\n"
    assert result.step("finally").outputs == {"status": "success"}
    assert result.summary == "### first ran\n### second ran\n"
    assert json.loads(result.event_path.read_text()) == payload


def test_environment_is_the_runners_plus_the_steps_own(tmp_path: Path, payload: dict[str, object]) -> None:
    action = make_action(tmp_path)
    runner = make_runner(tmp_path, action)
    result = runner.run("issue_comment", payload, {}, env={"PRPILOT_PYTHON": "/py"}, checkout=False)
    first = env_file(result.runner_temp / "first.env")
    second = env_file(result.runner_temp / "second.env")

    assert first["GREETING"] == "hello"
    assert first["TOKEN"] == "ghs_T"  # default ${{ github.token }}
    assert first["ACTION_DIR"] == str(action) == first["GITHUB_ACTION_PATH"]
    assert first["WORKSPACE_DIR"] == str(result.workspace) == first["GITHUB_WORKSPACE"]
    assert first["GITHUB_EVENT_NAME"] == "issue_comment"
    assert first["GITHUB_EVENT_PATH"] == str(result.event_path)
    assert (first["GITHUB_REPOSITORY"], first["GITHUB_REPOSITORY_OWNER"]) == ("acme/widgets", "acme")
    assert (first["GITHUB_ACTOR"], first["GITHUB_TRIGGERING_ACTOR"]) == ("alice", "alice")
    assert (first["GITHUB_REF"], first["GITHUB_REF_NAME"]) == ("refs/heads/master", "master")
    assert first["GITHUB_API_URL"] == "https://api.github.com"
    assert first["GITHUB_GRAPHQL_URL"] == "https://api.github.com/graphql"
    assert first["GITHUB_SERVER_URL"] == "https://github.com"
    assert (first["CI"], first["GITHUB_ACTIONS"], first["RUNNER_OS"]) == ("true", "true", "Linux")
    assert first["RUNNER_TEMP"] == str(result.runner_temp)
    for name in ("GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_RUN_NUMBER", "GITHUB_WORKFLOW", "GITHUB_JOB"):
        assert first[name]
    assert first["PRPILOT_PYTHON"] == "/py"
    assert first["KEEP"] == "1"
    # no INPUT_* and no host GITHUB_* leak in; each step has its own env and fresh command files
    assert not [k for k in first if k.startswith("INPUT_")]
    assert "GITHUB_TOKEN" not in first
    assert "GREETING" not in second
    assert second["ONLY_SECOND"] == "yes"
    assert second["FROM_FIRST"] == "carried"
    for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH"):
        assert first[name] != second[name]


def test_failing_step_skips_the_rest_but_failure_and_always_run(tmp_path: Path, payload: dict[str, object]) -> None:
    result = make_runner(tmp_path, make_action(tmp_path)).run(
        "issue_comment", payload, {"fail-at": "first"}, checkout=False
    )
    assert result.exit_code == 1
    first = result.step("first")
    assert (first.outcome, first.exit_code) == ("failure", 3)
    assert "boom" in first.stderr
    assert [s.outcome for s in result.steps[1:]] == ["skipped", "skipped", "success", "success"]
    assert result.step("finally").outputs == {"status": "failure"}
    assert result.outputs["answer"] == "hello"  # outputs written before the failure still count


def test_pipefail_and_errexit(tmp_path: Path, payload: dict[str, object]) -> None:
    action = make_action(
        tmp_path,
        """
        runs:
          using: composite
          steps:
            - id: piped
              shell: bash
              run: |
                false | true
                echo reached
    """,
    )
    result = make_runner(tmp_path, action).run("issue_comment", payload, checkout=False)
    assert result.step("piped").outcome == "failure"
    assert "reached" not in result.step("piped").stdout


def test_unsupported_expression_fails_loudly(tmp_path: Path, payload: dict[str, object]) -> None:
    action = make_action(
        tmp_path,
        """
        runs:
          using: composite
          steps:
            - shell: bash
              env:
                X: ${{ secrets.NOPE }}
              run: echo
    """,
    )
    with pytest.raises(UnsupportedExpression, match="secrets"):
        make_runner(tmp_path, action).run("issue_comment", payload, checkout=False)


def test_cancellation_sends_sigterm_to_the_step(tmp_path: Path, payload: dict[str, object]) -> None:
    action = make_action(
        tmp_path,
        """
        runs:
          using: composite
          steps:
            - id: work
              shell: bash
              run: |
                trap 'echo "got TERM"; echo "note=cleaned" >> "$GITHUB_OUTPUT"; exit 143' TERM
                for i in $(seq 100); do sleep 0.1; done
            - id: next
              shell: bash
              run: echo next
            - id: cleanup
              if: cancelled()
              shell: bash
              run: echo cleanup
    """,
    )
    result = make_runner(tmp_path, action).run("issue_comment", payload, checkout=False, cancel_after=0.5)
    work = result.step("work")
    assert work.cancelled
    assert "got TERM" in work.stdout
    assert work.outputs == {"note": "cleaned"}
    assert result.cancelled
    assert result.exit_code == 1
    assert [s.outcome for s in result.steps[1:]] == ["skipped", "success"]


def test_timeout_kills_the_step(tmp_path: Path, payload: dict[str, object]) -> None:
    action = make_action(
        tmp_path,
        """
        runs:
          using: composite
          steps:
            - id: slow
              shell: bash
              run: sleep 30
    """,
    )
    result = make_runner(tmp_path, action).run("issue_comment", payload, checkout=False, timeout=0.5)
    assert result.step("slow").timed_out
    assert result.exit_code == 1


def test_checkout_persists_the_token_header(
    tmp_path: Path, payload: dict[str, object], remote: tuple[str, str]
) -> None:
    server_url, _ = remote
    payload = retarget(payload, default_branch="main")
    result = make_runner(tmp_path, make_action(tmp_path), server_url).run("issue_comment", payload)
    assert (result.workspace / "README.md").read_text() == "two\n"
    header = git(result.workspace, "config", "--local", f"http.{server_url}/.extraheader")
    assert header == "AUTHORIZATION: basic " + base64.b64encode(b"x-access-token:ghs_T").decode()
    assert git(result.workspace, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert result.sha == git(result.workspace, "rev-parse", "HEAD")
    assert git(result.workspace, "remote", "get-url", "origin") == f"{server_url}/acme/widgets"


def test_checkout_without_credentials_and_at_a_sha(
    tmp_path: Path, payload: dict[str, object], remote: tuple[str, str]
) -> None:
    server_url, first = remote
    runner = make_runner(tmp_path, make_action(tmp_path), server_url)
    result = runner.run("issue_comment", payload, persist_credentials=False, checkout_ref=first)
    assert (result.workspace / "README.md").read_text() == "one\n"
    assert "extraheader" not in git(result.workspace, "config", "--local", "--list")
    branch = runner.run("issue_comment", payload, checkout_ref="feature")
    assert git(branch.workspace, "rev-parse", "--abbrev-ref", "HEAD") == "feature"
    assert branch.workspace != result.workspace


def test_checkout_from_the_fake_github_with_token_as_password(tmp_path: Path, payload: dict[str, object]) -> None:
    from prpilot.testing.github import FakeGitHub

    with FakeGitHub(tmp_path / "github") as github:
        github.add_repo("acme/widgets", files={"app.py": "print('hi')\n"})
        runner = Runner(
            tmp_path / "runner",
            action_path=make_action(tmp_path),
            server_url=github.server_url,
            api_url=github.api_url,
            token=github.token,
            base_env={"PATH": "/usr/bin:/bin"},
        )
        result = runner.run("issue_comment", retarget(payload, default_branch="main"))
        (result.workspace / "app.py").write_text("print('changed')\n")
        git(result.workspace, "checkout", "-q", "-b", "pilot/x")
        git(result.workspace, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qam", "change")
        git(result.workspace, "push", "-q", "origin", "pilot/x")  # the persisted header authenticates the push
        assert git(result.workspace, "ls-remote", "origin", "refs/heads/pilot/x")
        bad = Runner(tmp_path / "bad", action_path=runner.action_path, server_url=github.server_url, token="nope")
        with pytest.raises(RuntimeError, match="ls-remote"):
            bad.run("issue_comment", payload)
    assert result.ok, result.logs
    assert result.step("first").env["GITHUB_API_URL"] == github.api_url


def test_the_real_action_yml_with_a_stand_in_entrypoint(tmp_path: Path, payload: dict[str, object]) -> None:
    """Every expression of the shipped action.yml is understood, and each step gets only its own inputs."""
    import shutil
    import sys

    from prpilot.testing.runner.job import DEFAULT_ACTION_PATH

    action = tmp_path / "action"
    action.mkdir()
    shutil.copy(DEFAULT_ACTION_PATH / "action.yml", action / "action.yml")
    (action / "entrypoint.py").write_text(
        textwrap.dedent(
            """
            import json, os, sys
            mode = sys.argv[1]
            seen = sorted(k for k in os.environ if k.startswith("INPUT_"))
            out = open(os.environ["GITHUB_OUTPUT"], "a")
            if mode == "acknowledge":
                out.write("proceed=true\\n")
            elif mode == "run":  # the scheduling's outputs, then the engine's: the later line wins
                out.write("admitted=true\\ntask-file=/tmp/task.json\\ntask-id=t1\\nstatus=scheduled\\n")
                out.write("engine-started=true\\nstatus=completed\\nbranch=pilot/t1\\ncost=0.01\\n")
                out.write("result<<END\\nline one\\nline two\\nEND\\n")
                out.write("ended=" + os.environ.get("INPUT_MODEL", "") + "\\n")
            else:
                assert os.environ["PRPILOT_TASK_FILE"] == "/tmp/task.json"
                assert os.environ["PRPILOT_ENGINE_OUTCOME"] == "success"
            print(json.dumps({"mode": mode, "inputs": seen, "token": os.environ.get("INPUT_GITHUB-TOKEN")}))
            """
        )
    )
    runner = Runner(tmp_path / "runner", action_path=action, token="ghs_T", base_env={"PATH": "/usr/bin:/bin"})

    def run(ended: str) -> RunResult:  # the stand-in says ended=<the model input>
        return runner.run(
            "issue_comment",
            payload,
            {"openai-api-key": "sk-x", "model": ended},
            env={"PRPILOT_PYTHON": sys.executable},
            checkout=False,
        )

    result = run("true")
    assert result.ok, result.logs
    first = json.loads(result.step("acknowledge").stdout)
    both = json.loads(result.step("run").stdout)
    assert first["token"] == both["token"] == "ghs_T"
    assert "INPUT_MONTHLY-BUDGET" not in first["inputs"]
    assert "INPUT_OPENAI-API-KEY" not in first["inputs"]
    assert {"INPUT_OPENAI-API-KEY", "INPUT_MONTHLY-BUDGET"} <= set(both["inputs"])
    assert result.step("finish").outcome == "skipped"  # the engine ended the task: nothing left to finish
    unfinished = run("")
    assert unfinished.ok, unfinished.logs
    finish = json.loads(unfinished.step("finish").stdout)  # it ran, and with the inputs it reads alone
    assert "INPUT_GITHUB-TOKEN" in finish["inputs"]
    assert "INPUT_OPENAI-API-KEY" not in finish["inputs"]
    assert result.outputs["status"] == "completed"
    assert result.outputs["task-id"] == "t1"
    assert result.outputs["result"] == "line one\nline two"
    assert result.outputs["pr-number"] == ""


def test_runner_fixture_targets_this_checkout(runner: Runner, tmp_path: Path) -> None:
    import sys

    from prpilot.testing.github import FakeGitHub
    from prpilot.testing.runner.job import DEFAULT_ACTION_PATH

    assert (DEFAULT_ACTION_PATH / "action.yml").is_file()
    assert runner.action_path == DEFAULT_ACTION_PATH
    assert runner.env["PRPILOT_PYTHON"] == sys.executable
    with FakeGitHub(tmp_path / "github") as github:
        assert runner.use(github).api_url == github.api_url
        assert (runner.server_url, runner.token) == (github.server_url, github.token)


def test_cancelling_the_jobs_run_on_the_fake_signals_the_step(tmp_path: Path, payload: dict[str, object]) -> None:
    import threading
    import time

    import requests

    from prpilot.testing.github import FakeGitHub

    action = make_action(
        tmp_path,
        """
        runs:
          using: composite
          steps:
            - id: work
              shell: bash
              run: |
                trap 'echo "got TERM"; exit 143' TERM
                echo "$GITHUB_RUN_ID" > "$RUNNER_TEMP/run_id"
                for i in $(seq 300); do sleep 0.1; done
    """,
    )
    with FakeGitHub(tmp_path / "github") as github:
        github.add_repo("acme/widgets")
        runner = Runner(tmp_path / "runner", action_path=action, base_env={"PATH": "/usr/bin:/bin"}).use(github)
        results = []
        job = threading.Thread(target=lambda: results.append(
            runner.run("issue_comment", retarget(payload, default_branch="main"), checkout=False)))
        job.start()
        run_file = tmp_path / "runner" / "run-1" / "work" / "_temp" / "run_id"
        deadline = time.monotonic() + 20
        while not (run_file.exists() and run_file.read_text().strip()):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        run_id = run_file.read_text().strip()

        answer = requests.post(f"{github.api_url}/repos/acme/widgets/actions/runs/{run_id}/cancel",
                               headers={"Authorization": f"token {github.token}"}, timeout=10)
        job.join(timeout=30)

        assert answer.status_code == 202
        [result] = results
        assert result.cancelled
        assert "got TERM" in result.step("work").stdout
        assert github.state.runs[int(run_id)].conclusion == "cancelled"
