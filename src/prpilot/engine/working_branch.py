"""The task's work in git: its working branch, the commit of what the agent changed, the push.

A push the remote refuses for a lost race (a name taken, a branch moved) moves the work to a fresh
branch; a refusal on principle (protection, a hook, the workflows scope) leaves the commit here,
and ``unpushed_patch`` hands it back as a patch for the thread.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from prpilot.engine.change_rules import ChangeRules, LeftOut, is_workflow, sort_change
from prpilot.engine.naming import create_unique_branch_name, noreply_email
from prpilot.errors import PrpilotError, PushRejected
from prpilot.github.checkout import BOT_NAME, Checkout, Identity
from prpilot.github.port import GitHubPort
from prpilot.masking import secret_forms
from prpilot.task import Task

log = logging.getLogger(__name__)

_PUSH_ATTEMPTS = 3


@dataclass
class WorkingBranch:
    """Where the task's commit goes, and whether a pull request must be opened for it."""

    name: str
    base: str | None
    open_pull: bool


# Under this key a checkpoint carries what saving the work needs when the engine was killed.
RESUME_KEY = "resume"


def resume_info(branch: WorkingBranch, title: str, touched: list[str] | None) -> dict[str, object]:
    """What the finish step needs to push the work of a killed engine, as plain JSON values."""
    return {"branch": branch.name, "base": branch.base, "open_pull": branch.open_pull, "title": title,
            "touched": touched}


def resumed(info: object) -> tuple[WorkingBranch, str, list[str] | None] | None:
    """Read :func:`resume_info` back; None when it is missing or not what it should be."""
    if not isinstance(info, dict) or not isinstance(info.get("branch"), str) or not isinstance(info.get("title"), str):
        return None
    touched = info.get("touched")
    if touched is not None and not (isinstance(touched, list) and all(isinstance(p, str) for p in touched)):
        return None
    base = info.get("base")
    branch = WorkingBranch(info["branch"], base if isinstance(base, str) else None, bool(info.get("open_pull")))
    return branch, info["title"], touched


@dataclass
class GitWork:
    """Branch, commit and push one task's work in the checkout."""

    checkout: Checkout
    github: GitHubPort
    run_url: str
    unpushed: str | None = None  # a commit the remote refused
    secrets: Sequence[str] = ()  # the workflow's secrets: a change holding one is never committed
    left_by_setup: frozenset[str] = frozenset()  # what the setup commands changed: never the task's work
    rules: ChangeRules = field(default_factory=ChangeRules)
    left_out: list[LeftOut] = field(default_factory=list)  # what the rules kept out of the last commit
    committed: list[str] = field(default_factory=list)  # the paths of the last commit

    def start(self, task: Task, title: str) -> WorkingBranch:
        """PR task: the PR's own head branch. Issue task: a new unique ``pilot/<slug>`` branch."""
        if task.pr_number is not None:
            pull = self.github.get_pull(task.pr_number)
            if pull.head_repo != task.github_project:
                raise PrpilotError(
                    f"pull request #{pull.number} comes from another repository ({pull.head_repo or 'deleted'}); "
                    "prpilot does not push to forks or run their code with this repository's token."
                )
            task.head, task.base, task.pr_url = pull.head_ref, pull.base_ref, pull.html_url
            self.checkout.checkout_remote_branch(pull.head_ref)
            task.branch = pull.head_ref
            return WorkingBranch(pull.head_ref, pull.base_ref, open_pull=False)
        base = task.base or self.github.default_branch()
        # Unique among local branches only: asking the remote costs a round trip on every task, while
        # the push refuses a name taken there meanwhile and the task then moves to a fresh one.
        name = create_unique_branch_name(title, self.checkout.local_branches())
        self.checkout.start_branch(name, base)
        task.base = base
        return WorkingBranch(name, base, open_pull=True)

    def changed(self, touched: list[str] | None) -> list[str]:
        """What the task changed: among the paths the agent's file tools ``touched``, or anywhere when
        None (a command ran). Without commands, files an earlier workflow step left dirty stay out, and
        what the setup commands changed (an installed package, a build) stays out in any case."""
        changed = self.checkout.changed_paths(touched)
        return changed if touched is not None else [path for path in changed if path not in self.left_by_setup]

    def allowed(self, changed: list[str]) -> list[str]:
        """The paths of ``changed`` the rules let into the commit; the others are kept in ``left_out``."""
        kept, self.left_out = sort_change(self.checkout.root, changed, self.rules)
        for left in self.left_out:
            log.warning("left out of the commit: %s (%s)", left.path, left.why)
        return kept

    def left_out_notice(self) -> str:
        """What the thread is told about the paths the rules left out ("" when none)."""
        if not self.left_out:
            return ""
        shown = [f"- `{_shown(left.path)}`: {left.why}" for left in self.left_out[:20]]
        more = len(self.left_out) - len(shown)
        if more > 0:
            shown.append(f"- and {more} more")
        return "⚠️ **Left out of the commit** (prpilot's rules on what a change may hold):\n" + "\n".join(shown)

    def workflows_changed(self) -> set[str]:
        """The workflow files (names under .github/workflows) the task's commit changed."""
        return {path.split("/", 2)[2] for path in self.committed if is_workflow(path) and path.count("/") >= 2}

    def commit_and_push(self, task: Task, branch: WorkingBranch, title: str, changed: list[str]) -> None:
        """Commit what the rules allow of ``changed`` and push; sets ``task.branch`` to where the work went."""
        changed = self.allowed(changed)
        if not changed:
            return
        server, requester_id = self.checkout.server_url, task.context.get("requester_id")
        co_author = noreply_email(task.github_user, server, requester_id if isinstance(requester_id, int) else None)
        message = f"{title}\n\nRequested in {self.run_url}\n\nCo-authored-by: {task.github_user} <{co_author}>"
        self.unpushed = self.checkout.commit(message, Identity(BOT_NAME, noreply_email(BOT_NAME, server)), changed,
                                             check=self.refuse_secrets)
        self.committed = list(changed)
        for attempt in range(1, _PUSH_ATTEMPTS + 1):
            try:
                self.checkout.push(branch.name, create=branch.open_pull)
                break
            except PushRejected:
                if attempt == _PUSH_ATTEMPTS:
                    raise
                # The branch moved or the name was taken meanwhile: move the commit to a fresh name.
                taken = self.checkout.local_branches() | self.checkout.remote_branches() | {branch.name}
                fresh = create_unique_branch_name(title, taken)
                self.checkout.start_branch(fresh, None)
                if not branch.open_pull:  # a pull request's own branch: keep the work, say where it is
                    self.checkout.push(fresh, create=True)
                    task.branch, self.unpushed = fresh, None
                    raise PrpilotError(
                        f"the branch {branch.name} of pull request #{task.pr_number} moved while prpilot worked, "
                        f"so the change went to the branch {fresh} instead; merge it into the pull request, or "
                        "ask again"
                    ) from None
                branch.name = fresh
        task.branch = branch.name
        self.unpushed = None

    def refuse_secrets(self, staged: Iterable[tuple[str, bytes]]) -> None:
        """Raise when a staged file holds a secret in any form prpilot knows (as is, base64, git's header).

        The staged content is what the commit records, after git's conversions (an attribute such as
        ``working-tree-encoding`` can turn a file that holds no known form on disk into one that does).
        """
        forms = [form.encode() for secret in self.secrets for form in secret_forms(secret)]
        if not forms:
            return
        holding = [path for path, content in staged if any(form in content for form in forms)]
        if holding:
            names = ", ".join(f"`{name}`" for name in holding[:10])
            raise PrpilotError(
                f"the change was not pushed: {names} would publish one of this workflow's secrets (a token or "
                "key given to prpilot as an input, as is or encoded). prpilot never commits a credential; "
                "nothing was pushed. Look at what the request asked the agent to write, and ask again without it."
            )

    def save(self, task: Task, branch: WorkingBranch | None, title: str, touched: list[str] | None) -> None:
        """After a failure or cancellation: push what the agent changed, so no work is lost."""
        if branch is None:
            return
        try:
            changed = self.changed(touched)
            if changed:
                self.commit_and_push(task, branch, f"WIP: {title}", changed)
        except PrpilotError as exc:
            log.warning("could not push the work done so far: %s", exc.message)
        except Exception:  # out of memory, a full disk, a bug: the task must still be answered and billed
            log.exception("could not push the work done so far")

    def push_committed(self, task: Task, branch: WorkingBranch) -> None:
        """A commit made before the engine was killed, pushed or not: the remote gets it, and the task names its
        branch (for the finish step; the engine hands back a push it could not make as a patch itself)."""
        try:
            tip = self.checkout.commit_beyond(branch.name, branch.base)
            if tip is None:
                return
            if not self.checkout.pushed(branch.name):
                self.unpushed = tip  # a push that fails leaves it as a patch for the thread
                self.checkout.push(branch.name, create=branch.open_pull)
                self.unpushed = None
            task.branch = branch.name
        except PrpilotError as exc:
            log.warning("could not push the work committed so far: %s", exc.message)

    def unpushed_patch(self) -> str:
        """The commit the remote refused, as a patch for ``git am``: the runner's checkout is gone after the job."""
        if self.unpushed is None:
            return ""
        try:
            return self.checkout.patch(self.unpushed)
        except PrpilotError as exc:
            log.warning("%s", exc.message)
            return ""


def _shown(path: str) -> str:
    """A path the agent chose, safe inside inline code: one line, no backtick, bounded."""
    text = "".join(char if char.isprintable() and char != "`" else "?" for char in path)
    return text if len(text) <= 200 else f"{text[:200]}…"
