"""What prpilot hides in its own comments: the task a status comment carries, and who stopped what.

The task is hidden JSON (base64, so no ``-->`` in the data can end the HTML comment), written
through :mod:`prpilot.task_record`.
"""

from __future__ import annotations

import base64
import binascii
import re

from pydantic import BaseModel, ValidationError

from prpilot.task import Task
from prpilot.task_record import clipped, dumps
from prpilot.thread.acknowledgement import MARKER, hidden_task, hidden_task_data

STOP_MARK = "<!-- prpilot:stop "
_STOP_RE = re.compile(r"<!-- prpilot:stop ([A-Za-z0-9+/=]+) -->")


def embed_task(task: Task) -> str:
    """The task as hidden JSON, long texts clipped so the comment stays within GitHub's limit."""
    return hidden_task(dumps(clipped(task.model_dump(mode="json"))))


def extract_task(body: str) -> Task | None:
    """Read back the task a status comment carries; None when there is none or it is damaged.

    The task is the comment's last line: a marker earlier in it (inside a quoted request) is text,
    not state.
    """
    data = hidden_task_data(body)
    if data is None:
        return None
    try:
        return Task.model_validate_json(data)
    except (ValueError, ValidationError):
        return None


class StopRecord(BaseModel):
    """Who asked, with ``/pilot stop``, to stop which tasks: hidden in prpilot's own reply to the stop."""

    by: str
    task_ids: list[str]


def stop_reply(line: str, record: StopRecord | None) -> str:
    """prpilot's one-line answer to ``/pilot stop``, carrying the stop record the stopped engine reads."""
    hidden = ""
    if record is not None:
        hidden = f"\n\n{STOP_MARK}{base64.b64encode(record.model_dump_json().encode()).decode()} -->"
    return f"{MARKER}\n{line}{hidden}"


def stopped_by(bodies: list[str], task_id: str) -> str | None:
    """The login that stopped ``task_id``, from the bodies of prpilot's own replies to ``/pilot stop``."""
    for body in bodies:
        # The record is the reply's last line, as stop_reply writes it: one earlier is quoted text (a request).
        match = _STOP_RE.fullmatch(body.rstrip().rpartition("\n")[2])
        if match is None:
            continue
        try:
            record = StopRecord.model_validate_json(base64.b64decode(match.group(1)))
        except (binascii.Error, ValueError, ValidationError):
            continue
        if task_id in record.task_ids:
            return record.by
    return None
