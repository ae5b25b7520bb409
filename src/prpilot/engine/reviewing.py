"""A review task: the agent reads the pull request at its head and answers with a review; no branch, no commit.

:class:`ReviewEngine` is a :class:`~prpilot.engine.task_engine.TaskEngine` whose run reads and posts a
review instead of changing code: it keeps the lifecycle of any task (status comment, limits, bill,
``/pilot stop``, the ledger) through the engine's own steps, and ends like one. :func:`engine_class`
picks the engine for a task's kind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prpilot.agent.prompt import load_hints
from prpilot.agent.workspace import MAX_READ_BYTES, Workspace
from prpilot.billing.money import format_usd
from prpilot.engine.task_engine import TaskEngine
from prpilot.engine.unfinished import CUT_SHORT, failure_text
from prpilot.errors import Cancelled, GitHubError, PrpilotError
from prpilot.github.port import PullReviewPort, ReviewLineComment
from prpilot.review.answer import ReviewAnswer, read_review
from prpilot.review.diff_lines import diff_map
from prpilot.review.plan import ADDRESSED_MARK, EarlierComment, ReviewPlan, plan_review, summary_markdown
from prpilot.review.posting import Posted, post_review
from prpilot.task import Task, TaskStatus
from prpilot.thread import markdown as report

if TYPE_CHECKING:
    from prpilot.agent.programs import CommandPolicy
    from prpilot.agent.tools import Toolbox

log = logging.getLogger(__name__)

REPAIR = ("Your answer is not the review format asked for ({problem}). Answer again with only the JSON "
          "object: summary and comments.")


def reviews_of(github: object) -> PullReviewPort:
    """The review half of the GitHub port: the REST adapter's, or the port itself when it has one."""
    from prpilot.github.rest import GitHubRepository
    from prpilot.github.reviews import GitHubReviews

    if isinstance(github, GitHubRepository):
        return GitHubReviews(github)
    if hasattr(github, "start_review"):
        return github  # type: ignore[return-value]
    raise PrpilotError("this GitHub connection cannot post pull request reviews")


def _earlier(comments: list[ReviewLineComment]) -> list[EarlierComment]:
    answered = {c.in_reply_to for c in comments if c.in_reply_to is not None and ADDRESSED_MARK in c.body}
    return [EarlierComment(id=c.id, path=c.path, line=c.line, side=c.side, body=c.body, diff_hunk=c.diff_hunk,
                           answered=c.id in answered)
            for c in comments if c.in_reply_to is None]


def engine_class(task: Task) -> type[TaskEngine]:
    """The engine for ``task``'s kind: a review reads and posts a review, any other task changes code."""
    return ReviewEngine if task.kind == "review" else TaskEngine


@dataclass
class ReviewEngine(TaskEngine):
    """Review one admitted pull request: read it at its head, post a review, answer on the thread."""

    _base_hints: str | None = None  # the base's hints, read before the pull request's head replaced them
    _patches: dict[str, str] = field(default_factory=dict)  # the pull request's diff, file by file, for read_diff

    def _run(self, task: Task) -> Task:
        """Review ``task``'s pull request and post the review; always end in a final state with an answer."""
        answer, cut_short, failure = "", "", ""
        # The job's later steps must find the checkout as the workflow made it, not a fork's code.
        before = self.checkout.current_branch() or self.checkout.head_sha()
        task.transition(TaskStatus.RUNNING)
        task.gpt_model = task.gpt_model or self.settings.model
        self._step(task, "Reading the pull request")
        try:
            if task.pr_number is None:
                raise PrpilotError("`review` reviews a pull request: ask on one, or name it in the dispatch's pr input")
            reviews = reviews_of(self.github)
            pull = self.github.get_pull(task.pr_number)
            task.head, task.base, task.pr_url = pull.head_ref, pull.base_ref, pull.html_url
            task.head_repo = pull.head_repo
            # The maintainers' notes for the agent come from the base, never from the pull request it reviews.
            self._base_hints = load_hints(self.checkout.root)
            head = self.checkout.checkout_pull_head(task.pr_number)
            patches = reviews.pull_patches(task.pr_number)
            self._patches = dict(patches)
            files = diff_map(patches)
            earlier = _earlier(reviews.own_review_comments(task.pr_number, "<!-- prpilot:review -->"))
            self._step(task, "Reviewing (the agent reads the code)")
            outcome = self._run_agent(task)
            review, problem = read_review(outcome.answer)
            if problem and outcome.stop_reason == "done" and not self._spent(task):
                outcome = self._run_agent(task, followup=REPAIR.format(problem=problem))  # one repair turn
                review, problem = read_review(outcome.answer)
            if outcome.stop_reason != "done":
                reason = CUT_SHORT[outcome.stop_reason].format(
                    steps=self.settings.max_steps, cap=format_usd(self._cap(task) or 0), cap_source="max-cost")
                cut_short = f"The review was cut short, so nothing was posted: {reason}."
                if outcome.stop_reason == "cancelled":
                    cut_short = self._stopped(task) or cut_short
            else:
                self._step(task, "Posting the review")
                posted, plan = _post(self, reviews, task, head, review, files, earlier)
                task.review_id, task.review_comments = posted.review_id, posted.inline
                answer = _answer(posted, plan)
        except Exception as exc:  # the task ends in words whatever broke
            failure = failure_text(exc)
            if isinstance(exc, Cancelled):  # who stopped it, when it was `/pilot stop`
                with self.cancel.shield():
                    failure = self._stopped(task) or failure
            if isinstance(exc, GitHubError) and exc.status in (403, 404):
                failure += (" The workflow's token may not write reviews here (a fork's pull_request token is"
                            " read-only: a maintainer's `/pilot review` comment reviews a fork's pull request).")
        with self.cancel.shield():
            if before:
                try:
                    self.checkout.return_to(before)
                except PrpilotError as exc:
                    failure = failure or exc.message
            self._finish(task, answer=answer, cut_short=cut_short, failure=failure)
        return task

    def _may_run_commands(self, task: Task) -> bool:
        """A fork's code is read, never run: its review gets no commands (they would run what the fork wrote)."""
        return task.head_repo == task.github_project

    def _toolbox_for(self, workspace: Workspace, commands: CommandPolicy | None) -> Toolbox:
        from prpilot.review.diff_tool import ReviewToolbox
        from prpilot.review.prompt import REVIEW_TOOLS

        return ReviewToolbox(workspace, commands=commands, profile=REVIEW_TOOLS, patches=self._patches)

    def _hints(self) -> str | None:
        return self._base_hints  # the maintainers' notes come from the base, never from the pull request

    def _opening(self, task: Task, messages: list[dict[str, object]]) -> list[dict[str, object]]:
        from prpilot.review.prompt import review_messages

        return review_messages(messages, task.user_request)


def _post(engine: TaskEngine, reviews: PullReviewPort, task: Task, head: str, review: ReviewAnswer,
          files: dict[str, dict[tuple[str, int], int]], earlier: list[EarlierComment]) -> tuple[Posted, ReviewPlan]:
    # The agent may have run commands in the checkout (a same-repository pull request), and a fork commits
    # what it likes: a file commented on earlier may now be a FIFO, a link out or into .git, or huge.
    checkout = Workspace(engine.checkout.root)

    def line_at(path: str, line: int) -> str | None:
        data = checkout.read_regular(path, MAX_READ_BYTES + 1)
        if data is None or len(data) > MAX_READ_BYTES:
            return None  # not a file the agent could read either: the earlier comment is not found there
        text = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads
        lines = text.split("\n")
        return lines[line - 1] if 0 < line <= len(lines) else None

    plan = plan_review(review, files, max_comments=engine.settings.review_max_comments, earlier=earlier,
                       line_at=line_at)
    # The model's words reach the pull request: no secret, no mass mention (a suggestion is code: masked only).
    redact = engine._redact

    def words(text: str) -> str:
        return report.neutralise(redact(text), requester=task.github_user, issue=task.issue_number)

    for comment in [*plan.inline, *plan.outside, *plan.over_limit]:
        comment.body = words(comment.body)
        comment.suggestion = redact(comment.suggestion) if comment.suggestion is not None else None
    summary = words(summary_markdown(plan, head=head, status_url=engine.run_url))
    assert task.pr_number is not None
    wants_changes = engine.settings.review_request_changes and review.verdict.lower() == "request_changes"
    event = "REQUEST_CHANGES" if wants_changes else "COMMENT"
    try:
        return post_review(reviews, task.pr_number, head, plan, summary, event=event), plan
    except GitHubError as exc:
        # GitHub refuses the whole review when one line is no longer in the diff (a push since it was read):
        # every comment then goes into the summary rather than being lost.
        if exc.status != 422 or not plan.inline:
            raise
        log.warning("GitHub refused the inline comments (%s); they go in the summary", exc.message)
        plan.outside, plan.inline = [*plan.outside, *plan.inline], []
        summary = words(summary_markdown(plan, head=head, status_url=engine.run_url))
        return post_review(reviews, task.pr_number, head, plan, summary, event=event), plan


def _answer(posted: Posted, plan: ReviewPlan) -> str:
    if plan.found_nothing and not plan.addressed:
        return f"Reviewed: nothing to comment on. [The review]({posted.url})."
    parts = [f"[The review]({posted.url})" + (" (its summary updated)" if posted.edited else "") + ":",
             f"{posted.inline} inline comment{'s' if posted.inline != 1 else ''}"]
    if plan.outside or plan.over_limit:
        parts.append(f"{len(plan.outside) + len(plan.over_limit)} more in the summary")
    if plan.repeated:
        parts.append(f"{plan.repeated} already made on unchanged lines, not repeated")
    if plan.addressed:
        parts.append(f"{len(plan.addressed)} earlier marked addressed")
    return parts[0] + " " + ", ".join(parts[1:]) + "."
