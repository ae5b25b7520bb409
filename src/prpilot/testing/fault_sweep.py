"""The fault sweep: run a whole task with exactly one GitHub request failing, then check every promise.

A scenario is one whole task (an issue task, a pull-request task) on a fresh test bed. It is run
once to record its requests (REST and git alike), then once per request position and fault kind
with :meth:`~prpilot.testing.github.FakeGitHub.fail_at` armed, and :func:`check` lists what the
run broke of prpilot's promises: no traceback, a ``status`` output, the thread's last word the
outcome, no status comment still "Working" or "On it" and only one stating the outcome, no lost
work, no lost bill, a ledger that only grows, no secret anywhere, at most one pull request and the
default branch untouched. A ``late`` fault (a write held past the client's timeout, then carried
out) is judged once it has landed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prpilot.billing.bill import create_bill
from prpilot.billing.ledger import (
    Delivery,
    Record,
    Reservation,
    Settlement,
    dump_records,
    month_key,
    parse_records,
    settlements,
)
from prpilot.billing.pricing import DEFAULT_PRICES
from prpilot.billing.ref_ledger import LEDGER_REF
from prpilot.task import Task, TaskStatus, Usage, utcnow
from prpilot.testing import openai_replies as say
from prpilot.testing.github.git_backend import Signature
from prpilot.testing.github.recording import WRITE_ONLY_KINDS, Arrival, PositionalFault
from prpilot.testing.github.state import now as fake_now
from prpilot.testing.runner.job import RunResult
from prpilot.testing.scenario import API_KEY, BILLING_TOKEN, WRITER, Bed, start_bed
from prpilot.thread.markdown import MARKER
from prpilot.thread.records import extract_task

FINAL_STATUSES = ("completed", "failed", "rejected", "skipped")
# Client timeouts of the runs (the entry point reads them): a timed-out request costs well under a second.
HTTP_TIMEOUT = 0.5
TIMEOUT_DELAY = 0.8  # how long the fake holds a timed-out request: longer than HTTP_TIMEOUT
FAST_RETRIES = {"PRPILOT_HTTP_TIMEOUT": str(HTTP_TIMEOUT), "PRPILOT_HTTP_BACKOFF": "0.01"}
EARLIER_TASK = "earlier-task"  # settled and delivered before the run
UNSENT_TASK = "unsent-task"  # settled before the run, its bill not delivered yet


@dataclass(frozen=True)
class Scenario:
    """One whole task: how to set the bed up and start it, and what its work looks like."""

    name: str
    start: Callable[[Bed], RunResult]
    fixed: Callable[[Bed, str], bool]  # whether the agent's edit is on ``branch``
    patch_line: str  # a line of the agent's edit, as the patch on the thread shows it
    thread: Callable[[Bed], int]  # the issue or pull request the task answers on
    pull_head: str | None = None  # a pull-request task's own branch
    title: str = ""  # the title the model gives, asked after the agent's work: the commit's subject


@dataclass
class Run:
    """One run of a scenario, with the fault it carried (None: the recording run) and what it broke."""

    scenario: str
    position: int | None  # counted from the task's first request (the recording's index)
    fault: PositionalFault | None
    result: RunResult
    violations: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        if self.fault is None:
            return f"{self.scenario}: no fault"
        hit = self.fault.hit
        request = f"{hit.method} {hit.path}" if hit else "(no request at that position)"
        return f"{self.scenario} #{self.position} {request} → {self.fault.kind}"


# --- the scenarios -------------------------------------------------------------------------------


SCENARIO_TITLES = {"issue": "Fix the typo in README.md", "pull": "Rename helo to hello"}


def _issue_task(bed: Bed) -> RunResult:
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed the typo: projet -> project."),
        say.text(SCENARIO_TITLES["issue"]),  # the title, asked after the agent's work
    )
    return bed.run("issue_comment", bed.issue_comment("/pilot fix the typo in README.md"))


def _pull_task(bed: Bed) -> RunResult:
    pull = _pull(bed)
    bed.github.add_review_comment(bed.repo, pull, "helo looks wrong", user=WRITER, path="src/hello.py", line=1)
    bed.model.script(
        say.tool("edit_file", {"path": "src/hello.py", "old": "helo", "new": "hello"}),
        say.text("Renamed helo to hello."),
        say.text(SCENARIO_TITLES["pull"]),  # the title, asked after the agent's work
    )
    return bed.run("issue_comment", bed.pull_comment("/pilot rename helo to hello", pull))


def _pull(bed: Bed) -> int:
    for issue in bed.github.pulls(bed.repo):
        return issue.number
    bed.github.commit(bed.repo, "feature", {"src/hello.py": 'print("helo")\n'}, "Add a greeting")
    return bed.github.add_pull(bed.repo, head="feature", title="Greeting")


def _issue_thread(bed: Bed) -> int:
    return max(issue.number for issue in bed.github.state.issues_of(bed.repo) if issue.pull is None)


SCENARIOS = {
    "issue": Scenario(
        "issue", _issue_task,
        lambda bed, ref: "This project says hello." in (bed.github.read_file(bed.repo, "README.md", ref=ref) or ""),
        "+This project says hello.", _issue_thread, title=SCENARIO_TITLES["issue"],
    ),
    "pull": Scenario(
        "pull", _pull_task,
        lambda bed, ref: bed.github.read_file(bed.repo, "src/hello.py", ref=ref) == 'print("hello")\n',
        '+print("hello")', _pull, pull_head="feature", title=SCENARIO_TITLES["pull"],
    ),
}


# --- running -------------------------------------------------------------------------------------


@dataclass
class Before:
    """What the bed held before the run: the default branch, the ledger, the pull requests."""

    main: str | None
    ledger_commit: str | None
    ledger_text: str
    pulls: int


def seed_ledger(bed: Bed) -> None:
    """Give the ledger earlier records (a delivered bill, an unsent one) that no write may erase.

    Written straight into the bare repository, as an earlier run's commit (the REST way costs a run
    half a second, hundreds of times over).
    """
    now = utcnow()
    records: list[Record] = []
    for task_id, user in ((EARLIER_TASK, "alice"), (UNSENT_TASK, "bob")):
        task = Task(id=task_id, github_project=bed.repo, github_user=user, user_request="earlier work",
                    status=TaskStatus.COMPLETED)
        bill = create_bill(task, Usage(prompt_tokens=10, completion_tokens=2, calls=1), "gpt-4.1-mini",
                           DEFAULT_PRICES, "1")
        records += [Reservation(task_id=task_id, user=user, repository=bed.repo, at=now),
                    Settlement(bill=bill, at=now)]
    records.append(Delivery(task_id=EARLIER_TASK, at=now))
    git = bed.github.repo(bed.repo).git
    blob = git.hash_blob(dump_records(records).encode())
    tree = git.build_tree(None, [{"path": f"ledger/{month_key(now)}.jsonl", "mode": "100644", "type": "blob",
                                  "sha": blob}])
    who = Signature("prpilot", "prpilot@localhost", fake_now())
    git.swap_ref(LEDGER_REF, git.commit_tree(tree, [], "prpilot ledger: earlier runs", who, who), None)


def prepare(bed: Bed, scenario: Scenario) -> Before:
    """Set the bed up for ``scenario`` (the pull request, the ledger's earlier records); return the state before."""
    if scenario.pull_head is not None:
        _pull(bed)
    seed_ledger(bed)
    bed.runner.env.update(FAST_RETRIES)
    return Before(
        main=bed.github.ref(bed.repo, "refs/heads/main"),
        ledger_commit=bed.github.ref(bed.repo, LEDGER_REF),
        ledger_text=ledger_text(bed),
        pulls=len(bed.github.pulls(bed.repo)),
    )


def run_once(
    root: Path, scenario: Scenario, position: int | None = None, kind: str = "", *, python: str | None = None
) -> tuple[Run, list[Arrival]]:
    """Run ``scenario`` on a fresh bed under ``root``, failing the ``position``-th request as ``kind`` says.

    ``python`` is the steps' interpreter (``$PRPILOT_PYTHON``; a Prefork's client runs them faster).
    """
    with start_bed(root) as bed:
        before = prepare(bed, scenario)
        if python is not None:
            bed.runner.env["PRPILOT_PYTHON"] = python
        mark = len(bed.github.arrivals)
        fault = bed.github.fail_at(position, kind, delay=TIMEOUT_DELAY) if position is not None else None
        result = scenario.start(bed)
        bed.github.settle()  # a late write lands before the thread is judged, as it would on GitHub
        run = Run(scenario.name, position, fault, result)
        run.violations = check(bed, scenario, result, before)
        if fault is None or not fault.sticky:
            # No fault, or one a retry gets past (5xx once, a timeout): the README promises the user sees
            # nothing of it, so the task must complete and deliver its work under one status comment.
            run.violations += undelivered(bed, scenario, before) + unchanged(bed, scenario, result)
        return run, bed.github.arrivals[mark:]


# --- the invariants ------------------------------------------------------------------------------


def ledger_text(bed: Bed) -> str:
    """Every month file of the ledger's newest commit, concatenated."""
    if bed.github.ref(bed.repo, LEDGER_REF) is None:
        return ""
    names = bed.github.git(bed.repo, "ls-tree", "--name-only", LEDGER_REF, "ledger/").split()
    return "".join(bed.github.git(bed.repo, "show", f"{LEDGER_REF}:{name}") for name in names)


def _ledger_history(bed: Bed) -> list[str]:
    """The ledger ref's commits, oldest first (first parents)."""
    if bed.github.ref(bed.repo, LEDGER_REF) is None:
        return []
    return bed.github.git(bed.repo, "rev-list", "--first-parent", "--reverse", LEDGER_REF).split()


def _file_at(bed: Bed, commit: str, path: str) -> str:
    listing = bed.github.git(bed.repo, "ls-tree", "--name-only", commit, path)
    return bed.github.git(bed.repo, "show", f"{commit}:{path}") if listing.strip() else ""


def _ledger_only_grew(bed: Bed, before: Before) -> list[str]:
    problems: list[str] = []
    history = _ledger_history(bed)
    if before.ledger_commit is not None and before.ledger_commit not in history:
        return [f"the ledger's earlier commit {before.ledger_commit[:12]} is no longer in its history"]
    start = history.index(before.ledger_commit) if before.ledger_commit in history else 0
    for parent, child in zip(history[start:], history[start + 1 :], strict=False):
        for path in bed.github.git(bed.repo, "ls-tree", "-r", "--name-only", parent).split():
            old, new = _file_at(bed, parent, path), _file_at(bed, child, path)
            if not new.startswith(old):
                problems.append(f"ledger commit {child[:12]} rewrote {path}: records were removed")
    records = parse_records(ledger_text(bed))
    kept = {r.task_id for r in records if isinstance(r, Reservation)} | set(settlements(records))
    for task_id in (EARLIER_TASK, UNSENT_TASK):
        if task_id not in kept:
            problems.append(f"the ledger lost the records of {task_id}")
    return problems


def _status_comments(bed: Bed, number: int) -> list[str]:
    return [c.body or "" for c in bed.github.comments(bed.repo, number) if MARKER in (c.body or "")]


def check(bed: Bed, scenario: Scenario, result: RunResult, before: Before) -> list[str]:
    """Every promise ``result`` broke, in words (empty: the run held them all)."""
    problems: list[str] = []
    outputs = result.outputs
    number = scenario.thread(bed)
    comments = _status_comments(bed, number)
    # ``::add-mask::`` lines hand the secrets to the runner, which hides them from everything after.
    logs = "\n".join(line for line in result.logs.splitlines() if not line.startswith("::add-mask::"))
    texts = [logs, result.summary, *outputs.values(), *comments]
    texts += [issue.body or "" for issue in bed.github.pulls(bed.repo)]
    texts += [c.body or "" for c in bed.github.comments(bed.repo, number)]

    if any("Traceback" in text for text in texts):
        problems.append("a traceback in the output")
    status = outputs.get("status", "")
    if status not in FINAL_STATUSES:
        problems.append(f"the status output is {status!r}")

    task_id = outputs.get("task-id", "")
    if comments:  # acknowledged: the thread's last word must be the outcome
        last = extract_task(comments[-1])
        if last is None or not last.is_final:
            state = last.status.value if last is not None and last.status else "unreadable"
            problems.append(f"the thread's last word is a progress state ({state}), not the outcome")
        elif last.status is TaskStatus.FAILED and len(last.result.strip()) < 20:
            problems.append("the task failed without saying why on the thread")
        if last is not None and status in FINAL_STATUSES and last.status and last.status.value != status \
                and status != "skipped":
            problems.append(f"the thread says {last.status.value} but the status output says {status}")
        task_id = task_id or (last.id if last is not None else "")

        problems += _stale_comments(comments, task_id)

    problems += _lost_work(bed, scenario, comments)
    problems += _lost_bill(bed, task_id)
    problems += _ledger_only_grew(bed, before)

    secrets = (API_KEY, BILLING_TOKEN, bed.github.token)
    everything = "\n".join([*texts, ledger_text(bed)])
    problems += [f"a secret ({secret[:6]}…) is in the output" for secret in secrets if secret in everything]

    if len(bed.github.pulls(bed.repo)) > before.pulls + (1 if scenario.pull_head is None else 0):
        problems.append(f"{len(bed.github.pulls(bed.repo)) - before.pulls} pull requests opened")
    if bed.github.ref(bed.repo, "refs/heads/main") != before.main:
        problems.append("the default branch moved")
    return problems


def _stale_comments(comments: list[str], task_id: str) -> list[str]:
    """A status comment still saying "Working" or "On it", or more than one stating the task's outcome."""
    problems = []
    tasks = [extract_task(body) for body in comments]
    stale = [t for t in tasks if t is not None and not t.is_final]
    if stale:
        problems.append(f"{len(stale)} status comment(s) still say {stale[0].status or 'queued'}")
    finals = [t for t in tasks if t is not None and t.is_final and t.id == task_id]
    if len(finals) > 1:
        problems.append(f"{len(finals)} status comments state the outcome of task {task_id}")
    return problems


def unchanged(bed: Bed, scenario: Scenario, result: RunResult) -> list[str]:
    """What a run whose fault a retry gets past showed the user that a fault-free run would not."""
    problems = []
    if result.outputs.get("status") != TaskStatus.COMPLETED.value:
        problems.append(f"the task ended {result.outputs.get('status')!r}, not completed")
    comments = _status_comments(bed, scenario.thread(bed))
    if len(comments) != 1:
        problems.append(f"{len(comments)} status comments on the thread, not one")
    return problems


def undelivered(bed: Bed, scenario: Scenario, before: Before) -> list[str]:
    """What a fault-free run of ``scenario`` missed: push the edit under the model's title, open or update a PR."""
    branches = [line.strip().removeprefix("* ") for line in bed.github.git(bed.repo, "branch", "--list").splitlines()]
    holding = [b for b in branches if b != "main" and scenario.fixed(bed, b)]
    if scenario.pull_head is not None:
        holding = [b for b in holding if b == scenario.pull_head]
        if not holding:
            return [f"the edit was not pushed to the pull request's branch {scenario.pull_head}"]
    else:
        opened = [p.pull.head_ref for p in bed.github.pulls(bed.repo) if p.pull is not None]
        holding = [b for b in holding if b in opened]
        if len(bed.github.pulls(bed.repo)) != before.pulls + 1 or not holding:
            return ["no pull request was opened for a branch holding the edit"]
    subject = bed.github.git(bed.repo, "log", "-1", "--format=%s", holding[0]).strip()
    if subject != scenario.title:
        return [f"the commit is titled {subject!r}, not with the model's title {scenario.title!r}"]
    return []


def _lost_work(bed: Bed, scenario: Scenario, comments: list[str]) -> list[str]:
    """An edit the agent made is on a branch the thread names (or the PR's own), or the thread holds it as a patch."""
    if not bed.model.calls or bed.model.calls[0].usage is None:
        return []  # the agent never got to its edit (its first reply; the title is asked after the work)
    last = comments[-1] if comments else ""
    if scenario.patch_line in last:
        return []
    branches = [line.strip().removeprefix("* ") for line in bed.github.git(bed.repo, "branch", "--list").splitlines()]
    holding = [b for b in branches if b != "main" and scenario.fixed(bed, b)]
    if not holding:
        return ["the agent's edit is lost: on no branch, and not on the thread"]
    for branch in holding:
        if branch in last or (branch == scenario.pull_head and ("✅" in last or "/pull/" in last)):
            return []
        for pull in bed.github.pulls(bed.repo):
            if pull.pull is not None and pull.pull.head_ref == branch and f"/pull/{pull.number}" in last:
                return []
    if not comments:
        return []  # never acknowledged: there is no thread answer to name it in (the step log does)
    return [f"the edit is on {', '.join(holding)}, but the thread does not say where"]


def _lost_bill(bed: Bed, task_id: str) -> list[str]:
    """The usage of every model call that was answered is in the ledger or reached the billing endpoint."""
    used = bed.model.total_usage()
    if used.calls == 0:
        return []
    if not task_id:
        return [f"{used.calls} model call(s) answered, but no task id to find their bill by"]
    bills: list[dict[str, Any]] = [b for b in bed.billing.bills if b.get("task_id") == task_id]
    settled = settlements(parse_records(ledger_text(bed))).get(task_id)
    if settled is not None:
        bills.append(settled.bill.model_dump(mode="json"))
    if not bills:
        return [f"the bill of {used.calls} model call(s) is lost: in neither the ledger nor the billing endpoint"]
    if not any(b["prompt_tokens"] >= used.prompt_tokens and b["completion_tokens"] >= used.completion_tokens
               for b in bills):
        return [f"the bill holds less than the {used.prompt_tokens} prompt tokens the model answered"]
    return []


def is_write(arrival: Arrival) -> bool:
    """Whether the request changes GitHub: a REST write (a GraphQL query is a read) or a git push."""
    if arrival.kind == "git":
        return arrival.method == "POST" and arrival.path.endswith("/git-receive-pack")
    return arrival.method not in ("GET", "HEAD") and arrival.path != "/graphql"


def applies(kind: str, arrival: Arrival) -> bool:
    """Whether the fault ``kind`` is worth injecting into ``arrival`` (a late read changes nothing)."""
    return kind not in WRITE_ONLY_KINDS or is_write(arrival)


def positions(arrivals: list[Arrival]) -> list[int]:
    """The positions to fail: every request prpilot made (the simulated checkout's requests come first)."""
    first = next((i for i, a in enumerate(arrivals) if a.kind == "rest"), 0)
    return list(range(first, len(arrivals)))


def describe(arrival: Arrival) -> str:
    """A request as the report names it."""
    return f"{arrival.method} {re.sub(r'/[0-9a-f]{40}', '/<sha>', arrival.path)}"
