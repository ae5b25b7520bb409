"""What came before a follow-up request, read from prpilot's own status comments. Pure.

Only what prpilot itself wrote counts (the caller passes the bodies ``comments_with`` returns, which
keeps prpilot's own comments): a user cannot make the agent believe it did something it did not.
The pull request body's ``Closes #N`` is only a hint where to look: the issue counts as the pull
request's origin only when prpilot's own status comment there says that task opened this pull request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from prpilot.intake.thread_context import EarlierTask
from prpilot.task import Task, TaskStatus
from prpilot.thread.records import extract_task

MAX_EARLIER = 5  # the newest tasks shown; each request and answer is already clipped in the comment
_WORKED = (TaskStatus.COMPLETED, TaskStatus.FAILED)
_CLOSES = re.compile(r"^Closes #(\d{1,9})\s*$", re.MULTILINE)


def earlier_tasks(bodies: Iterable[str], *, opened_pull: int | None = None) -> list[Task]:
    """The tasks that ran to an end in these status comments (those that opened ``opened_pull``, when given)."""
    found: dict[str, Task] = {}
    for body in bodies:
        task = extract_task(body)
        if task is None or task.status not in _WORKED:
            continue
        if opened_pull is not None and not (task.pr_number == opened_pull and task.pr_url):
            continue
        found.setdefault(task.id, task)
    return sorted(found.values(), key=lambda t: t.created_at)


def as_earlier(tasks: Iterable[Task]) -> list[EarlierTask]:
    """The newest MAX_EARLIER tasks, as the prompt shows them."""
    return [
        EarlierTask(requester=t.github_user, request=t.user_request, answer=t.result,
                    status=t.status.value if t.status else "", changed_files=t.changed_files, pr_url=t.pr_url)
        for t in list(tasks)[-MAX_EARLIER:]
    ]


def closes_issue(pull_body: str) -> int | None:
    """The issue a pull request body says it closes (the ``Closes #N`` line prpilot writes), if any."""
    match = _CLOSES.search(pull_body or "")
    return int(match.group(1)) if match else None
