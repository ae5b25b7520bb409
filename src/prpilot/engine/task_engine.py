"""TaskEngine: the working branch, the agent run, the commit and push, the pull request, the bill.

``run()`` always ends the task in a final state with an answer on the thread and a bill: a failed
or cancelled task is billed for what it used, and the work it did is pushed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prpilot.actions.runner_commands import ActionsRunner
from prpilot.agent.sanitize import Redactor
from prpilot.billing.bill import Bill
from prpilot.billing.meter import Meter
from prpilot.billing.pricing import PriceTable, unknown_model_warning
from prpilot.engine.cancellation import CancelSignal
from prpilot.engine.checkpoint import Checkpoint
from prpilot.engine.naming import fallback_title
from prpilot.engine.working_branch import GitWork, WorkingBranch
from prpilot.errors import Cancelled, PrpilotError, PullRequestsNotAllowed
from prpilot.github.checkout import Checkout
from prpilot.github.port import GitHubPort
from prpilot.github.thread_context import ThreadContext, review_context
from prpilot.settings import Settings
from prpilot.task import Task, TaskStatus, Usage
from prpilot.thread import markdown as report
from prpilot.thread.status_comment import BackgroundEditor, StatusComment

if TYPE_CHECKING:
    from prpilot.agent.loop import AgentOutcome, StepEvent
    from prpilot.agent.model import ChatModel
    from prpilot.agent.tools import Toolbox
    from prpilot.billing.delivery import BillSender
    from prpilot.billing.ledger import Ledger

log = logging.getLogger(__name__)

CUT_SHORT = {
    "max_steps": "it used all {steps} model calls that max-steps allows",
    "timeout": "it reached the wall-clock limit of max-minutes",
    "cost": "it reached the cost cap of max-cost",
    "cancelled": "the job was cancelled",
}


@dataclass
class TaskEngine:
    """Run one admitted task in a checkout."""

    settings: Settings
    github: GitHubPort
    checkout: Checkout
    model: ChatModel
    prices: PriceTable
    run_url: str
    run_id: str = ""
    repo_url: str = ""  # GITHUB_SERVER_URL/owner/name, for links to the working branch
    ledger: Ledger | None = None
    billing: BillSender | None = None
    runner: ActionsRunner | None = None
    cancel: CancelSignal = field(default_factory=CancelSignal)
    command_env: Mapping[str, str] = field(default_factory=dict)  # run_command's base env (scrubbed)
    # Edits the status comment from a thread of its own (a client of its own); None: edits in place.
    progress_edits: Callable[[int, str], None] | None = None
    # Keeps the task as it stands (status, branch, usage so far) where the finish step finds it if this
    # process is killed (out of memory, a job timeout's SIGKILL) and cannot end the task itself.
    checkpoint: Callable[[Task], None] | None = None
    _agent_usage: Usage = field(default_factory=Usage)
    _toolbox: Toolbox | None = None  # the agent's tools, which know what they changed
    _kept: Checkpoint | None = None  # this task's checkpoint, when there is somewhere to keep it
    _task_model: ChatModel | None = None  # the model as this task calls it (counted into the checkpoint)
    _status: StatusComment = field(init=False)
    meter: Meter = field(init=False)
    git: GitWork = field(init=False)

    def __post_init__(self) -> None:
        self._status = StatusComment(self.github, self.run_url)
        self.git = GitWork(self.checkout, self.github, self.run_url)
        self.meter = Meter(
            self.settings.model, self.prices, self.run_id, ledger=self.ledger, billing=self.billing, runner=self.runner
        )

    # --- the lifecycle -------------------------------------------------------------------------

    def run(self, task: Task) -> Task:
        """Run ``task`` to a final state; never raises for a task-level failure."""
        editor = BackgroundEditor(self.progress_edits) if self.progress_edits else None
        self._status.editor = editor
        try:
            return self._run(task)
        finally:
            if editor is not None:
                with self.cancel.shield():
                    editor.close()
                self._status.editor = None

    def _run(self, task: Task) -> Task:
        answer, cut_short, failure = "", "", ""
        self._kept = Checkpoint(self.checkpoint, self._touched) if self.checkpoint is not None else None
        self._task_model = self._kept.counted(self.model, task) if self._kept is not None else self.model
        title, branch = task.user_request, None
        task.transition(TaskStatus.RUNNING)
        task.gpt_model = task.gpt_model or self.settings.model
        if self.settings.max_cost_usd is not None and not self.meter.priced and self.runner:
            self.runner.warning(f"max-cost cannot stop this task: {unknown_model_warning(self.settings.model)}")
        self._step(task, "Preparing the working branch")
        try:
            title = self.generate_task_title(task)
            branch = self.setup_working_branch(task, title)
            if self._kept is not None:
                self._kept.working = (branch, title)
            self._step(task, "Working (the agent reads and edits the code)")
            outcome = self._run_agent(task)
            answer = outcome.answer
            if outcome.stop_reason != "done":
                reason = CUT_SHORT[outcome.stop_reason].format(steps=self.settings.max_steps)
                cut_short = f"The task was cut short: {reason}."
            notice = self.finalize_working_branch(task, branch, title, answer, cut_short)
            answer = "\n\n".join(part for part in (notice, answer) if part)
        except Exception as exc:  # cancelled, failed, or a bug: the task still ends in words, its work saved
            failure = _failure_text(exc)
            with self.cancel.shield():
                self.git.save(task, branch, title, self._touched())
        # A BaseException (a queue worker taking the task back to redeliver it) skips this on purpose:
        # the task is not over, so it is neither answered nor billed here.
        with self.cancel.shield():
            self._finish(task, answer=answer, cut_short=cut_short, failure=failure)
        return task

    def generate_task_title(self, task: Task) -> str:
        """One short model call for the PR and commit title, billed and counted in max-steps.

        max-steps bounds every model call of the task, so with a budget of one call the title is
        taken from the request instead and the agent keeps its only call.
        """
        if self.settings.max_steps < 2:
            return fallback_title(task.user_request)
        from prpilot.agent.title import generate_task_title

        title, usage = generate_task_title(self._task_model or self.model, task.user_request)
        self.meter.usage += usage
        return self._redact(title)

    def setup_working_branch(self, task: Task, title: str) -> WorkingBranch:
        """PR task: the PR's own head branch. Issue task: a new unique ``pilot/<slug>`` branch."""
        return self.git.start(task, title)

    def _run_agent(self, task: Task) -> AgentOutcome:
        from prpilot.agent.commands import CommandPolicy
        from prpilot.agent.loop import AgentFailed, AgentLimits, run_agent
        from prpilot.agent.prompt import build_messages, load_hints
        from prpilot.agent.tools import Toolbox
        from prpilot.agent.workspace import Workspace

        thread = ThreadContext()
        if task.thread_number is not None:
            thread = self.github.thread(task.thread_number, is_pull=task.pr_number is not None, marker=report.MARKER)
            if thread.missing and self.runner:
                self.runner.warning(f"GitHub did not give {', '.join(thread.missing)}; the agent works without")
        root = self.checkout.root
        workspace = Workspace(
            root, allow_workflow_edits=self.settings.allow_workflow_edits, secrets=self.settings.secrets()
        )
        commands = None
        if self.settings.allowed_commands:
            commands = CommandPolicy(prefixes=self.settings.allowed_commands, env=self.command_env)
        toolbox = self._toolbox = Toolbox(workspace, commands=commands)
        messages = build_messages(
            task.user_request,
            thread,
            hints=load_hints(root),
            review_context=review_context(task),
            include_untrusted=self.settings.include_untrusted_comments,
            secrets=self.settings.secrets(),
        )
        limits = AgentLimits(
            max_steps=max(1, self.settings.max_steps - self.usage.calls),
            max_seconds=self.settings.max_minutes * 60,
            max_cost_usd=self.settings.max_cost_usd,
        )
        spent_before = self.usage
        try:
            outcome = run_agent(
                self._task_model or self.model,
                toolbox,
                messages,
                limits,
                cost_of=lambda usage: self.meter.cost(spent_before + usage),
                on_step=lambda event: self._on_agent_step(task, event),
                should_stop=self.cancel,
            )
        except AgentFailed as exc:  # the model failed mid-run: bill what it used until then
            self.meter.usage = spent_before + exc.outcome.usage
            raise
        except Cancelled:
            self.meter.usage = spent_before + self._agent_usage
            raise
        self.meter.usage = spent_before + outcome.usage
        return outcome

    def finalize_working_branch(self, task: Task, branch: WorkingBranch, title: str, answer: str, cut: str) -> str:
        """Commit and push the changes; open the pull request for an issue task; return what the answer must add."""
        changed = self.git.changed(self._touched())
        if not changed:
            task.branch = None if branch.open_pull else task.branch
            return ""  # an answer-only task: no branch pushed, no pull request
        # One step for both: they follow each other within moments, so two labels would only flicker.
        label = "Pushing the change and opening the pull request" if branch.open_pull else "Pushing the change"
        self._step(task, label)
        self.git.commit_and_push(task, branch, title, changed)
        if not branch.open_pull:
            return ""
        # The branch is new (the push refuses an existing name), so no pull request can exist for it yet.
        body = report.pull_request_body(task, self._redact(answer), self.meter.cost_line(), cut_short=cut)
        base = branch.base or ""
        try:
            pull = self.github.create_pull(
                title=title, body=body, head=branch.name, base=base, draft=self.settings.draft or bool(cut)
            )
        except PullRequestsNotAllowed:  # a repository setting, not a failure: the work is done and pushed
            warning = self._redact(report.pull_request_by_hand_warning(branch.name, base, self.repo_url))
            log.warning("%s", warning)
            if self.runner:
                self.runner.warning(warning)
            closes = f"Closes #{task.issue_number}" if task.issue_number is not None else ""
            return self._redact(report.pull_request_by_hand(branch.name, base, self.repo_url, title=title, body=closes))
        task.pr_number, task.pr_url = pull.number, pull.html_url
        if self.settings.pr_labels:
            self.github.add_labels(pull.number, list(self.settings.pr_labels))
        if not task.context.get("requester_is_bot"):
            reviewers = [task.github_user]
            self._courtesy("ask the requester for a review", self.github.request_review, pull.number, reviewers)
        return ""

    def _touched(self) -> list[str] | None:
        """The paths the agent's file tools wrote or deleted (none before it ran); None once a command ran."""
        return self._toolbox.changed_files if self._toolbox is not None else []

    # --- money --------------------------------------------------------------------------------

    @property
    def usage(self) -> Usage:
        """Everything the task used so far, as the model API reported it."""
        return self.meter.usage

    def create_bill(self, task: Task) -> Bill:
        """The bill of everything the task used, from the API's own usage figures."""
        return self.meter.bill(task)

    # --- talking to the user --------------------------------------------------------------------

    def _finish(self, task: Task, *, answer: str, cut_short: str, failure: str) -> None:
        if failure or cut_short:
            detail = failure or cut_short
            if task.branch and self.git.unpushed is None:  # a refused push's work is in the patch below
                url = report.branch_url(self.repo_url, task.branch)
                branch_link = f"[`{task.branch}`]({url})" if self.repo_url else task.branch
                rescued = task.head is not None and task.branch != task.head  # the PR's branch had moved
                where = f"pull request {task.pr_url}" if task.pr_url and not rescued else f"branch {branch_link}"
                detail += f"\n\nThe work done so far is on the {where}."
                if not task.pr_url and task.pr_number is None and self.repo_url:  # no pull request came of it
                    compare = report.compare_url(self.repo_url, task.base or "", task.branch)
                    detail += f" [Open a pull request from it]({compare})."
            task.transition(TaskStatus.FAILED, detail if not answer else f"{detail}\n\n{answer}")
        else:
            task.transition(TaskStatus.COMPLETED, answer or "Done.")
        self.meter.settle(task)
        detail = self._redact(task.result)
        patch = self._redact(self.git.unpushed_patch())
        body = report.status_comment(task, run_url=self.run_url, detail=detail, cost=self.meter.cost_line(),
                                     patch=patch)
        if task.comment_kind == "review" and task.comment_id is not None and task.pr_number is not None:
            # The request came from a review thread: answer there too, pointing to the full answer.
            reply = f"{'✅' if task.status is TaskStatus.COMPLETED else '❌'} {report.first_line(detail)}"
            self._courtesy("reply in the review thread", self.github.reply_to_review_comment,
                           task.pr_number, task.comment_id, f"{reply}\n\nDetails: {self.run_url}\n\n{report.MARKER}")
        try:
            self._status.publish(task, body)
        except PrpilotError as exc:
            log.error("could not answer on the thread: %s", exc.message)
            if self.runner:
                self.runner.error(f"could not answer on the thread: {exc.message}")
        self._keep(task, task.usage)  # final, billed and answered: the finish step has nothing left to do
        if self.runner:
            self.runner.add_summary(
                report.job_summary(
                    task, cost=self.meter.cost(), model=self.settings.model, answer=self._redact(task.result),
                    patch=patch,
                )
            )

    def _courtesy(self, what: str, call: Callable[..., None], *args: object) -> None:
        """A request whose failure must not fail the task (it is logged as a warning)."""
        try:
            call(*args)
        except PrpilotError as exc:
            log.warning("could not %s: %s", what, exc.message)
            if self.runner:
                self.runner.warning(f"could not {what}: {exc.message}")

    def _redact(self, text: str) -> str:
        return Redactor(self.settings.secrets())(text)

    def _step(self, task: Task, label: str) -> None:
        self._keep(task, self.usage)
        self._status.step(task, label)

    def _keep(self, task: Task, usage: Usage) -> None:
        if self._kept is not None:
            self._kept.keep(task, usage)

    def _on_agent_step(self, task: Task, event: StepEvent) -> None:
        self._agent_usage = event.usage  # kept for a cancellation, which brings no outcome
        tools = ", ".join(record.name for record in event.tool_calls) or "answering"
        self._status.working(task, f"Working: step {event.step} ({tools})")


def _failure_text(exc: Exception) -> str:
    """What the thread is told about a task that did not finish."""
    if isinstance(exc, Cancelled):
        return "The job was cancelled before the task finished."
    if isinstance(exc, PrpilotError):
        return exc.message
    log.exception("internal error")
    return f"prpilot hit an internal error ({type(exc).__name__}: {exc}). Please report it."
