"""Real webhook payloads (octokit/webhooks fixtures), retargeted to a test repo while keeping their shape."""

from __future__ import annotations

import base64
import copy
import json
import os
import re
import zlib
from pathlib import Path
from typing import Any

__all__ = ["fixtures_dir", "load_webhook", "retarget", "review_event"]

JSON = dict[str, Any]


def fixtures_dir() -> Path:
    """``$PRPILOT_WEBHOOK_FIXTURES``, else the payloads shipped in ``prpilot/testing/fixtures`` (MIT, see LICENSE)."""
    configured = os.environ.get("PRPILOT_WEBHOOK_FIXTURES")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent / "fixtures" / "github-webhooks"


def load_webhook(name: str) -> JSON:
    """Load ``name`` (``issue_comment__created`` or a file name) from the fixtures directory."""
    folder = fixtures_dir()
    for candidate in (name, f"{name}.payload.json", f"{name}.json"):
        path = folder / candidate
        if path.is_file():
            loaded: JSON = json.loads(path.read_text())
            return loaded
    raise FileNotFoundError(f"no webhook fixture {name!r} in {folder}")


def retarget(
    payload: JSON,
    *,
    repository: str | None = None,
    user: str | None = None,
    user_id: int | None = None,
    body: str | None = None,
    number: int | None = None,
    default_branch: str | None = None,
    author_association: str | None = None,
    server_url: str | None = None,
    api_url: str | None = None,
) -> JSON:
    """Return a copy of ``payload`` about ``repository`` (owner/name), acted on by ``user``.

    The user's id is ``user_id``, else a stable number derived from the login. ``body`` is the
    comment's body (or the issue's / pull request's when there is no comment) and ``number`` the
    issue or pull request number; URLs inside the payload follow.
    """
    out = copy.deepcopy(payload)
    repo = out.get("repository", {})
    old_full = str(repo.get("full_name", ""))
    if repository and old_full:
        old_owner = old_full.split("/", 1)[0]
        owner, name = repository.split("/", 1)
        in_url = re.compile(rf"(?<=[/:]){re.escape(old_full)}(?=$|[/.#?{{])")
        out = _replace_strings(out, lambda s: in_url.sub(repository, s))
        repo = out["repository"]
        repo.update(name=name, full_name=repository)
        _rename_user(repo.get("owner"), old_owner, owner)
        _rename_user(out.get("organization"), old_owner, owner)
    if user:
        actors = [out.get("sender"), out.get("comment", {}).get("user")]
        if "comment" not in out:  # the one who opened the issue / PR is the actor
            actors += [out.get("issue", {}).get("user"), out.get("pull_request", {}).get("user")]
        for actor in actors:
            if isinstance(actor, dict):
                _rename_user(actor, str(actor.get("login", "")), user)
                actor["id"] = user_id if user_id is not None else zlib.crc32(user.encode()) % 10**8
    if body is not None:
        target = out.get("comment") or out.get("issue") or out.get("pull_request")
        if target is None:
            raise ValueError("this payload has no comment, issue or pull request to carry a body")
        target["body"] = body
    if number is not None:
        _renumber(out, number)
    if default_branch is not None:
        out["repository"]["default_branch"] = default_branch
    if author_association is not None:
        for key in ("comment", "issue", "pull_request"):
            if key in out and ("comment" not in out or key == "comment"):
                out[key]["author_association"] = author_association
    if server_url:
        out = _replace_strings(out, lambda s: s.replace("https://github.com", server_url.rstrip("/")))
    if api_url:
        out = _replace_strings(out, lambda s: s.replace("https://api.github.com", api_url.rstrip("/")))
    return out


def review_event(
    comment_event: JSON, *, body: str | None, state: str = "commented", action: str = "submitted",
    review_id: int | None = None,
) -> JSON:
    """Return the ``pull_request_review`` event of the review that ``comment_event``'s comment belongs to.

    The octokit payloads shipped here hold none of this event, so it is made from a real
    ``pull_request_review_comment`` one: the same pull request, repository and sender, its
    ``comment`` replaced by a ``review`` of the documented shape (https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request_review).
    """
    out = copy.deepcopy(comment_event)
    comment = out.pop("comment")
    number = review_id if review_id is not None else int(comment["pull_request_review_id"])
    html_url = f"{out['pull_request']['html_url']}#pullrequestreview-{number}"
    out["action"] = action
    out["review"] = {
        "id": number,
        # GitHub's legacy node id: base64 of "<length of the type>:<type><id>".
        "node_id": base64.b64encode(f"017:PullRequestReview{number}".encode()).decode(),
        "user": comment["user"],
        "body": body,
        "commit_id": comment["commit_id"],
        "submitted_at": comment["updated_at"],
        "state": state,
        "html_url": html_url,
        "pull_request_url": comment["pull_request_url"],
        "author_association": comment["author_association"],
        "_links": {"html": {"href": html_url}, "pull_request": {"href": comment["pull_request_url"]}},
    }
    return out


def _replace_strings(value: Any, change: Any) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {k: _replace_strings(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_strings(v, change) for v in value]
    return value


def _rename_user(user: Any, old: str, new: str) -> None:
    if not isinstance(user, dict) or not old:
        return
    user["login"] = new
    for key, value in list(user.items()):
        if isinstance(value, str) and key.endswith("url"):
            user[key] = re.sub(rf"/{re.escape(old)}(?=$|[/{{?#])", f"/{new}", value)


def _renumber(payload: JSON, number: int) -> None:
    issue = payload.get("issue") or payload.get("pull_request")
    if issue is None:
        raise ValueError("this payload has no issue or pull request to renumber")
    old = issue["number"]
    pattern = re.compile(rf"/(issues|pull|pulls)/{old}(?=$|[/#?])")

    def change(s: str) -> str:
        return pattern.sub(lambda m: f"/{m.group(1)}/{number}", s)

    for key in ("issue", "pull_request", "comment"):
        if key in payload:
            payload[key] = _replace_strings(payload[key], change)
    issue = payload.get("issue") or payload["pull_request"]
    issue["number"] = number
    if "number" in payload:
        payload["number"] = number
