"""Turn a GitHub event into a new Task, or say plainly why not. Pure: no I/O, no environment.

Payloads are read through :mod:`prpilot.intake.payloads`, so a malformed payload raises
:class:`EventError` with one line naming the field, never a KeyError or TypeError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from pydantic import BaseModel, ConfigDict

from prpilot.errors import EventError
from prpilot.intake import rules
from prpilot.intake.payloads import (
    Action,
    BodyChange,
    Comment,
    DispatchEvent,
    IssueCommentEvent,
    IssuesEvent,
    PullRequest,
    PullRequestEvent,
    Repository,
    ReviewCommentEvent,
    ReviewEvent,
    User,
    read,
)
from prpilot.intake.thread_commands import is_review, is_stop, read_options
from prpilot.intake.trigger import split_lines
from prpilot.settings import Settings
from prpilot.task import Task


class Skip(BaseModel):
    """An event that starts no task: why, and an answer for the thread when one helps."""

    model_config = ConfigDict(frozen=True)

    reason: str
    reply: str | None = None  # set when the requester should be told (e.g. usage for a bare trigger)


class StopRequest(BaseModel):
    """``/pilot stop``: stop the tasks running on a thread. Not a task: not billed, not counted."""

    model_config = ConfigDict(frozen=True)

    requester: str
    requester_is_bot: bool = False
    github_project: str
    thread_number: int
    is_pull: bool = False
    comment_id: int | None = None
    comment_kind: str | None = None  # "issue" | "review" | "pull_review", as on Task


EventOutcome: TypeAlias = Task | Skip | StopRequest


@dataclass(frozen=True)
class _Run:
    event_name: str
    settings: Settings
    run_id: str
    actor: str

    def task(self, requester: User | str, repository: Repository, request: str, **fields: Any) -> Task:
        login = requester if isinstance(requester, str) else requester.login
        if fields.get("pr_number") is None and fields.get("base") is None:
            fields["base"] = repository.default_branch  # an issue task branches from it
        options = read_options(request)
        if options.error:  # answered in words once the requester's access is checked
            fields["context"] = {**fields.get("context", {}), "request_error": options.error}
        return Task(
            github_user=login,
            github_project=repository.full_name,
            user_request=options.work if not options.error else request,
            max_cost_usd=options.max_cost_usd,
            # A review is of a pull request; on an issue, "review ..." is a request like any other.
            kind="review" if fields.get("pr_number") is not None and is_review(options.work) else "change",
            gpt_model=self.settings.model,
            installation_id=self.run_id,
            event_name=self.event_name,
            **fields,
        )


def _skip(skipped: rules.Skipped, trigger: str) -> Skip:
    return Skip(reason=skipped.reason, reply=usage(trigger) if skipped.usage else None)


def _bot_skip(user: User, run: _Run) -> Skip | None:
    skipped = rules.bot_skip(user.login, user.is_bot, run.settings.allowed_bots)
    return None if skipped is None else _skip(skipped, run.settings.trigger)


def usage(trigger: str) -> str:
    """Say how to ask, for a comment that holds the trigger and nothing else."""
    return (
        f"Tell me what to do after `{trigger}`, on the same line or on the lines below it. For example:\n\n"
        f"```\n{trigger} add a unit test for parse_dates and fix the bug it finds\n```"
    )


def _comment_request(run: _Run, action: str, comment: Comment, changes: BodyChange | None) -> str | Skip:
    """Return the comment's request, or why it starts nothing."""
    before = (changes.body or {}).get("from") if changes else None
    request = rules.comment_request(comment.body or "", run.settings.trigger, login=comment.user.login,
                                    is_bot=comment.user.is_bot, allowed_bots=run.settings.allowed_bots,
                                    action=action, body_before=before)
    return _skip(request, run.settings.trigger) if isinstance(request, rules.Skipped) else request


def _stop(user: User, repository: Repository, number: int, is_pull: bool, comment_id: int,
          kind: str) -> StopRequest:
    return StopRequest(requester=user.login, requester_is_bot=user.is_bot, github_project=repository.full_name,
                       thread_number=number, is_pull=is_pull, comment_id=comment_id, comment_kind=kind)


def _comment_action(run: _Run, payload: Mapping[str, Any], new: str = "created", what: str = "comments") -> str | Skip:
    action = read(Action, payload, run.event_name).action
    skipped = rules.action_skip(run.event_name, action, run.settings.allow_edited, new=new, what=what)
    return action if skipped is None else _skip(skipped, run.settings.trigger)


def _context(user: User, author_association: str | None, **extra: Any) -> dict[str, Any]:
    return {"requester_is_bot": user.is_bot, "requester_id": user.id, "author_association": author_association,
            **extra}


def _issue_comment(run: _Run, payload: Mapping[str, Any]) -> EventOutcome:
    action = _comment_action(run, payload)
    if isinstance(action, Skip):
        return action
    event = read(IssueCommentEvent, payload, run.event_name)
    request = _comment_request(run, action, event.comment, event.changes)
    if isinstance(request, Skip):
        return request
    is_pr = event.issue.pull_request is not None
    comment = event.comment
    if is_stop(request):
        return _stop(comment.user, event.repository, event.issue.number, is_pr, comment.id, "issue")
    return run.task(
        comment.user,
        event.repository,
        request,
        pr_number=event.issue.number if is_pr else None,
        issue_number=None if is_pr else event.issue.number,
        comment_id=comment.id,
        comment_kind="issue",
        context=_context(comment.user, comment.author_association, comment_url=comment.html_url),
    )


def _pull_fields(pull: PullRequest) -> dict[str, Any]:
    """The task fields of a pull request event: its number, head (and where the head lives) and base."""
    return {
        "pr_number": pull.number,
        "head": pull.head.ref,
        "head_repo": pull.head.repo.full_name if pull.head.repo else None,
        "base": pull.base.ref,
    }


def _review_comment(run: _Run, payload: Mapping[str, Any]) -> EventOutcome:
    action = _comment_action(run, payload)
    if isinstance(action, Skip):
        return action
    event = read(ReviewCommentEvent, payload, run.event_name)
    request = _comment_request(run, action, event.comment, event.changes)
    if isinstance(request, Skip):
        return request
    comment = event.comment
    if is_stop(request):
        return _stop(comment.user, event.repository, event.pull_request.number, True, comment.id, "review")
    return run.task(
        comment.user,
        event.repository,
        request,
        **_pull_fields(event.pull_request),
        comment_id=comment.id,
        comment_kind="review",
        context=_context(
            comment.user,
            comment.author_association,
            comment_url=comment.html_url,
            path=comment.path,
            line=comment.line if comment.line is not None else comment.original_line,
            start_line=comment.start_line,
            side=comment.side,
            diff_hunk=comment.diff_hunk,
            commit_id=comment.commit_id,
        ),
    )


def _review(run: _Run, payload: Mapping[str, Any]) -> EventOutcome:
    # A review's summary is answered like a comment, but GitHub sends it as "submitted", and a
    # "dismissed" review asks for nothing.
    action = _comment_action(run, payload, new="submitted", what="reviews")
    if isinstance(action, Skip):
        return action
    event = read(ReviewEvent, payload, run.event_name)
    review, pull = event.review, event.pull_request
    if review.body is None:
        return Skip(reason=f"the review ({review.state or 'no state'}) has no summary to read a request from")
    request = _comment_request(run, action, review, event.changes)
    if isinstance(request, Skip):
        return request
    if is_stop(request):
        return _stop(review.user, event.repository, pull.number, True, review.id, "pull_review")
    return run.task(
        review.user,
        event.repository,
        request,
        **_pull_fields(pull),
        comment_id=review.id,
        comment_kind="pull_review",  # a review is not a comment: no reactions, no replies
        context=_context(
            review.user, review.author_association, comment_url=review.html_url, review_state=review.state
        ),
    )


def _issues(run: _Run, payload: Mapping[str, Any]) -> EventOutcome:
    label = run.settings.trigger_label.strip()
    action = read(Action, payload, run.event_name).action if label else ""
    if not label or action not in ("opened", "labeled"):
        skipped = rules.label_skip(action, label, "", ())
        assert skipped is not None
        return _skip(skipped, run.settings.trigger)
    event = read(IssuesEvent, payload, run.event_name)
    # GitHub label names are unique regardless of case.
    added = event.label.name if event.label else ""
    if skipped := rules.label_skip(action, label, added, [each.name for each in event.issue.labels]):
        return _skip(skipped, run.settings.trigger)
    if skip := _bot_skip(event.sender, run):
        return skip
    issue = event.issue
    request = rules.issue_request(issue.title, issue.body)
    if not request:
        return Skip(reason="the issue has neither title nor body")
    association = issue.author_association if action == "opened" else None
    return run.task(
        event.sender,
        event.repository,
        request,
        issue_number=issue.number,
        context=_context(event.sender, association, label=label),
    )


def _dispatch_number(name: str, value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    text = value.strip().removeprefix("#") if isinstance(value, str) else ""
    # Guard the length first: int() refuses strings over 4300 digits with its own error.
    if text.isascii() and text.isdigit() and len(text) <= 12 and int(text) > 0:
        return int(text)
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    raise EventError(f"input {name} must be an issue or pull request number such as 42, not {shown}")


def _workflow_dispatch(run: _Run, payload: Mapping[str, Any]) -> EventOutcome:
    event = read(DispatchEvent, payload, run.event_name)
    inputs = event.inputs or {}
    request = inputs.get("request")
    if request is not None and not isinstance(request, str):
        raise EventError(f"input request must be text, not {type(request).__name__}")
    if not request or not request.strip():
        return Skip(reason="workflow_dispatch needs a request input: say what the agent should do")
    issue, pr = _dispatch_number("issue", inputs.get("issue")), _dispatch_number("pr", inputs.get("pr"))
    if issue is not None and pr is not None:
        raise EventError(f"give either input issue or input pr, not both (issue {issue}, pr {pr})")
    requester: User | str = event.sender if event.sender else run.actor.strip()
    if not requester:
        raise EventError("cannot read the workflow_dispatch event: no sender and no actor")
    # Dispatching a workflow already needs write access, so a bot sender is not skipped here;
    # the permission check decides (see checks.user_can_write).
    is_bot = requester.is_bot if isinstance(requester, User) else requester.lower().endswith("[bot]")
    # The branch picked under "Use workflow from" is where the work goes: the checkout holds it, and
    # picking one other than the default is how a person asks for a pull request into it.
    chosen = event.ref.removeprefix("refs/heads/") if event.ref and event.ref.startswith("refs/heads/") else None
    return run.task(
        requester,
        event.repository,
        "\n".join(split_lines(request)).strip(),
        issue_number=issue,
        pr_number=pr,
        base=chosen if pr is None else None,
        context={"requester_is_bot": is_bot, "requester_id": requester.id if isinstance(requester, User) else None,
                 "author_association": None, "ref": event.ref},
    )


def _pull_request(run: _Run, payload: Mapping[str, Any]) -> EventOutcome:
    """``mode: review``: a pull request opened or pushed to asks for a review, in its pusher's name."""
    event = read(PullRequestEvent, payload, run.event_name)
    pull = event.pull_request
    head_repo = pull.head.repo.full_name if pull.head.repo else None
    skipped = rules.pull_request_skip(run.settings.mode, event.action, pull.number, head_repo,
                                      event.repository.full_name)
    if skipped is not None:
        return _skip(skipped, run.settings.trigger)
    if skip := _bot_skip(event.sender, run):
        return skip
    return run.task(event.sender, event.repository, "review", **_pull_fields(pull),
                    context=_context(event.sender, None))


_PARSERS: dict[str, Callable[[_Run, Mapping[str, Any]], EventOutcome]] = {
    "pull_request": _pull_request,
    "issue_comment": _issue_comment,
    "pull_request_review_comment": _review_comment,
    "pull_request_review": _review,
    "issues": _issues,
    "workflow_dispatch": _workflow_dispatch,
}


def parse_event(
    event_name: str, payload: Mapping[str, Any], settings: Settings, *, run_id: str, actor: str
) -> EventOutcome:
    """Read a GitHub event: a new Task (status None) when it asks for work, else a Skip saying why."""
    parser = _PARSERS.get(event_name)
    if parser is None:
        return Skip(reason=f"prpilot does not act on {event_name or 'unnamed'} events")
    return parser(_Run(event_name, settings, run_id, actor), payload)
