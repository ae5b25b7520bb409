"""TaskEngine: the working branch, the agent run, the commit and push, the pull request, the bill.

``run()`` always ends the task in a final state with an answer on the thread and a bill: a failed
or cancelled task is billed for what it used, and the work it did is pushed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from prpilot.agent.endpoints import payers
from prpilot.agent.fallback import FallbackChatModel
from prpilot.agent.sanitize import Redactor
from prpilot.agent.title import fallback_title
from prpilot.billing.meter import Meter
from prpilot.billing.money import format_usd
from prpilot.billing.pricing import PriceTable, unknown_model_warning
from prpilot.engine.cancellation import CancelSignal
from prpilot.engine.change_rules import ChangeRules
from prpilot.engine.checkpoint import Checkpoint
from prpilot.engine.pull_request import PullRequestOpener
from prpilot.engine.structured_output import load_schema
from prpilot.engine.structured_output import settle as settle_structured
from prpilot.engine.unfinished import CUT_SHORT, failure_text
from prpilot.engine.verification import Verification, start_workflows
from prpilot.engine.working_branch import GitWork, WorkingBranch
from prpilot.errors import Cancelled, PrpilotError
from prpilot.github.checkout import Checkout
from prpilot.github.port import GitHubPort
from prpilot.intake.thread_commands import effective_cap
from prpilot.intake.thread_context import ThreadContext, review_context
from prpilot.notices import Notices
from prpilot.settings import Settings
from prpilot.task import Task, TaskStatus, Usage
from prpilot.thread import markdown as report
from prpilot.thread import records
from prpilot.thread.ending import Ending, end_task
from prpilot.thread.status_comment import BackgroundEditor, StatusComment

if TYPE_CHECKING:
    from prpilot.agent.loop import AgentOutcome, StepEvent
    from prpilot.agent.model import ChatModel
    from prpilot.agent.programs import CommandPolicy
    from prpilot.agent.tools import Toolbox
    from prpilot.agent.workspace import Workspace
    from prpilot.billing.delivery import BillSender
    from prpilot.billing.ledger import Ledger

log = logging.getLogger(__name__)

_MAX_CHANGED_FILES = 100  # kept on the task for a follow-up; the status comment must stay small


@dataclass
class TaskEngine:
    """Run one admitted change task in a checkout (a review runs on :class:`~prpilot.engine.reviewing.ReviewEngine`)."""

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
    runner: Notices | None = None  # the Actions runner, or anything with its notices
    cancel: CancelSignal = field(default_factory=CancelSignal)
    command_env: Mapping[str, str] = field(default_factory=dict)  # the runner's env: PATH, where its files are
    # Edits the status comment from a thread of its own (a client of its own); None: edits in place.
    progress_edits: Callable[[int, str], None] | None = None
    progress_reads: Callable[[int], str] | None = None  # reads a comment back after an edit whose answer was lost
    # Keeps the task as it stands (status, branch, usage so far) where the finish step finds it if this
    # process is killed (out of memory, a job timeout's SIGKILL) and cannot end the task itself.
    checkpoint: Callable[[Task], None] | None = None
    _toolbox: Toolbox | None = None  # the agent's tools, which know what they changed
    _kept: Checkpoint | None = None  # this task's checkpoint, when there is somewhere to keep it
    _task_model: ChatModel | None = None  # the model as this task calls it (counted into the checkpoint)
    _messages: list[dict[str, object]] = field(default_factory=list)  # the agent's conversation, for a fix round
    _checks: Verification | None = None  # the project's setup and verify commands, when configured
    _deadline: float = 0.0  # time.monotonic() when max-minutes runs out for this task
    _status: StatusComment = field(init=False)
    meter: Meter = field(init=False)
    git: GitWork = field(init=False)

    def __post_init__(self) -> None:
        self._status = StatusComment(self.github, self.run_url)
        self.git = GitWork(self.checkout, self.github, self.run_url, secrets=self.settings.secrets(),
                           rules=ChangeRules(allow_workflow_edits=self.settings.allow_workflow_edits))
        self.meter = Meter(
            self.settings.model, self.prices, self.run_id, ledger=self.ledger, billing=self.billing,
            notices=self.runner, billed_to=payers(self.settings),
        )
        if isinstance(self.model, FallbackChatModel):  # the bill splits the usage between the two models
            fallback = self.model
            fallback.on_switch = self._model_switched
            self.meter.by_model = lambda: fallback.usage_by_model

    # --- the lifecycle -------------------------------------------------------------------------

    def run(self, task: Task) -> Task:
        """Run ``task`` to a final state; never raises for a task-level failure."""
        editor = BackgroundEditor(self.progress_edits, read=self.progress_reads) if self.progress_edits else None
        self._status.editor = editor
        try:
            self._deadline = time.monotonic() + self.settings.max_minutes * 60
            self._kept = (Checkpoint(self.checkpoint, self._touched, billed_to=self.meter.billed_to)
                          if self.checkpoint is not None else None)
            self._task_model = self._kept.counted(self.model, task) if self._kept is not None else self.model
            return self._run(task)
        finally:
            if editor is not None:
                with self.cancel.shield():
                    editor.close()
                self._status.editor = None

    def _run(self, task: Task) -> Task:
        answer, cut_short, failure = "", "", ""
        # The branch is named from the request: the title costs a model call, made only for a change.
        title, branch = fallback_title(task.user_request), None
        task.transition(TaskStatus.RUNNING)
        task.gpt_model = task.gpt_model or self.settings.model
        if self._cap(task) is not None and not self.meter.priced and self.runner:
            self.runner.warning(f"max-cost cannot stop this task: {unknown_model_warning(self.settings.model)}")
        self._step(task, "Preparing the working branch")
        try:
            # Read before the agent runs or the pull request's branch is checked out: neither can change it.
            schema = load_schema(self.settings.output_schema, self.checkout.root)
            if self.settings.setup:  # before any model call: a failing setup costs nothing
                if task.pr_number is not None:  # the pull request's own code is what setup prepares
                    branch = self.setup_working_branch(task, title)
                self._step(task, "Running the setup commands")
                self._verification().setup()
                self.git.left_by_setup = frozenset(self.checkout.changed_paths())
            branch = branch or self.setup_working_branch(task, title)
            if self._kept is not None:
                self._kept.working = (branch, title)
            self._step(task, "Working (the agent reads and edits the code)")
            outcome = self._run_agent(task)
            outcome, answer = self._verify(task, outcome)
            if schema is not None:
                repair = None if self._spent(task) else (lambda text: self._run_agent(task, followup=text))
                outcome, answer = settle_structured(task, schema, outcome, answer, repair=repair,
                                                    redact=self._redact)
            # The model's text reaches the thread, the pull request and the outputs: no secret, no mass
            # mention, no closing keyword for someone else's issue.
            answer = report.neutralise(self._redact(answer), requester=task.github_user, issue=task.issue_number)
            if outcome.stop_reason != "done":
                cap = self._cap(task)
                reason = CUT_SHORT[outcome.stop_reason].format(
                    steps=self.settings.max_steps, cap=format_usd(cap) if cap is not None else "",
                    cap_source=self._cap_source(task, cap))
                cut_short = f"The task was cut short: {reason}."
                if outcome.stop_reason == "cancelled":
                    cut_short = self._stopped(task) or cut_short
            notice = self.finalize_working_branch(task, branch, title, answer, cut_short)
            answer = "\n\n".join(part for part in (notice, answer) if part)
        except Exception as exc:  # cancelled, failed, or a bug: the task still ends in words, its work saved
            failure = failure_text(exc)
            with self.cancel.shield():
                if isinstance(exc, Cancelled):
                    failure = self._stopped(task) or failure
                self.git.save(task, branch, title, self._touched())
        if isinstance(self.model, FallbackChatModel) and self.model.notice:  # which model failed, which took over
            answer = "\n\n".join(part for part in (answer, self.model.notice) if part)
        # A BaseException (a queue worker taking the task back to redeliver it) skips this on purpose:
        # the task is not over, so it is neither answered nor billed here.
        with self.cancel.shield():
            self._finish(task, answer=answer, cut_short=cut_short, failure=failure)
        return task

    def generate_task_title(self, task: Task) -> str:
        """One short model call for the PR and commit title, made only when there is a change to commit.

        It is billed with the task but is none of the agent's max-steps calls. A task whose cost cap is
        reached makes no further call: its title is taken from the request.
        """
        from prpilot.agent.title import generate_task_title

        cap = self._cap(task)
        if cap is not None and self.meter.cost() >= cap:
            return report.without_foreign_closing(self._redact(fallback_title(task.user_request)),
                                                  issue=task.issue_number)
        title, usage = generate_task_title(self._task_model or self.model, task.user_request)
        self.meter.add(usage)
        return report.without_foreign_closing(self._redact(title), issue=task.issue_number)

    def setup_working_branch(self, task: Task, title: str) -> WorkingBranch:
        """PR task: the PR's own head branch. Issue task: a new unique ``pilot/<slug>`` branch."""
        return self.git.start(task, title)

    def _verification(self) -> Verification:
        if self._checks is None:
            self._checks = Verification(
                self.checkout.root, self.settings.setup, self.settings.verify, self.settings.verify_rounds,
                env=self.command_env, deadline=self._deadline, network=self.settings.command_network,
                secrets=tuple(self.settings.secrets()), redact=self._redact, limits=self.settings.command_limits,
            )
        return self._checks

    def _verify(self, task: Task, outcome: AgentOutcome) -> tuple[AgentOutcome, str]:
        """Run the checks on the agent's change; hand failures back to it while rounds are left.

        Returns the last outcome and the answer of every round. An answer-only task runs no checks.
        """
        answers = [outcome.answer]
        if not self.settings.verify or not self.git.changed(self._touched()):
            return outcome, outcome.answer
        checks = self._verification()
        self._step(task, "Running the checks")
        while True:
            task.verify = "passed" if checks.check() else "failed"
            if task.verify == "passed" or not checks.can_fix or outcome.stop_reason != "done" or self._spent(task):
                break
            self._step(task, f"Fixing the failing checks (round {checks.fix_rounds + 1} of {checks.rounds})")
            outcome = self._run_agent(task, followup=checks.next_round())
            answers.append(outcome.answer)
            self._step(task, "Running the checks again")
        return outcome, "\n\n".join(dict.fromkeys(a.strip() for a in answers if a.strip()))

    def _spent(self, task: Task) -> bool:
        """Whether max-steps or the cost cap leaves no model call for a fix round (the work is then delivered as is)."""
        cap = self._cap(task)
        return self.usage.calls >= self.settings.max_steps or (cap is not None and self.meter.cost() >= cap)

    def _run_agent(self, task: Task, *, followup: str = "") -> AgentOutcome:
        """Run the agent; with ``followup``, continue its conversation with that message (a fix round)."""
        from prpilot.agent.counting import CountingModel
        from prpilot.agent.loop import AgentLimits, run_agent

        if not followup:
            toolbox, messages = self._start_agent(task)
        else:
            assert self._toolbox is not None
            toolbox, messages = self._toolbox, [*self._messages, {"role": "user", "content": followup}]
        limits = AgentLimits(
            # max-steps counts the agent's own calls (the title is not one of them, and comes later): a fix
            # round gets only what is left of it (maybe nothing), the first run all of it.
            max_steps=max(0 if followup else 1, self.settings.max_steps - self.usage.calls),
            max_seconds=max(0.0, self._deadline - time.monotonic()),
            max_cost_usd=self._cap(task),
        )
        spent_before = self.usage
        # Counts every answered call, so whatever ends the run (a model failure, a cancellation, a bug in
        # the loop or a tool) the calls made until then are billed.
        answered = CountingModel(self._task_model or self.model, on_call=lambda used: None)
        try:
            outcome = run_agent(
                answered,
                toolbox,
                messages,
                limits,
                cost_of=lambda usage: self.meter.cost(spent_before + usage),
                on_step=lambda event: self._on_agent_step(task, event),
                should_stop=self.cancel,
            )
        except Exception:
            self.meter.add(answered.used)
            raise
        self.meter.add(outcome.usage)
        self._messages = outcome.messages
        return outcome

    def _start_agent(self, task: Task) -> tuple[Toolbox, list[dict[str, object]]]:
        """The agent's tools and its first messages (with what came before on this thread)."""
        from prpilot.agent.programs import CommandPolicy, unavailable
        from prpilot.agent.prompt import build_messages
        from prpilot.agent.workspace import Workspace

        thread = ThreadContext()
        if task.thread_number is not None:
            # The admitted requester proved write access to the scheduler; the status comment names prpilot.
            admitted = () if task.context.get("requester_is_bot") else (task.github_user,)
            thread = self.github.thread(task.thread_number, is_pull=task.pr_number is not None, marker=report.MARKER,
                                        own_comment=task.status_comment_id, known_writers=admitted)
            if thread.missing and self.runner:
                self.runner.warning(f"GitHub did not give {', '.join(thread.missing)}; the agent works without")
            thread = self._with_history(task, task.thread_number, thread)
        root = self.checkout.root
        workspace = Workspace(
            root, allow_workflow_edits=self.settings.allow_workflow_edits, secrets=self.settings.secrets()
        )
        commands = None
        if (self.settings.allowed_commands or self.settings.verify) and self._may_run_commands(task):
            commands = CommandPolicy(
                prefixes=self.settings.allowed_commands,
                env=self.command_env,
                network=self.settings.command_network,
                deadline=self._deadline,  # commands share max-minutes
                checks=self.settings.verify,
                limits=self.settings.command_limits,
            )
        toolbox = self._toolbox = self._toolbox_for(workspace, commands)
        if toolbox.sandbox is not None and toolbox.sandbox.problem and self.runner:
            self.runner.warning(f"commands are configured, but {unavailable(toolbox.sandbox.problem)}")
        messages = build_messages(
            task.user_request,
            thread,
            hints=self._hints(),
            review_context=review_context(task),
            include_untrusted=self.settings.include_untrusted_comments,
            secrets=self.settings.secrets(),
            checks=self.settings.verify,
            profile=toolbox.profile,
        )
        return toolbox, self._opening(task, messages)

    # What a kind of task changes in the agent's set-up (a review: prpilot.engine.reviewing.ReviewEngine).

    def _may_run_commands(self, task: Task) -> bool:
        """Whether the agent may run the configured commands on this task's code."""
        return True

    def _toolbox_for(self, workspace: Workspace, commands: CommandPolicy | None) -> Toolbox:
        """The agent's tools: the tool profile the settings name."""
        from prpilot.agent.tools import TOOL_PROFILES, Toolbox

        return Toolbox(workspace, commands=commands, profile=TOOL_PROFILES[self.settings.tool_profile])

    def _hints(self) -> str | None:
        """The maintainers' notes for the agent (AGENTS.md and the like) in the checkout."""
        from prpilot.agent.prompt import load_hints

        return load_hints(self.checkout.root)

    def _opening(self, task: Task, messages: list[dict[str, object]]) -> list[dict[str, object]]:
        """The agent's first messages as this kind of task wants them."""
        return messages

    def finalize_working_branch(self, task: Task, branch: WorkingBranch, title: str, answer: str, cut: str) -> str:
        """Commit and push the changes; open the pull request for an issue task; return what the answer must add."""
        # The rules apply to the change as it is, whoever wrote it (a file tool, a command, setup, verify).
        changed = self.git.allowed(self.git.changed(self._touched()))
        left_out = self._redact(self.git.left_out_notice())  # names the agent chose: shown as code, one line each
        if not changed:
            task.branch = None if branch.open_pull else task.branch
            return left_out  # an answer-only task: no branch pushed, no pull request
        # One step for both: they follow each other within moments, so two labels would only flicker.
        label = "Pushing the change and opening the pull request" if branch.open_pull else "Pushing the change"
        self._step(task, label)
        title = self.generate_task_title(task)
        if self._kept is not None:
            self._kept.working = (branch, title)
        task.changed_files = changed[:_MAX_CHANGED_FILES]
        self.git.commit_and_push(task, branch, title, changed)
        self._keep(task, self.usage)  # killed from here on, the finish step still names the branch the work is on
        failing = self._checks if task.verify == "failed" else None
        ci = self._redact(start_workflows(self.github, self.settings.ci_workflows, task.branch or branch.name,
                                          self.repo_url, changed=self.git.workflows_changed()))
        ci = "\n\n".join(part for part in (left_out, ci) if part)
        if not branch.open_pull:
            checks = failing.failing_notice(draft=False, new_pull=False) if failing else ""
            return "\n\n".join(part for part in (checks, ci) if part)
        # The branch is new (the push refuses an existing name), so no pull request can exist for it yet.
        opener = PullRequestOpener(self.github, self.repo_url, self.settings.draft, tuple(self.settings.pr_labels),
                                   self._redact, self._warn, self._courtesy)
        return opener.open(
            task, branch, title, answer=answer, cost_line=self.meter.cost_line(), cut=cut,
            checks_section=self._redact(self._checks.section()) if self._checks is not None else "",
            failing=failing, ci=ci,
        )

    def _ledgered(self, tasks: list[Task], thread: int) -> list[Task]:
        """Keep the earlier tasks the ledger admitted on ``thread``: a status comment alone proves nothing.

        Every workflow of the repository writes as the token's account, so a comment with a task marker
        may be forged (issue 28, item 7). Without a ledger (library use) nothing is dropped.
        """
        if not tasks or self.ledger is None:
            return tasks
        from prpilot.billing.ledger import month_key

        # Admission comes seconds after the task is made; the hour covers a month that turned between.
        months = {month_key(t.created_at + lag) for t in tasks for lag in (timedelta(0), timedelta(hours=1))}
        known = self.ledger.reserved_ids(months, thread=thread)
        forged = [t.id for t in tasks if t.id not in known]
        if forged:
            log.warning("left out of what came before on #%s, as the ledger never admitted them: %s",
                        thread, ", ".join(forged))
        return [t for t in tasks if t.id in known]

    def _with_history(self, task: Task, number: int, thread: ThreadContext) -> ThreadContext:
        """Add what came before: earlier tasks on the thread and, on a pull request prpilot opened, its issue."""
        from prpilot.thread.history import as_earlier, closes_issue, earlier_tasks

        try:
            earlier = self._ledgered(earlier_tasks(thread.own_status), number)  # read with the thread
            origin = None
            issue = closes_issue(thread.body) if task.pr_number is not None else None
            if issue is not None:  # a hint only: prpilot's own comment on the issue must say it opened this pull
                bodies = (body for _, body in self.github.comments_with(issue, report.MARKER))
                opened = self._ledgered(earlier_tasks(bodies, opened_pull=task.pr_number), issue)
                if opened:
                    earlier = opened + earlier
                    origin = self.github.thread(issue, is_pull=False, marker=report.MARKER)
        except PrpilotError as exc:  # the request itself still stands on its own
            log.warning("could not read what came before on #%s: %s", number, exc.message)
            return thread
        return thread.model_copy(update={"earlier": as_earlier(earlier), "origin": origin})

    def _cap(self, task: Task) -> Decimal | None:
        """The task's cost cap: its request's, within this workflow's max-cost and what admission held for it."""
        return effective_cap(effective_cap(task.max_cost_usd, self.settings.max_cost_usd), task.hold_usd)

    def _cap_source(self, task: Task, cap: Decimal | None) -> str:
        """Which limit the cap is, in words for the thread."""
        if cap is not None and effective_cap(task.max_cost_usd, self.settings.max_cost_usd) != cap:
            return "what the task held against the monthly budget: max-steps × the output bound × the output price"
        if cap is not None and cap != self.settings.max_cost_usd:
            return "`--max-cost` in the request"  # the request lowered it
        return "the workflow's max-cost"

    def _stopped(self, task: Task) -> str:
        """Who stopped the task with ``/pilot stop``, read from prpilot's own reply to it ("" when nobody did)."""
        if task.thread_number is None:
            return ""
        try:
            bodies = [body for _, body in self.github.comments_with(task.thread_number, records.STOP_MARK)]
        except PrpilotError as exc:
            log.warning("could not read who stopped the task: %s", exc.message)
            return ""
        login = records.stopped_by(bodies, task.id)
        return f"@{login} stopped the task with `/pilot stop` before it finished." if login else ""

    def _touched(self) -> list[str] | None:
        """The paths the agent's file tools wrote or deleted (none before it ran); None once a command ran."""
        return self._toolbox.changed_files if self._toolbox is not None else []

    # --- money --------------------------------------------------------------------------------

    @property
    def usage(self) -> Usage:
        """Everything the task used so far, as the model API reported it."""
        return self.meter.usage

    # --- talking to the user --------------------------------------------------------------------

    def _finish(self, task: Task, *, answer: str, cut_short: str, failure: str) -> None:
        status, result = TaskStatus.COMPLETED, answer or "Done."
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
            status, result = TaskStatus.FAILED, (detail if not answer else f"{detail}\n\n{answer}")
        if task.comment_kind == "review" and task.comment_id is not None and task.pr_number is not None:
            # The request came from a review thread: answer there too, pointing to the full answer.
            mark = "✅" if status is TaskStatus.COMPLETED else "❌"
            reply = f"{mark} {report.first_line(self._redact(result))}"
            self._courtesy("reply in the review thread", self.github.reply_to_review_comment,
                           task.pr_number, task.comment_id, f"{reply}\n\nDetails: {self.run_url}\n\n{report.MARKER}")
        patch = self._redact(self.git.unpushed_patch())
        checks = self._checks.section() if self._checks is not None else ""
        ending = Ending(thread=self._status, meter=self.meter, notices=self.runner, redact=self._redact, checks=checks)
        end_task(task, status, result, ending, patch=patch)
        self._keep(task, task.usage)  # final, billed and answered: the finish step has nothing left to do

    def _courtesy(self, what: str, call: Callable[..., None], *args: object) -> None:
        """A request whose failure must not fail the task (it is logged as a warning)."""
        try:
            call(*args)
        except PrpilotError as exc:
            log.warning("could not %s: %s", what, exc.message)
            self._warn(f"could not {what}: {exc.message}")

    def _warn(self, text: str) -> None:
        """A warning on the run's page, where there is one."""
        if self.runner:
            self.runner.warning(text)

    def _redact(self, text: str) -> str:
        return Redactor(self.settings.secrets())(text)

    def _step(self, task: Task, label: str) -> None:
        self._keep(task, self.usage)
        self._status.step(task, label)

    def _keep(self, task: Task, usage: Usage) -> None:
        if self._kept is not None:
            self._kept.keep(task, usage)

    def _model_switched(self, notice: str) -> None:
        log.warning("%s", self._redact(notice))
        if self.runner:
            self.runner.warning(self._redact(notice))

    def _on_agent_step(self, task: Task, event: StepEvent) -> None:
        tools = report.tool_names([record.name for record in event.tool_calls]) or "answering"
        self._status.working(task, f"Working: step {event.step} ({tools})")
