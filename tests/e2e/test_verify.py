"""End to end: the project's own checks (issue 15) on the test bed, with the real sandbox and real commands.

The sample project has a module and a unittest for it; ``verify`` runs that test with the
system's Python inside bubblewrap. The scripted model breaks it, and fixes it or not.
"""

from __future__ import annotations

import json
import time

import pytest
import requests

from prpilot.testing import openai_replies as say
from prpilot.testing.listener import Listener
from prpilot.testing.scenario import Bed

pytestmark = pytest.mark.e2e

GREET = 'def greeting(name):\n    return f"Hello, {name}!"\n'
TEST = (
    "import unittest\n\nfrom greet import greeting\n\n\n"
    "class GreetingTest(unittest.TestCase):\n"
    "    def test_greeting(self):\n"
    '        self.assertEqual(greeting("Ada"), "Hello, Ada!")\n'
)
VERIFY = "python3 -m unittest -v test_greet"
BREAK = say.tool("edit_file", {"path": "greet.py", "old": "Hello,", "new": "Hi,"})
FAILING_ASSERTION = "AssertionError: 'Hi, Ada!' != 'Hello, Ada!'"


@pytest.fixture
def project(bed: Bed) -> Bed:
    """The bed's repository with a tested module; commands find the system's Python on PATH."""
    bed.github.commit(bed.repo, "main", {"greet.py": GREET, "test_greet.py": TEST}, "Add greeting")
    bed.runner.base_env["PATH"] = "/usr/bin:/bin"
    return bed


def _fix_rounds(bed: Bed) -> list[str]:
    """The failure messages the agent received, one per fix round."""
    said = []
    for request in bed.model.requests:
        last = request["messages"][-1]
        if last.get("role") == "user" and "The project's checks fail" in str(last.get("content")):
            said.append(str(last["content"]))
    return said


def test_a_broken_test_goes_back_to_the_agent_which_fixes_it(project: Bed) -> None:
    bed = project
    bed.model.script(
        BREAK,
        say.text("Greetings now say Hi."),
        say.tool("edit_file", {"path": "test_greet.py", "old": '"Hello, Ada!"', "new": '"Hi, Ada!"'}),
        say.text("Updated the test to the new greeting."),
        say.text("Greet with Hi"),  # the title, asked once the checks pass
    )
    event = bed.issue_comment("/pilot greet with Hi instead of Hello")
    number = event["issue"]["number"]

    result = bed.run("issue_comment", event, verify=VERIFY)

    assert result.outputs["status"] == "completed", result.logs
    assert result.outputs["verify"] == "passed"
    [failure] = _fix_rounds(bed)
    assert FAILING_ASSERTION in failure  # the failing assertion is in the agent's next request
    assert f"`{VERIFY}` exited with code 1" in failure
    assert len(bed.model.requests) == 5  # two calls, the fix round's two, then the title
    branch = result.outputs["branch"]
    assert '"Hi, Ada!"' in (bed.github.read_file(bed.repo, "test_greet.py", ref=branch) or "")
    [pull] = bed.github.pulls(bed.repo)
    assert pull.pull is not None
    assert not pull.pull.draft
    assert f"✅ `{VERIFY}`" in (pull.body or "")
    assert "fix round" in (pull.body or "")
    status = bed.status_comments(number)[-1]
    assert f"✅ `{VERIFY}`" in status
    assert "### Checks" in result.summary


def test_checks_the_agent_never_fixes_end_in_a_draft_that_says_so(project: Bed) -> None:
    bed = project
    bed.model.script(
        BREAK,
        say.text("Greetings now say Hi."),
        say.text("I looked again; the greeting is what was asked for."),
        say.text("Still the greeting that was asked for."),
        say.text("Greet with Hi"),  # the title, asked after the last fix round
        say.text("This reply must never be asked for."),
    )
    event = bed.issue_comment("/pilot greet with Hi instead of Hello")
    number = event["issue"]["number"]

    result = bed.run("issue_comment", event, verify=VERIFY, verify_rounds="2")

    assert result.outputs["status"] == "completed", result.logs
    assert result.outputs["verify"] == "failed"
    rounds = _fix_rounds(bed)
    assert len(rounds) == 2
    assert "fix round 1 of 2" in rounds[0]
    assert "fix round 2 of 2" in rounds[1]
    assert len(bed.model.requests) == 5  # two calls, one per fix round, then the title
    [pull] = bed.github.pulls(bed.repo)
    assert pull.pull is not None
    assert pull.pull.draft
    for text in (pull.body or "", bed.status_comments(number)[-1]):
        assert f"❌ `{VERIFY}` (exit code 1" in text
        assert FAILING_ASSERTION in text
        assert "<details>" in text
    status = bed.status_comments(number)[-1]
    assert "The checks fail** after 2 fix rounds" in status
    assert "draft" in status
    # Every model call of the fix rounds is billed.
    total = bed.model.total_usage()
    assert result.outputs["prompt-tokens"] == str(total.prompt_tokens)
    [bill] = bed.billing.bills
    assert (bill["prompt_tokens"], bill["completion_tokens"]) == (total.prompt_tokens, total.completion_tokens)


def test_a_failing_setup_ends_the_task_before_any_model_call(project: Bed) -> None:
    bed = project
    setup = "python3 -c \"import sys; print('resolving'); print('ERR! no matching version for leftpad'); sys.exit(3)\""
    event = bed.issue_comment("/pilot greet with Hi instead of Hello")
    number = event["issue"]["number"]

    result = bed.run("issue_comment", event, setup=f"python3 --version\n{setup}", verify=VERIFY)

    assert result.outputs["status"] == "failed", result.logs
    assert bed.model.calls == []
    status = bed.status_comments(number)[-1]
    assert "ERR! no matching version for leftpad" in status
    assert "exited with code 3" in status
    assert "no model was called" in status
    assert "✅ `python3 --version`" in status
    assert result.outputs["verify"] == "skipped"
    assert bed.github.pulls(bed.repo) == []


def test_setup_runs_before_the_agent_and_its_leftovers_are_not_committed(project: Bed) -> None:
    bed = project
    bed.model.script(
        say.tool("read_file", {"path": "built.txt"}),
        say.tool("run_command", {"command": VERIFY}),
        BREAK,
        say.tool("edit_file", {"path": "test_greet.py", "old": '"Hello, Ada!"', "new": '"Hi, Ada!"'}),
        say.text("Done."),
        say.text("Greet with Hi"),
    )
    event = bed.issue_comment("/pilot greet with Hi instead of Hello")

    result = bed.run("issue_comment", event, setup="python3 -c \"open('built.txt', 'w').write('built by setup')\"",
                     verify=VERIFY)

    assert result.outputs["status"] == "completed", result.logs
    assert result.outputs["verify"] == "passed"
    tool_outputs = [m["content"] for m in bed.model.requests[2]["messages"] if m.get("role") == "tool"]
    assert "built by setup" in tool_outputs[0]  # setup ran in the workspace before the agent
    assert "exit code 0" in tool_outputs[1]
    assert "OK" in tool_outputs[1]
    branch = result.outputs["branch"]
    assert bed.github.read_file(bed.repo, "built.txt", ref=branch) is None
    assert "### Checks" in result.summary
    assert "Setup (" in result.summary


def test_an_answer_only_task_runs_no_checks(project: Bed) -> None:
    bed = project
    bed.model.set_policy(lambda request, index: say.text("The greeting says Hello."))
    event = bed.issue_comment("/pilot what does the greeting say?")

    result = bed.run("issue_comment", event, verify="python3 -c 'raise SystemExit(1)'")

    assert result.outputs["status"] == "completed", result.logs
    assert result.outputs["verify"] == "skipped"
    assert "### Checks" not in bed.status_comments(event["issue"]["number"])[-1]


WORKFLOW = "name: CI\non:\n  push:\n  workflow_dispatch:\njobs: {}\n"
NO_DISPATCH = "name: Lint\non: [push, pull_request]\njobs: {}\n"


def test_ci_workflows_are_dispatched_on_the_working_branch_after_the_push(project: Bed) -> None:
    bed = project
    bed.github.commit(bed.repo, "main", {".github/workflows/ci.yml": WORKFLOW,
                                         ".github/workflows/lint.yml": NO_DISPATCH}, "Add CI")
    bed.model.script(BREAK,
                     say.tool("edit_file", {"path": "test_greet.py", "old": '"Hello, Ada!"', "new": '"Hi, Ada!"'}),
                     say.text("Done."), say.text("Greet with Hi"))
    event = bed.issue_comment("/pilot greet with Hi instead of Hello")
    number = event["issue"]["number"]
    mark = bed.github.mark()

    result = bed.run("issue_comment", event, ci_workflows="ci.yml, lint.yml")

    assert result.outputs["status"] == "completed", result.logs
    branch = result.outputs["branch"]
    [dispatch] = bed.github.dispatches
    assert (dispatch.workflow_id, dispatch.ref) == ("ci.yml", branch)
    requests = bed.github.since(mark)
    push = max(i for i, r in enumerate(requests) if r.kind == "git" and "receive-pack" in r.path)
    started = [i for i, r in enumerate(requests) if r.kind == "rest" and r.path.endswith("/dispatches")]
    assert len(started) == 2
    assert min(started) > push
    refused = requests[started[1]]
    assert refused.status == 422
    status = bed.status_comments(number)[-1]
    run_url = f"{bed.github.server_url}/{bed.repo}/actions/runs/{dispatch.run_id}"
    assert f"[`ci.yml`]({run_url}) started on `{branch}`" in status
    assert "`lint.yml` was not started: it has no `workflow_dispatch` trigger" in status
    assert "add `workflow_dispatch:` under `on:`" in status
    assert result.outputs["verify"] == "skipped"


def test_the_fake_refuses_to_dispatch_a_workflow_without_the_trigger(bed: Bed) -> None:
    bed.github.commit(bed.repo, "main", {".github/workflows/lint.yml": NO_DISPATCH}, "Add lint")

    answer = requests.post(
        f"{bed.github.api_url}/repos/{bed.repo}/actions/workflows/lint.yml/dispatches",
        headers={"Authorization": f"token {bed.github.token}"},
        data=json.dumps({"ref": "main"}),
        timeout=10,
    )
    assert answer.status_code == 422
    assert "workflow_dispatch" in answer.json()["message"]
    assert bed.github.dispatches == []


def test_failing_checks_where_drafts_are_unavailable_open_a_ready_pull_request_that_warns(project: Bed) -> None:
    bed = project
    bed.github.support_draft_pull_requests(bed.repo, False)
    bed.model.script(BREAK, say.text("Greetings now say Hi."), say.text("Greet with Hi"))
    event = bed.issue_comment("/pilot greet with Hi instead of Hello")

    result = bed.run("issue_comment", event, verify=VERIFY, verify_rounds="0")

    assert result.outputs["status"] == "completed", result.logs
    assert result.outputs["verify"] == "failed"
    assert _fix_rounds(bed) == []
    [pull] = bed.github.pulls(bed.repo)
    assert pull.pull is not None
    assert not pull.pull.draft
    assert "> [!WARNING]\n> ⚠️ **The checks fail** and no fix round was left to try" in (pull.body or "")
    status = bed.status_comments(event["issue"]["number"])[-1]
    assert "ready for review only because this repository has no draft pull requests" in status


def test_no_fix_round_past_max_steps_the_work_is_delivered_with_failing_checks(project: Bed) -> None:
    bed = project
    bed.model.script(BREAK, say.text("Greetings now say Hi."), say.text("Greet with Hi"), say.text("Never asked."))
    event = bed.issue_comment("/pilot greet with Hi instead of Hello")

    result = bed.run("issue_comment", event, verify=VERIFY, max_steps="2")

    assert result.outputs["status"] == "completed", result.logs
    assert result.outputs["verify"] == "failed"
    assert len(bed.model.requests) == 3  # max-steps 2: the agent's two calls, no fix round, then the title
    [pull] = bed.github.pulls(bed.repo)
    assert pull.pull is not None
    assert pull.pull.draft
    assert "no fix round was left to try (verify-rounds, max-steps or max-cost)" in bed.status_comments(
        event["issue"]["number"])[-1]


def test_on_a_pull_request_setup_prepares_its_own_branch_and_failing_checks_are_said(project: Bed) -> None:
    bed = project
    bed.github.commit(bed.repo, "feature", {"marker.txt": "feature branch\n"}, "Start a feature")
    pull = bed.github.add_pull(bed.repo, head="feature", title="A feature")
    bed.model.script(BREAK, say.text("Greetings now say Hi."), say.text("Greet with Hi"))
    event = bed.pull_comment("/pilot greet with Hi instead of Hello", pull)

    result = bed.run("issue_comment", event, setup="cp marker.txt seen-by-setup.txt", verify=VERIFY,
                     verify_rounds="0")

    assert result.outputs["status"] == "completed", result.logs
    assert result.outputs["verify"] == "failed"
    assert (result.workspace / "seen-by-setup.txt").read_text() == "feature branch\n"  # setup ran on the PR's head
    assert "Hi," in (bed.github.read_file(bed.repo, "greet.py", ref="feature") or "")  # pushed to the PR
    assert bed.github.read_file(bed.repo, "seen-by-setup.txt", ref="feature") is None
    status = bed.status_comments(pull)[-1]
    assert "**The checks fail**" in status
    assert f"❌ `{VERIFY}`" in status


@pytest.mark.parametrize("network", [None, "true"])
def test_setup_has_the_network_and_command_network_opens_it_to_commands_and_checks(
    project: Bed, listener: Listener, network: str | None
) -> None:
    """setup always reaches the network; the agent's run_command and the verify lines only with command-network."""
    bed = project
    heard = listener.heard
    bed.model.script(
        say.tool("run_command", {"command": listener.reach("command")}),
        say.tool("edit_file", {"path": "greet.py", "old": "Hello,", "new": "Hi,"}),
        say.text("Greetings now say Hi."),
        say.text("Greet with Hi"),
    )
    event = bed.issue_comment("/pilot greet with Hi instead of Hello")
    inputs = {"command_network": network} if network else {}  # unset: the default, false

    result = bed.run("issue_comment", event, setup=listener.reach("setup"), verify=listener.reach("verify"),
                     allowed_commands="python3", verify_rounds="0", **inputs)

    assert result.outputs["status"] == "completed", result.logs  # setup reached the server, or the task failed
    [command_output] = [m["content"] for m in bed.model.requests[1]["messages"] if m.get("role") == "tool"]
    deadline = time.monotonic() + 20  # a loaded machine may be slow to hand over a connection
    while len(heard) < (3 if network else 1) and time.monotonic() < deadline:
        time.sleep(0.05)
    if network:
        assert "reached" in command_output.splitlines(), command_output  # its own line: not the echoed command
        assert result.outputs["verify"] == "passed"
        assert heard == ["setup", "command", "verify"], command_output
    else:
        assert "reached" not in command_output
        assert "ConnectionRefusedError" in command_output  # the sandbox's own loopback: nothing listens
        assert result.outputs["verify"] == "failed"
        assert heard == ["setup"]
