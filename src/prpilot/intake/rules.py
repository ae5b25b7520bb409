"""The rules that say whether an event is a request, on plain values: the standard library only.

The action's first step runs them on the runner's own ``python3`` before anything is installed
(:mod:`prpilot.actions.acknowledge`); :mod:`prpilot.intake.events` applies the same functions to
its validated payloads, so each rule is written once. Nothing here may import pydantic or any
other installed package: ``tests/actions/test_acknowledge.py`` imports this module without them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from prpilot.intake.bots import is_allowed_bot
from prpilot.intake.thread_commands import is_stop, read_options
from prpilot.intake.trigger import find_request, split_lines

# https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user
# answers admin/write/read/none in ``permission`` and maintain/triage too in ``role_name``.
WRITE_PERMISSIONS = frozenset({"admin", "maintain", "write"})

# Events whose requests the first step can acknowledge alone; the others wait for the installed steps.
COMMENT_EVENTS = ("issue_comment", "pull_request_review_comment", "pull_request_review")
REQUEST_EVENTS = (*COMMENT_EVENTS, "issues", "workflow_dispatch")


# NamedTuples, not dataclasses: importing dataclasses costs the first step tens of milliseconds (inspect).
class Skipped(NamedTuple):
    """An event that starts nothing, and why (``usage``: a bare trigger, which earns a how-to)."""

    reason: str
    usage: bool = False


class Intake(NamedTuple):
    """The inputs that decide whether an event is a request (the essentials of the schedule step)."""

    trigger: str = "/pilot"
    trigger_label: str = ""
    allow_edited: bool = False
    allowed_bots: tuple[str, ...] = ()
    mode: str = ""  # "review": a pull_request event asks for a review


# With ``mode: review``, a pull request is reviewed when it opens and on each push (``on: pull_request``).
REVIEWED_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review")
FORK_NOT_REVIEWED = (
    "pull request #{number} comes from a fork ({head}): its pull_request workflow has a read-only token and no "
    "secrets, so prpilot neither reviews it nor runs any of its code here. A maintainer's `/pilot review` "
    "comment on the pull request reviews it."
)


def pull_request_skip(mode: str, action: str, number: int, head_repo: str | None, base_repo: str) -> Skipped | None:
    """Why a pull_request event starts no review (None: it asks for one)."""
    if mode != "review":
        return Skipped("prpilot acts on pull_request events only with mode: review")
    if action not in REVIEWED_ACTIONS:
        return Skipped(f"with mode: review, prpilot reviews a pull request when it opens or changes, not on {action}")
    if head_repo is None or head_repo.lower() != base_repo.lower():
        return Skipped(FORK_NOT_REVIEWED.format(number=number, head=head_repo or "a deleted repository"))
    return None


class Request:
    """A request read from an event: the Task's fields, as plain values."""

    def __init__(self, fields: dict[str, Any], *, is_stop: bool = False) -> None:
        self.fields = fields
        self.is_stop = is_stop

    @property
    def requester(self) -> str:
        return str(self.fields["github_user"])

    @property
    def requester_is_bot(self) -> bool:
        return bool(self.fields.get("context", {}).get("requester_is_bot"))

    @property
    def request_error(self) -> str:
        return str(self.fields.get("context", {}).get("request_error") or "")

    @property
    def thread_number(self) -> int | None:
        number = self.fields.get("pr_number")
        return number if number is not None else self.fields.get("issue_number")


class Unreadable(Exception):
    """A payload this module cannot read with confidence: the installed steps read it and say why."""


# -- the rules, on plain values ----------------------------------------------------------------


def is_bot_account(login: str, account_type: str | None) -> bool:
    """GitHub Apps comment as ``name[bot]`` with type ``Bot``; either mark is enough."""
    return account_type == "Bot" or login.lower().endswith("[bot]")


def bot_skip(login: str, is_bot: bool, allowed_bots: Sequence[str]) -> Skipped | None:
    """A bot not listed in allowed-bots starts nothing (two bots must not loop on each other)."""
    if is_bot and not is_allowed_bot(login, allowed_bots):
        return Skipped(f"{login} is a bot not listed in allowed-bots")
    return None


def action_skip(event_name: str, action: str, allow_edited: bool, *, new: str = "created",
                what: str = "comments") -> Skipped | None:
    """Only new (and, with allow-edited, edited) comments or reviews start tasks."""
    if action == "edited" and not allow_edited:
        return Skipped(f"edited {what} are ignored (the allow-edited input is false)")
    if action not in (new, "edited"):
        return Skipped(f"{event_name} {action}: only new {what} start tasks")
    return None


def comment_request(body: str, trigger: str, *, login: str, is_bot: bool, allowed_bots: Sequence[str],
                    action: str, body_before: object) -> str | Skipped:
    """The request a comment makes, or why it makes none (``body_before``: an edit's earlier body)."""
    request = find_request(body, trigger)
    if request is None:
        return Skipped(f"the comment does not start a line with {trigger}")
    if skip := bot_skip(login, is_bot, allowed_bots):
        return skip
    if action == "edited" and isinstance(body_before, str) and find_request(body_before, trigger) == request:
        return Skipped("the edit did not change the request")
    options = read_options(request)
    if not request or not (options.work or options.error):  # a bare trigger, or "--max-cost 2" and nothing else
        return Skipped("empty request", usage=True)
    return request


def label_skip(action: str, label: str, added: str, labels: Sequence[str]) -> Skipped | None:
    """An issue starts a task when opened with, or labeled with, the trigger label (any case)."""
    if not label:
        return Skipped("issues events start tasks only when the trigger-label input is set")
    if action not in ("opened", "labeled"):
        return Skipped(f"issues {action}: only opened or labeled issues start tasks")
    if action == "labeled":
        if added.lower() != label.lower():
            return Skipped(f"the label added ({added or 'none'}) is not the trigger label {label}")
    elif label.lower() not in {each.lower() for each in labels}:
        return Skipped(f"the issue does not carry the trigger label {label}")
    return None


def issue_request(title: str, body: str | None) -> str:
    """An issue's request: its title and body."""
    parts = (title.strip(), "\n".join(split_lines(body or "")).strip())
    return "\n\n".join(part for part in parts if part)


def write_access_refusal(permission: str | None, login: str, is_bot: bool,
                         allowed_bots: Sequence[str]) -> tuple[str, str] | None:
    """Why ``login`` may not start a task, as (code, message); None when they may.

    An allow-listed bot passes whatever its collaborator permission: GitHub Apps are not
    collaborators (the permission API answers 404 for them), so listing the bot is the admin's
    decision. ``permission`` None means GitHub does not know the user (404).
    """
    if is_bot:
        if is_allowed_bot(login, allowed_bots):
            return None
        return "bot_not_allowed", (
            f"prpilot does not take requests from bots, and {login} is a bot. An admin can allow it "
            f"by adding {login} to the allowed-bots input of the prpilot step in the workflow file."
        )
    level = (permission or "none").strip().lower()
    if level in WRITE_PERMISSIONS:
        return None
    has = "no access to" if level == "none" else f"{level} access to"
    return "no_write_access", (
        f"@{login} has {has} this repository; only people with write access can start prpilot "
        "tasks. A repository admin can grant write access under Settings → Collaborators and teams."
    )


def parse_usd(value: str) -> Decimal | None:
    """The max-cost input as the settings read it; raises ValueError where they would refuse it."""
    if value == "":
        return None
    try:
        amount = Decimal(value.removeprefix("$"))
    except InvalidOperation:
        raise ValueError(value) from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(value)
    return amount


# -- reading a raw payload (the first step; the installed steps read validated models) ----------

_LOGIN = re.compile(r"^\S+$")
_FULL_NAME = re.compile(r"^[^/\s]+/[^/\s]+$")


def _get(data: object, *path: str) -> Any:
    for key in path:
        if not isinstance(data, Mapping):
            raise Unreadable(".".join(path))
        data = data.get(key)
    return data


def _number(data: object, *path: str) -> int:
    value = _get(data, *path)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise Unreadable(".".join(path))
    return value


def _whole(data: object, *path: str) -> int | None:
    """An optional whole number (a line of a diff, say): None, or an int that is no bool."""
    value = _get(data, *path)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise Unreadable(".".join(path))
    return value


def _text(data: object, *path: str, pattern: re.Pattern[str] | None = None, optional: bool = False) -> str | None:
    value = _get(data, *path)
    if value is None and optional:
        return None
    if not isinstance(value, str) or (pattern is not None and not pattern.match(value)):
        raise Unreadable(".".join(path))
    return value


def _user(data: object, *path: str) -> tuple[str, bool, int | None]:
    login = _text(data, *path, "login", pattern=_LOGIN)
    assert login is not None
    account_id = _get(data, *path, "id")
    account_type = _get(data, *path, "type")
    if account_id is not None and (not isinstance(account_id, int) or isinstance(account_id, bool)):
        raise Unreadable("user.id")
    if account_type is not None and not isinstance(account_type, str):
        raise Unreadable("user.type")
    return login, is_bot_account(login, account_type), account_id


def _repository(payload: Mapping[str, Any]) -> tuple[str, str | None]:
    full_name = _text(payload, "repository", "full_name", pattern=_FULL_NAME)
    assert full_name is not None
    return full_name, _text(payload, "repository", "default_branch", optional=True)


def _context(user: tuple[str, bool, int | None], association: object, **extra: Any) -> dict[str, Any]:
    if association is not None and not isinstance(association, str):
        raise Unreadable("author_association")
    return {"requester_is_bot": user[1], "requester_id": user[2], "author_association": association, **extra}


def _task_fields(login: str, repository: tuple[str, str | None], request: str, **fields: Any) -> dict[str, Any]:
    """The Task fields of a request, as :meth:`prpilot.intake.events._Run.task` makes them."""
    if fields.get("pr_number") is None and fields.get("base") is None:
        fields["base"] = repository[1]
    options = read_options(request)
    if options.error:
        fields["context"] = {**fields.get("context", {}), "request_error": options.error}
    return {"github_user": login, "github_project": repository[0],
            "user_request": options.work if not options.error else request,
            "max_cost_usd": options.max_cost_usd, **fields}


def read_request(event_name: str, payload: Mapping[str, Any], intake: Intake) -> Request | Skipped | None:
    """Whether ``payload`` asks for work: a Request, a Skipped saying why not, or None to leave it to the schedule step.

    None stands for what this module leaves to the installed steps: a workflow_dispatch request
    (its numbers and branch are theirs to read) and a payload it cannot read with confidence.
    """
    if event_name == "pull_request":
        try:
            head = _get(payload, "pull_request", "head", "repo")  # null once the fork was deleted
            head_repo = _text(head, "full_name") if head is not None else None
            skip = pull_request_skip(intake.mode, str(_text(payload, "action")),
                                     _number(payload, "pull_request", "number"), head_repo, _repository(payload)[0])
        except Unreadable:
            return None
        return skip  # a review of this pull request is left to the schedule step, which reads its event whole
    if event_name not in REQUEST_EVENTS:
        return Skipped(f"prpilot does not act on {event_name or 'unnamed'} events")
    try:
        if event_name == "workflow_dispatch":
            _repository(payload)
            request = _get(payload, "inputs", "request") if isinstance(payload.get("inputs"), Mapping) else None
            if request is None or (isinstance(request, str) and not request.strip()):
                return Skipped("workflow_dispatch needs a request input: say what the agent should do")
            return None
        if event_name == "issues":
            return _issues(payload, intake)
        return _comment(event_name, payload, intake)
    except Unreadable:
        return None


def _comment(event_name: str, payload: Mapping[str, Any], intake: Intake) -> Request | Skipped:
    review = event_name == "pull_request_review"
    action = _text(payload, "action")
    assert action is not None
    if skip := action_skip(event_name, action, intake.allow_edited, new="submitted" if review else "created",
                           what="reviews" if review else "comments"):
        return skip
    item = "review" if review else "comment"
    comment_id = _number(payload, item, "id")
    user = _user(payload, item, "user")
    _user(payload, "sender")
    repository = _repository(payload)
    body = _text(payload, item, "body", optional=True)
    if event_name == "issue_comment":
        number = _number(payload, "issue", "number")
        is_pull = _get(payload, "issue", "pull_request") is not None
        pull: dict[str, Any] = {"pr_number": number} if is_pull else {"issue_number": number}
    else:
        number = _number(payload, "pull_request", "number")
        is_pull = True
        head_repo = _get(payload, "pull_request", "head", "repo")
        pull = {"pr_number": number, "head": _text(payload, "pull_request", "head", "ref"),
                "head_repo": _text(head_repo, "full_name", pattern=_FULL_NAME) if head_repo is not None else None,
                "base": _text(payload, "pull_request", "base", "ref")}
    if review and body is None:
        state = _text(payload, "review", "state", optional=True)
        return Skipped(f"the review ({state or 'no state'}) has no summary to read a request from")
    changes = _get(payload, "changes")
    before = _get(changes, "body", "from") if isinstance(changes, Mapping) and isinstance(
        changes.get("body"), Mapping) else None
    request = comment_request(body or "", intake.trigger, login=user[0], is_bot=user[1],
                              allowed_bots=intake.allowed_bots, action=action, body_before=before)
    if isinstance(request, Skipped):
        return request
    if is_stop(request):
        return Request(is_stop=True, fields={"github_user": user[0]})
    kind = "pull_review" if review else ("review" if event_name == "pull_request_review_comment" else "issue")
    association = _get(payload, item, "author_association")
    url = _text(payload, item, "html_url", optional=True)
    if review:
        context = _context(user, association, comment_url=url,
                           review_state=_text(payload, "review", "state", optional=True))
    elif kind == "review":
        # Read as strictly as the schedule step's payload model reads them, so both steps take the same events.
        line = _whole(payload, "comment", "line")
        context = _context(user, association, comment_url=url,
                           path=_text(payload, "comment", "path", optional=True),
                           line=line if line is not None else _whole(payload, "comment", "original_line"),
                           start_line=_whole(payload, "comment", "start_line"),
                           side=_text(payload, "comment", "side", optional=True),
                           diff_hunk=_text(payload, "comment", "diff_hunk", optional=True),
                           commit_id=_text(payload, "comment", "commit_id", optional=True))
    else:
        context = _context(user, association, comment_url=url)
    return Request(fields=_task_fields(user[0], repository, request, **pull, comment_id=comment_id,
                                       comment_kind=kind, context=context))


def _issues(payload: Mapping[str, Any], intake: Intake) -> Request | Skipped:
    label = intake.trigger_label.strip()
    action = _text(payload, "action") if label else ""
    assert action is not None
    if not label or action not in ("opened", "labeled"):
        skip = label_skip(action, label, "", ())
        assert skip is not None
        return skip
    number = _number(payload, "issue", "number")
    labels = _get(payload, "issue", "labels") or []
    if not isinstance(labels, list):
        raise Unreadable("issue.labels")
    names = [_text(each, "name") or "" for each in labels]
    added = _text(payload, "label", "name") if _get(payload, "label") is not None else ""
    sender = _user(payload, "sender")
    repository = _repository(payload)
    if skip := label_skip(action, label, added or "", names):
        return skip
    if skip := bot_skip(sender[0], sender[1], intake.allowed_bots):
        return skip
    request = issue_request(_text(payload, "issue", "title", optional=True) or "",
                            _text(payload, "issue", "body", optional=True))
    if not request:
        return Skipped("the issue has neither title nor body")
    association = _get(payload, "issue", "author_association") if action == "opened" else None
    return Request(fields=_task_fields(sender[0], repository, request, issue_number=number,
                                       context=_context(sender, association, label=label)))
