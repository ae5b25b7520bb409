"""The status comment's first words, and posting it exactly once: the standard library only.

The action's first step posts the acknowledgement on the runner's own python3, before anything is
installed, so the parts of the status comment it needs live here; :mod:`prpilot.thread.markdown`
and :mod:`prpilot.thread.status_comment` build on them, so each is written once.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Protocol

from prpilot.billing.money import format_usd
from prpilot.errors import GitHubError, PrpilotError

MARKER = "<!-- prpilot:status -->"
TASK_RE = re.compile(r"<!-- prpilot:task ([A-Za-z0-9+/=]+) -->")
MAX_ANSWER = 6000


def quote_request(request: str) -> str:
    """The request's first line, bounded, as the status comment shows it."""
    first = request.strip().splitlines()[0] if request.strip() else ""
    first = first if len(first) <= 120 else first[:117] + "…"
    return first.replace("<!--", "&lt;!--")  # a request must not hide, or forge, what follows it


def shorten(text: str) -> str:
    """An answer bounded for the comment; it must not hide the rest of the comment either."""
    text = text.replace("<!--", "&lt;!--")
    if len(text) <= MAX_ANSWER:
        return text
    return text[:MAX_ANSWER] + "\n\n… (cut; the full answer is in the job summary)"


def run_link(run_url: str, attempt: int) -> str:
    return f"[follow the run]({run_url})" + (f" (attempt {attempt})" if attempt > 1 else "")


def queued_line(request: str, run_url: str, attempt: int = 1) -> str:
    """The acknowledgement: the request heard, and where to follow it."""
    return f"👀 On it: **{quote_request(request)}** — queued, {run_link(run_url, attempt)}."


def rejected_line(request: str) -> str:
    return f"🚫 Not started: **{quote_request(request)}**"


def cap_part(cap: Decimal) -> str:
    return f"may spend up to {format_usd(cap)}"


def spending_sentence(parts: Sequence[str]) -> str:
    """The spending line from its parts (cap, budgets left), or "" without any."""
    if not parts:
        return ""
    text = " · ".join(parts)
    return f"💵 {text[0].upper()}{text[1:]}."


def hidden_task(task_json: str) -> str:
    """The task as hidden JSON (base64, so no ``-->`` in the data can end the HTML comment)."""
    return f"<!-- prpilot:task {base64.b64encode(task_json.encode()).decode()} -->"


def hidden_task_data(body: str) -> bytes | None:
    """The hidden task's JSON, from the comment's last line (a marker earlier in it is quoted text)."""
    match = TASK_RE.fullmatch(body.rstrip().rpartition("\n")[2])
    if not match:
        return None
    try:
        return base64.b64decode(match.group(1))
    except (binascii.Error, ValueError):
        return None


def hidden_task_id(body: str) -> str | None:
    """The id of the task a status comment carries, or None."""
    data = hidden_task_data(body)
    try:
        task = json.loads(data) if data is not None else None
    except ValueError:
        return None
    return task.get("id") if isinstance(task, dict) and isinstance(task.get("id"), str) else None


def _warn(message: str) -> None:
    import logging  # only when something went wrong: the first step's start-up stays lean

    logging.getLogger(__name__).warning("%s", message)


class Poster(Protocol):
    """What posting once needs of GitHub (the REST adapter, or the first step's own client)."""

    def create_comment(self, number: int, body: str) -> int: ...

    def comments_with(self, number: int, marker: str) -> list[tuple[int, str]]: ...


def post_once(
    github: Poster, number: int, body: str, task_id: str, *, attempts: int = 3,
    wait: Callable[[int], None] = lambda attempt: None, settle: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Post ``body`` (a status comment of task ``task_id``) on #``number`` exactly once; return its id.

    A POST that got no answer (a timeout, a dropped connection, a 5xx) may have been carried out:
    before posting again, look for the comment by the task it carries, so a retry never leaves a
    second comment that nobody will ever edit. A POST that got no answer at all may also be slow,
    not lost: GitHub may create the comment after the client gave up, so the lookup waits ``settle``
    seconds first (the caller's bound: one more client timeout, see ``prpilot.thread.late_writes``).
    """
    for attempt in range(1, attempts + 1):
        try:
            return github.create_comment(number, body)
        except GitHubError as exc:
            if not exc.transient:
                raise
            if exc.status is None:
                sleep(settle)
            found = find_posted(github, number, task_id)
            if found is not None:
                return found
            if attempt >= attempts:
                raise
            _warn(f"{exc.message}; trying again")
            wait(attempt)
    raise AssertionError("unreachable")


def find_posted(github: Poster, number: int, task_id: str) -> int | None:
    """The first status comment on #``number`` that carries task ``task_id``, if any (None also when unreadable).

    The task id is fresh and secret until prpilot's own comment shows it, so any other comment that
    carries it (a copy by another account, which the first step's client does not tell apart) came after.
    """
    try:
        ours = github.comments_with(number, MARKER)
    except PrpilotError as exc:
        _warn(f"could not look for the status comment: {exc.message}")
        return None
    for comment_id, body in sorted(ours):
        if hidden_task_id(body) == task_id:
            return comment_id
    return None
