"""GitWork against real repositories: where a task's branch starts, what it commits, where the work goes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest

from prpilot.engine.working_branch import GitWork, WorkingBranch, resume_info, resumed
from prpilot.errors import PrpilotError
from prpilot.github.checkout import Checkout
from prpilot.github.port import GitHubPort, PullInfo
from prpilot.task import Task

Git = Callable[..., str]


class Pulls:
    """The two reads GitWork makes of GitHub; anything else would be a mistake."""

    def __init__(self, pull: PullInfo | None = None) -> None:
        self.pull = pull
        self.calls: list[str] = []

    def get_pull(self, number: int) -> PullInfo:
        self.calls.append(f"get_pull {number}")
        assert self.pull is not None
        return self.pull

    def default_branch(self) -> str:
        self.calls.append("default_branch")
        return "main"


def _work(checkout: Checkout, pulls: Pulls) -> GitWork:
    return GitWork(checkout, cast(GitHubPort, pulls), "https://ci/run/1")


def _issue_task(**fields: object) -> Task:
    return Task(github_user="alice", github_project="o/r", user_request="fix it", issue_number=3, **fields)


def test_an_issue_task_branches_from_the_events_base_without_asking_github(checkout: Checkout) -> None:
    pulls = Pulls()
    task = _issue_task(base="main")

    branch = _work(checkout, pulls).start(task, "Fix the typo")

    assert branch == WorkingBranch("pilot/fix-the-typo", "main", open_pull=True)
    assert checkout.current_branch() == "pilot/fix-the-typo"
    assert pulls.calls == []


def test_a_pull_request_from_a_fork_is_refused_before_any_checkout(checkout: Checkout) -> None:
    fork = PullInfo(number=5, html_url="u", head_ref="main", head_repo="mallory/r", base_ref="main")
    task = Task(github_user="alice", github_project="o/r", user_request="fix it", pr_number=5)

    with pytest.raises(PrpilotError, match="another repository"):
        _work(checkout, Pulls(fork)).start(task, "Fix")
    assert checkout.current_branch() == "main"


def test_the_commit_names_the_run_and_credits_the_requester(checkout: Checkout, origin: Path, git: Git) -> None:
    work = _work(checkout, Pulls())
    task = _issue_task(base="main")
    branch = work.start(task, "Fix the typo")
    (checkout.root / "README.md").write_text("hello, world\n")

    work.commit_and_push(task, branch, "Fix the typo", work.changed(["README.md"]))

    message = git(origin, "log", "-1", "--format=%B", "pilot/fix-the-typo")
    assert message.splitlines()[0] == "Fix the typo"
    assert "Requested in https://ci/run/1" in message
    assert "Co-authored-by: alice <alice@users.noreply.127.0.0.1>" in message  # the event gave no ID
    assert git(origin, "log", "-1", "--format=%an <%ae>", "pilot/fix-the-typo") == (
        "prpilot[bot] <prpilot[bot]@users.noreply.127.0.0.1>")
    assert task.branch == "pilot/fix-the-typo"
    assert work.unpushed is None


def test_a_name_taken_on_the_remote_moves_the_work_to_a_fresh_one(checkout: Checkout, origin: Path, git: Git) -> None:
    git(origin, "branch", "pilot/fix-the-typo", "main")
    work = _work(checkout, Pulls())
    task = _issue_task(base="main")
    branch = work.start(task, "Fix the typo")
    (checkout.root / "README.md").write_text("hello, world\n")

    work.commit_and_push(task, branch, "Fix the typo", ["README.md"])

    assert branch.name == task.branch == "pilot/fix-the-typo-2"
    assert git(origin, "rev-parse", "pilot/fix-the-typo") == git(origin, "rev-parse", "main")


def test_saving_after_a_failure_pushes_wip_and_never_raises(checkout: Checkout, origin: Path, git: Git) -> None:
    work = _work(checkout, Pulls())
    task = _issue_task(base="main")
    branch = work.start(task, "Add notes")
    (checkout.root / "NOTES.md").write_text("half done\n")

    work.save(task, branch, "Add notes", ["NOTES.md"])
    assert git(origin, "log", "-1", "--format=%s", "pilot/add-notes") == "WIP: Add notes"

    git(checkout.root, "remote", "set-url", "origin", "http://127.0.0.1:9/unreachable.git")
    (checkout.root / "NOTES.md").write_text("more\n")
    work.save(task, branch, "Add notes", ["NOTES.md"])  # logged, not raised: the task's answer comes first
    assert work.unpushed is not None
    assert "+more" in work.unpushed_patch()


def test_nothing_to_save_before_a_branch_or_without_changes(checkout: Checkout) -> None:
    work = _work(checkout, Pulls())
    task = _issue_task(base="main")

    work.save(task, None, "Fix", ["README.md"])
    branch = work.start(task, "Fix")
    work.save(task, branch, "Fix", [])

    assert task.branch is None
    assert work.unpushed_patch() == ""


def test_the_requester_is_credited_by_the_id_address_github_hands_out(checkout: Checkout, origin: Path,
                                                                     git: Git) -> None:
    work = _work(checkout, Pulls())
    task = _issue_task(base="main", context={"requester_id": 21031067})
    branch = work.start(task, "Fix the typo")
    (checkout.root / "README.md").write_text("hello, world\n")

    work.commit_and_push(task, branch, "Fix the typo", work.changed(["README.md"]))

    message = git(origin, "log", "-1", "--format=%B", "pilot/fix-the-typo")
    assert "Co-authored-by: alice <21031067+alice@users.noreply.127.0.0.1>" in message


@pytest.mark.parametrize(
    "info",
    [
        None,
        "pilot/x",
        {"branch": 3, "title": "t"},
        {"branch": "pilot/x"},  # no title
        {"branch": "pilot/x", "title": "t", "touched": "README.md"},  # not a list
        {"branch": "pilot/x", "title": "t", "touched": [1]},
    ],
)
def test_a_damaged_resume_note_is_ignored(info: object) -> None:
    assert resumed(info) is None


def test_the_resume_note_round_trips_through_json() -> None:
    branch = WorkingBranch("pilot/fix-it", "main", open_pull=True)
    note = json.loads(json.dumps(resume_info(branch, "Fix it", ["README.md"])))
    assert resumed(note) == (branch, "Fix it", ["README.md"])
    assert resumed({**note, "touched": None}) == (branch, "Fix it", None)  # a command ran: everything counts


@pytest.mark.parametrize("form", ["raw", "base64", "basic-auth"])
def test_a_change_holding_a_secret_is_never_committed_or_pushed(
    checkout: Checkout, origin: Path, git: Git, form: str
) -> None:
    import base64

    secret = "ghs_canary0123456789abcdef"
    written = {
        "raw": secret,
        "base64": base64.b64encode(secret.encode()).decode(),
        "basic-auth": base64.b64encode(f"x-access-token:{secret}".encode()).decode(),
    }[form]
    work = GitWork(checkout, cast(GitHubPort, Pulls()), "https://ci/run/1", secrets=[secret])
    task = _issue_task(base="main")
    branch = work.start(task, "Add notes")
    (checkout.root / "NOTES.md").write_text("fine\n")
    (checkout.root / "leak.txt").write_text(f"key: {written}\n")

    with pytest.raises(PrpilotError, match=r"`leak\.txt` would publish one of this workflow's secrets"):
        work.commit_and_push(task, branch, "Add notes", ["NOTES.md", "leak.txt"])
    work.save(task, branch, "Add notes", ["NOTES.md", "leak.txt"])  # the failure path pushes nothing either

    assert "pilot/add-notes" not in git(origin, "branch", "--list")
    assert work.unpushed_patch() == ""


def test_the_secret_scan_reads_what_git_records_not_the_file_on_disk(checkout: Checkout, origin: Path,
                                                                    git: Git) -> None:
    """``.gitattributes`` says ``working-tree-encoding=UTF-16LE``: on disk the token is UTF-16 (no form the scan
    knows), and git records it converted to UTF-8, the token as is. The scan reads what git staged."""
    secret = "ghs_canary0123456789abcdef"
    work = GitWork(checkout, cast(GitHubPort, Pulls()), "https://ci/run/1", secrets=[secret])
    task = _issue_task(base="main")
    branch = work.start(task, "Add notes")
    head = checkout.head_sha()
    (checkout.root / ".gitattributes").write_text("notes.txt working-tree-encoding=UTF-16LE\n")
    (checkout.root / "notes.txt").write_bytes(f"key: {secret}\n".encode("utf-16-le"))

    with pytest.raises(PrpilotError, match=r"`notes\.txt` would publish one of this workflow's secrets"):
        work.commit_and_push(task, branch, "Add notes", [".gitattributes", "notes.txt"])

    assert checkout.head_sha() == head  # nothing committed
    assert git(checkout.root, "diff", "--cached", "--name-only") == ""  # and nothing left staged
    assert "pilot/add-notes" not in git(origin, "branch", "--list")


@pytest.mark.parametrize("name", ["0:leak.txt", "1:leak.txt", "odd name with spaces 1 2.txt", "line\nbreak.txt"])
def test_the_secret_scan_reads_every_staged_file_whatever_its_name(checkout: Checkout, origin: Path, git: Git,
                                                                   name: str) -> None:
    """A name git's revision syntax could take for something else (``:1:x`` is stage 1 of x) or that a
    line-based read cannot carry is still read as the file it is."""
    secret = "ghs_canary0123456789abcdef"
    work = GitWork(checkout, cast(GitHubPort, Pulls()), "https://ci/run/1", secrets=[secret])
    task = _issue_task(base="main")
    branch = work.start(task, "Add notes")
    (checkout.root / "leak.txt").write_text("nothing here\n")
    (checkout.root / name).write_text(f"key: {secret}\n")

    with pytest.raises(PrpilotError, match="would publish one of this workflow's secrets"):
        work.commit_and_push(task, branch, "Add notes", ["leak.txt", name])
    assert "pilot/add-notes" not in git(origin, "branch", "--list")


def test_the_secret_scan_reads_the_staged_files_a_batch_at_a_time(checkout: Checkout, origin: Path, git: Git,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The staged files are read in batches of bounded size, never all at once; a secret in a later batch is found."""
    monkeypatch.setattr("prpilot.github.checkout._BATCH_BYTES", 10)
    secret = "ghs_canary0123456789abcdef"
    work = GitWork(checkout, cast(GitHubPort, Pulls()), "https://ci/run/1", secrets=[secret])
    task = _issue_task(base="main")
    branch = work.start(task, "Add notes")
    names = [f"notes{i}.txt" for i in range(5)]
    for name in names:
        (checkout.root / name).write_text("nothing to see here\n")
    (checkout.root / names[-1]).write_text(f"key: {secret}\n")

    with pytest.raises(PrpilotError, match=r"`notes4\.txt` would publish one of this workflow's secrets"):
        work.commit_and_push(task, branch, "Add notes", names)
    assert "pilot/add-notes" not in git(origin, "branch", "--list")


@pytest.mark.parametrize("error", [MemoryError(), RecursionError("deep"), OSError(28, "No space left on device")])
def test_saving_the_work_after_a_failure_never_raises(
    checkout: Checkout, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    """Out of memory, too deep, a full disk: the engine and the finish step go on to bill and answer."""
    work = GitWork(checkout, cast(GitHubPort, Pulls()), "https://ci/run/1")
    task = _issue_task(base="main")
    branch = work.start(task, "Add notes")

    def exhausted(among: object = None) -> list[str]:
        raise error

    monkeypatch.setattr(checkout, "changed_paths", exhausted)
    work.save(task, branch, "Add notes", None)  # logs, and returns

    assert work.unpushed is None


def test_a_command_written_workflow_and_a_link_out_are_left_out_and_named(checkout: Checkout, origin: Path,
                                                                          git: Git) -> None:
    """The rules look at the change itself: what a command wrote is held to them like a file tool's write."""
    work = GitWork(checkout, cast(GitHubPort, Pulls()), "https://ci/run/1")
    task = _issue_task(base="main")
    branch = work.start(task, "Add notes")
    (checkout.root / ".github" / "workflows").mkdir(parents=True)
    (checkout.root / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    (checkout.root / "passwd").symlink_to("/etc/passwd")
    (checkout.root / "NOTES.md").write_text("notes\n")

    work.commit_and_push(task, branch, "Add notes", work.changed(None))

    pushed = git(origin, "ls-tree", "-r", "--name-only", "pilot/add-notes").splitlines()
    assert "NOTES.md" in pushed
    assert ".github/workflows/ci.yml" not in pushed
    assert "passwd" not in pushed
    notice = work.left_out_notice()
    assert "`.github/workflows/ci.yml`: a workflow file" in notice
    assert "`passwd`: a symlink that points outside the repository" in notice


def test_a_left_out_name_cannot_break_out_of_its_code_span(checkout: Checkout) -> None:
    """A file name is the agent's text: a backtick or a newline in it shows as ``?``, never as markdown."""
    work = GitWork(checkout, cast(GitHubPort, Pulls()), "https://ci/run/1")
    name = "x`\n@everyone fixes #1`.yml"
    (checkout.root / ".github" / "workflows").mkdir(parents=True)
    (checkout.root / ".github" / "workflows" / name).write_text("on: push\n")

    work.allowed(work.changed(None))

    notice = work.left_out_notice()
    assert "- `.github/workflows/x??@everyone fixes #1?.yml`: a workflow file" in notice
    assert notice.count("`") == 2
