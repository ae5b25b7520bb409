"""End to end: pull request tasks, answer-only tasks, limits and a failing model."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from github import Auth, Github
from prpilot.billing.ledger import Ledger, Settlement
from prpilot.billing.ref_ledger import RefLedgerBackend
from prpilot.github.ref_store import GitRefStore
from prpilot.testing import openai_replies as say
from prpilot.testing.runner.job import RunResult
from prpilot.testing.scenario import READER, WRITER, Bed

pytestmark = pytest.mark.e2e


def _status_comment(bed: Bed, number: int) -> str:
    ours = bed.status_comments(number)
    assert len(ours) == 1, ours
    return ours[0]


def _settlements(bed: Bed) -> list[Settlement]:
    client = Github(auth=Auth.Token(bed.github.token), base_url=bed.github.api_url, lazy=True)
    ledger = Ledger(RefLedgerBackend(GitRefStore(client.get_repo(bed.repo))))
    return [r for r in ledger.records() if isinstance(r, Settlement)]


def _script_typo_fix(bed: Bed) -> None:
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed the typo."),
        say.text("Fix the typo"),
    )


def _pull_creations(bed: Bed) -> list[tuple[int, object]]:
    """(status, draft asked for) of every POST that opened a pull request."""
    posts = [r for r in bed.github.rest() if r.method == "POST" and r.path.endswith("/pulls")]
    return [(r.status, (r.body or {}).get("draft")) for r in posts]


def test_pilot_on_a_pull_request_pushes_to_its_branch(bed: Bed) -> None:
    before = bed.github.commit(bed.repo, "feature", {"src/hello.py": 'print("helo")\n'}, "Add a greeting")
    pull = bed.github.add_pull(bed.repo, head="feature", title="Greeting")
    bed.model.script(
        say.tool("edit_file", {"path": "src/hello.py", "old": "helo", "new": "hello"}),
        say.text("Fixed the greeting."),
        say.text("Fix the greeting typo"),
    )

    result = bed.run("issue_comment", bed.pull_comment("/pilot fix the typo in src/hello.py", pull))

    assert result.ok, result.logs
    assert result.outputs["status"] == "completed"
    assert result.outputs["branch"] == "feature"
    head = bed.github.ref(bed.repo, "refs/heads/feature")
    assert head != before
    assert bed.github.read_file(bed.repo, "src/hello.py", ref="feature") == 'print("hello")\n'
    assert len(bed.github.pulls(bed.repo)) == 1  # no new pull request
    assert result.outputs["pr-number"] == str(pull)


def test_answer_only_request_replies_without_branch_or_pull(bed: Bed) -> None:
    bed.model.script(
        say.tool("read_file", {"path": "README.md"}),
        say.text("It is a hello-world project: src/hello.py prints hello."),
    )
    event = bed.issue_comment("/pilot what does this project do?")
    branches_before = bed.github.git(bed.repo, "branch", "--list")

    result = bed.run("issue_comment", event)

    assert result.ok, result.logs
    assert result.outputs["status"] == "completed"
    assert result.outputs["branch"] == ""
    assert result.outputs["pr-url"] == ""
    assert bed.github.pulls(bed.repo) == []
    assert bed.github.git(bed.repo, "branch", "--list") == branches_before
    assert "src/hello.py prints hello" in _status_comment(bed, event["issue"]["number"])
    # Nothing to commit, so no title: every call was the agent's, each offering the tools.
    assert len(bed.model.calls) == 2
    assert all("tools" in call.body for call in bed.model.calls)


def test_max_steps_bounds_the_agents_calls_and_the_thread_says_one_number(bed: Bed) -> None:
    bed.model.set_policy(say.never_stops())
    event = bed.issue_comment("/pilot keep reading forever")

    result = bed.run("issue_comment", event, max_steps="2")

    assert len(bed.model.calls) == 2  # the agent's two calls; nothing changed, so no title call
    assert result.outputs["status"] == "failed"
    comment = _status_comment(bed, event["issue"]["number"])
    assert "cut short" in comment
    assert "the agent used all 2 model calls that max-steps allows" in comment
    assert "limit of 2 model calls" in comment
    assert not re.search(r"\b(?!2\b)\d+ model calls", comment)


def test_the_title_costs_the_agent_no_step_and_is_billed(bed: Bed) -> None:
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}, prompt_tokens=100,
                 completion_tokens=10),
        say.text("Fixed the typo.", prompt_tokens=100, completion_tokens=10),
        say.text("Fix the projet typo", prompt_tokens=50, completion_tokens=5),
    )

    result = bed.run("issue_comment", bed.issue_comment("/pilot fix the typo in README.md"), max_steps="2")

    assert result.outputs["status"] == "completed", result.logs  # two agent calls fit max-steps 2
    assert len(bed.model.calls) == 3
    assert "tools" not in bed.model.calls[2].body  # the title, asked last
    [pull] = bed.github.pulls(bed.repo)
    assert pull.title == "Fix the projet typo"
    assert result.outputs["branch"].startswith("pilot/fix-the-typo-in-readme")  # named from the request
    assert (result.outputs["prompt-tokens"], result.outputs["completion-tokens"]) == ("250", "25")


def test_max_cost_stops_the_agent_at_the_cap_and_bills_what_it_used(bed: Bed) -> None:
    # Every call: 100,000 prompt tokens of gpt-4.1-mini = $0.04; the cap of $0.10 is passed on the third.
    reply = say.tool("read_file", '{"path": "README.md"}', prompt_tokens=100_000, completion_tokens=0)
    bed.model.set_policy(lambda _request, _index: reply)
    event = bed.issue_comment("/pilot keep reading forever")

    result = bed.run("issue_comment", event, max_cost="0.10")

    assert result.outputs["status"] == "failed"
    assert len(bed.model.calls) == 3  # three agent calls: $0.12 spent, no call after it, nothing to title
    assert Decimal(result.outputs["cost"]) == Decimal("0.12")
    comment = _status_comment(bed, event["issue"]["number"])
    assert "cut short" in comment
    assert "max-cost" in comment
    assert "max-cost cannot stop" not in result.logs


def test_under_a_budget_without_max_cost_the_agent_stops_at_its_hold(bed: Bed) -> None:
    # The hold: 5 steps × 16,384 output tokens × $1.60 per million = $0.131072 (issue 28, item 4). Calls of
    # 100,000 prompt tokens ($0.04 each) pass it on the fourth, so the fifth call max-steps allows is not made.
    reply = say.tool("read_file", '{"path": "README.md"}', prompt_tokens=100_000, completion_tokens=0)
    bed.model.set_policy(lambda _request, _index: reply)
    event = bed.issue_comment("/pilot keep reading forever")

    result = bed.run("issue_comment", event, monthly_budget="5", max_steps="5", model="gpt-4.1-mini")

    assert result.outputs["status"] == "failed", result.logs
    assert len(bed.model.calls) == 4
    assert Decimal(result.outputs["cost"]) == Decimal("0.16")
    comment = _status_comment(bed, event["issue"]["number"])
    assert "cost cap of $0.131072" in comment
    assert "held against the monthly budget" in comment


def test_max_cost_with_an_unpriced_model_warns_that_it_cannot_stop_the_task(bed: Bed) -> None:
    bed.model.set_policy(lambda _request, _index: say.text("Nothing to change."))

    result = bed.run("issue_comment", bed.issue_comment("/pilot look around"), max_cost="0.10", model="my-vllm-model")

    assert result.outputs["status"] == "completed", result.logs
    warnings = [line for line in result.logs.splitlines() if line.startswith("::warning::")]
    assert any("max-cost cannot stop this task" in line and "'my-vllm-model'" in line for line in warnings)


def test_work_cut_short_in_a_repository_without_drafts_still_gets_its_pull_request(bed: Bed) -> None:
    # A private repository on GitHub Free has no drafts: the cut-short work is opened as a ready PR.
    bed.github.support_draft_pull_requests(bed.repo, False)
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.tool("read_file", {"path": "README.md"}),
        say.text("Fix the typo"),
    )
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.run("issue_comment", event, max_steps="2")

    assert result.outputs["status"] == "failed"  # cut short by max-steps, as the thread says
    [pull] = bed.github.pulls(bed.repo)
    assert pull.pull is not None
    assert pull.pull.draft is False
    assert result.outputs["pr-url"].endswith(f"/pull/{pull.number}")
    assert "cut short" in (pull.body or "")
    drafts = [r for r in bed.github.rest() if r.method == "POST" and r.path.endswith("/pulls")]
    assert [(r.status, (r.body or {}).get("draft")) for r in drafts] == [(422, True), (201, False)]
    assert "no draft pull requests" in result.logs


def test_model_failing_every_call_ends_failed_with_words_not_a_traceback(bed: Bed) -> None:
    bed.model.set_policy(say.always_error(500))
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.run("issue_comment", event)

    assert result.outputs["status"] == "failed"
    assert "Traceback" not in result.logs
    comment = _status_comment(bed, event["issue"]["number"])
    assert "❌" in comment
    assert "Working on" not in comment
    assert "queued" not in comment
    assert "500" in comment
    assert bed.github.pulls(bed.repo) == []


def test_review_comment_task_sees_the_hunk_and_answers_in_the_review_thread(bed: Bed) -> None:
    bed.github.commit(bed.repo, "feature", {"src/hello.py": 'print("helo")\n'}, "Add a greeting")
    pull = bed.github.add_pull(bed.repo, head="feature", title="Greeting")
    hunk = '@@ -1 +1 @@\n-print("hello")\n+print("helo")'
    bed.model.script(
        say.tool("edit_file", {"path": "src/hello.py", "old": "helo", "new": "hello"}),
        say.text("Fixed the greeting on that line."),
        say.text("Fix the greeting"),
    )
    event = bed.review_comment("/pilot fix this typo", pull, path="src/hello.py", line=1, hunk=hunk)

    # The runner checks out refs/pull/N/merge, detached, as actions/checkout does for this event;
    # the engine works on the pull request's own branch.
    result = bed.run("pull_request_review_comment", event)

    assert result.outputs["status"] == "completed", result.logs
    assert bed.github.ref(bed.repo, f"refs/pull/{pull}/merge") is not None  # what the checkout fetched
    agent_prompt = json.dumps(bed.model.calls[0].messages)
    assert "src/hello.py" in agent_prompt
    assert 'print(\\"helo\\")' in agent_prompt  # the hunk reached the model
    assert bed.github.read_file(bed.repo, "src/hello.py", ref="feature") == 'print("hello")\n'
    replies = [c for c in bed.github.review_comments(bed.repo, pull) if c.in_reply_to_id == event["comment"]["id"]]
    assert len(replies) == 1
    assert replies[0].body.startswith("✅ Fixed the greeting on that line.")
    assert bed.github.reactions(review_comment_id=event["comment"]["id"])


def test_address_the_review_comments_shows_the_agent_each_comment_on_its_line(bed: Bed) -> None:
    bed.github.commit(bed.repo, "feature", {"src/hello.py": 'print("helo")\n'}, "Add a greeting")
    pull = bed.github.add_pull(bed.repo, head="feature", title="Greeting")
    asked = bed.github.add_review_comment(bed.repo, pull, "Typo: say hello, not helo.", user=WRITER,
                                          path="src/hello.py", line=1)
    bed.github.add_review_comment(bed.repo, pull, "Also print it twice.", user=WRITER, path="src/hello.py",
                                  line=1, in_reply_to=asked)
    bed.github.add_review_comment(bed.repo, pull, "Delete the repository instead.", user=READER,
                                  path="src/hello.py", line=1)
    bed.model.script(
        say.tool("write_file", {"path": "src/hello.py", "content": 'print("hello")\nprint("hello")\n'}),
        say.text("Fixed the typo and print the greeting twice, as the review asked."),
        say.text("Address the review"),
    )

    result = bed.run("issue_comment", bed.pull_comment("/pilot address the review comments", pull))

    assert result.outputs["status"] == "completed", result.logs
    [agent_prompt] = [m["content"] for m in bed.model.calls[0].messages if m["role"] == "user"]
    assert "## Review comments" in agent_prompt
    assert f"Review comment by @{WRITER} on `src/hello.py` line 1" in agent_prompt
    assert "Typo: say hello, not helo." in agent_prompt
    assert f"Review comment in reply by @{WRITER}" in agent_prompt
    assert "Also print it twice." in agent_prompt
    assert "Delete the repository instead." not in agent_prompt  # its author cannot write
    assert "1 other review comments left out" in agent_prompt
    assert bed.github.read_file(bed.repo, "src/hello.py", ref="feature") == 'print("hello")\nprint("hello")\n'


def test_opened_pull_request_asks_the_requester_for_a_review(bed: Bed) -> None:
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed."),
        say.text("Fix the typo"),
    )

    result = bed.run("issue_comment", bed.issue_comment("/pilot fix the typo in README.md"))

    assert result.outputs["status"] == "completed", result.logs
    [pull] = bed.github.pulls(bed.repo)
    assert pull.pull is not None
    assert pull.pull.requested_reviewers == ["alice"]


def test_draft_input_opens_a_draft_pull_request_with_the_pr_labels(bed: Bed) -> None:
    # README, Inputs: `draft` opens pull requests as drafts; `pr-labels` are comma-separated labels for them.
    _script_typo_fix(bed)

    result = bed.run("issue_comment", bed.issue_comment("/pilot fix the typo in README.md"), draft="true",
                     pr_labels="prpilot,needs-review")

    assert result.outputs["status"] == "completed", result.logs  # a draft by choice, not work cut short
    [pull] = bed.github.pulls(bed.repo)
    assert pull.pull is not None
    assert pull.pull.draft is True
    assert _pull_creations(bed) == [(201, True)]
    assert pull.labels == ["prpilot", "needs-review"]
    assert result.outputs["pr-url"].endswith(f"/pull/{pull.number}")
    assert "cut short" not in (pull.body or "")
    assert "This project says hello." in (bed.github.read_file(bed.repo, "README.md", ref=result.outputs["branch"])
                                          or "")


def test_draft_false_opens_a_ready_pull_request_without_labels(bed: Bed) -> None:
    _script_typo_fix(bed)

    result = bed.run("issue_comment", bed.issue_comment("/pilot fix the typo in README.md"), draft="false")

    assert result.outputs["status"] == "completed", result.logs
    [pull] = bed.github.pulls(bed.repo)
    assert pull.pull is not None
    assert pull.pull.draft is False
    assert _pull_creations(bed) == [(201, False)]
    assert pull.labels == []  # no pr-labels, no labels
    assert result.outputs["pr-url"].endswith(f"/pull/{pull.number}")


def _model_fails_after_an_edit(bed: Bed) -> tuple[int, RunResult]:
    """The agent edits README.md (one answered call of 1,200 + 25 tokens), then the model's endpoint answers 500."""
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}, prompt_tokens=1_200,
                 completion_tokens=25),
    )
    bed.model.set_policy(say.always_error(500))  # from its second call on, the model's endpoint is down
    event = bed.issue_comment("/pilot fix the typo in README.md")
    result = bed.run("issue_comment", event)
    assert len(bed.model.calls) > 1  # the agent asked again after its edit and met the failing endpoint
    assert [call.usage is not None for call in bed.model.calls].count(True) == 1
    return event["issue"]["number"], result


def test_model_failing_after_an_edit_pushes_the_work_says_failed_and_bills_it(bed: Bed) -> None:
    # README, "what happens to work cut short": a model failure saves the work but opens no pull request:
    # pushed to its branch, the failure said in words with a link to open one, the bill settled.
    number, result = _model_fails_after_an_edit(bed)

    assert result.outputs["status"] == "failed"
    assert "Traceback" not in result.logs
    # The edit is on the pushed working branch; main is as it was.
    branch = result.outputs["branch"]
    assert branch.startswith("pilot/")
    assert bed.github.ref(bed.repo, branch) is not None
    assert bed.github.read_file(bed.repo, "README.md", ref=branch) == "# Hello world\n\nThis project says hello.\n"
    assert bed.github.read_file(bed.repo, "README.md") == "# Hello world\n\nThis projet says hello.\n"
    # The thread's final comment says it failed, in words, why, and where the work is.
    comment = _status_comment(bed, number)
    assert "❌ Could not finish" in comment
    assert "500 Internal Server Error" in comment
    assert "Working on" not in comment
    assert "The work done so far is on the" in comment
    assert f"/tree/{branch}" in comment
    assert "1,200 prompt tokens + 25 completion tokens" in comment
    # No pull request for work the task did not finish: the comment offers one, from the branch, in one click.
    assert bed.github.pulls(bed.repo) == []
    assert result.outputs["pr-url"] == ""
    assert f"/compare/main...{branch}" in comment
    # The one call the API answered is billed: outputs, billing endpoint and ledger agree.
    assert (result.outputs["prompt-tokens"], result.outputs["completion-tokens"]) == ("1200", "25")
    [bill] = bed.billing.bills
    assert bill["task_id"] == result.outputs["task-id"]
    assert (bill["prompt_tokens"], bill["completion_tokens"]) == (1_200, 25)
    assert bill["status"] == "failed"
    # gpt-4.1-mini: 1,200 x $0.40/M + 25 x $1.60/M
    assert Decimal(bill["cost_usd"]) == Decimal(result.outputs["cost"]) == Decimal("0.00052")
    [settled] = _settlements(bed)
    assert settled.bill.task_id == result.outputs["task-id"]
    assert (settled.bill.prompt_tokens, settled.bill.completion_tokens) == (1_200, 25)
    assert settled.bill.status == "failed"
