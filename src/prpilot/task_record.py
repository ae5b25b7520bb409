"""The Task's serialised form, in the standard library alone (the first step runs before any install).

:func:`new_task_record` is a fresh task exactly as :class:`prpilot.task.Task` dumps it, so the first
step can embed one without pydantic; :func:`clipped` is the one clipping of long texts that every
embedded task gets (``tests/actions/test_acknowledge.py`` validates a record against the model).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# GitHub refuses comment bodies over 65,536 characters; the status comment's text needs the rest.
MAX_EMBEDDED_FIELD = 2000


def clip(value: object) -> object:
    """``value`` cut to :data:`MAX_EMBEDDED_FIELD` characters (with an ellipsis) when it is a longer text."""
    if isinstance(value, str) and len(value) > MAX_EMBEDDED_FIELD:
        return value[:MAX_EMBEDDED_FIELD] + "…"
    return value


def clipped(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record with its long texts (result, request, context values) clipped for embedding."""
    return {
        **record,
        "result": clip(record.get("result")),
        "user_request": clip(record.get("user_request")),
        "context": {key: clip(value) for key, value in (record.get("context") or {}).items()},
    }


def new_task_record(fields: Mapping[str, Any], *, task_id: str, kind: str, stamp: str, model: str, run_id: str,
                    event_name: str, max_cost: str | None, status: str | None, result: str) -> dict[str, Any]:
    """A fresh task's record, field for field as ``Task.model_dump(mode="json")`` writes it."""
    return clipped({
        "id": task_id, "status": status, "result": result, "github_user": fields["github_user"],
        "github_project": fields["github_project"], "user_request": fields["user_request"], "kind": kind,
        "gpt_model": model, "installation_id": run_id, "pr_number": fields.get("pr_number"),
        "issue_number": fields.get("issue_number"), "head": fields.get("head"), "head_repo": fields.get("head_repo"),
        "base": fields.get("base"), "branch": None, "context": dict(fields.get("context", {})),
        "event_name": event_name, "comment_id": fields.get("comment_id"), "comment_kind": fields.get("comment_kind"),
        "status_comment_id": None, "status_version": 0, "stale_comment_ids": [], "pr_url": None,
        "usage": {"prompt_tokens": 0, "cached_tokens": 0, "completion_tokens": 0, "calls": 0, "unknown_calls": 0},
        "cost_usd": "0", "model_usage": [], "max_cost_usd": max_cost,
        "hold_usd": None, "allowance": None, "changed_files": [], "created_at": stamp, "started_at": None,
        "finished_at": stamp if status is not None else None, "verify": "skipped",
        "review_id": None, "review_comments": 0, "structured_output": "",
    })


def dumps(record: Mapping[str, Any]) -> str:
    """The record as compact JSON, the way it is embedded."""
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)
