"""The few REST requests of the action's first step, over urllib: the standard library only.

The first step runs on the runner's own python3 before anything is installed, so it cannot use
the PyGithub adapter (:mod:`prpilot.github.rest`); it needs four requests, made here with the same
promises: ``GITHUB_API_URL`` (never github.com), bounded retries of a read, a POST retried only when
GitHub answered that it did not do it (5xx, 429), the same error words. A write whose answer was
lost is the caller's to look for (:func:`prpilot.thread.acknowledgement.post_once`).
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from prpilot.errors import ConfigError, GitHubError
from prpilot.github.write_policy import gave_up, may_repeat_after_lost_answer, refused


class PlainGitHub:
    """One repository's permission, reaction and comment requests."""

    def __init__(self, token: str, api_url: str, full_name: str, *, timeout: float = 20.0, backoff: float = 1.0,
                 retries: int = 4, sleep: Callable[[float], None] = time.sleep) -> None:
        if not api_url.startswith(("https://", "http://")):  # GITHUB_API_URL; http only on a test bed
            raise ConfigError(f"GITHUB_API_URL must be an http(s) URL, not {api_url!r}")
        self._token = token
        self._base = f"{api_url.rstrip('/')}/repos/{full_name}"
        self._timeout = timeout
        self._backoff = backoff
        self._retries = retries
        self._sleep = sleep
        self.requests = 0  # made, for the step's log line and the benchmarks

    def _request(self, what: str, method: str, path: str, body: dict[str, Any] | None = None,
                 *, missing_ok: bool = False) -> Any:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/vnd.github+json",
                   "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "prpilot"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(self._retries + 1):
            request = urllib.request.Request(  # noqa: S310 - an http(s) URL, checked above
                self._base + path, data=data, method=method, headers=headers)
            self.requests += 1
            try:
                with urllib.request.urlopen(request, timeout=self._timeout) as answer:  # noqa: S310 - checked above
                    text = answer.read()
                return json.loads(text) if text.strip() else None
            except urllib.error.HTTPError as exc:
                if exc.code == 404 and missing_ok:
                    return None
                error = _refused(what, exc)
            except (OSError, ValueError, http.client.HTTPException) as exc:  # no (whole) answer: timeout, dropped
                if not may_repeat_after_lost_answer(method):
                    raise GitHubError(f"could not reach GitHub to {what}: {type(exc).__name__}") from exc
                error = GitHubError(f"could not reach GitHub to {what}: {type(exc).__name__}")
            if not error.transient or attempt >= self._retries:
                if error.transient and error.status is not None:
                    raise gave_up(what)
                raise error
            self._sleep(self._backoff * 2**attempt)
        raise AssertionError("unreachable")

    def permission(self, login: str) -> str | None:
        """The requester's role (admin, maintain, write, triage, read, none); None when GitHub knows no such user."""
        data = self._request(f"read the permission of {login}", "GET",
                             f"/collaborators/{quote(login, safe='')}/permission", missing_ok=True)
        if not isinstance(data, dict):
            return None
        # role_name tells maintain and triage apart; permission folds them into write and read.
        return str(data.get("role_name") or data.get("permission") or "none")

    def react(self, comment_id: int, comment_kind: str, content: str) -> None:
        kind = "pulls" if comment_kind == "review" else "issues"
        self._request("add a reaction", "POST", f"/{kind}/comments/{comment_id}/reactions", {"content": content})

    def create_comment(self, number: int, body: str) -> int:
        data = self._request("comment on the thread", "POST", f"/issues/{number}/comments", {"body": body})
        return int(data["id"])

    def comments_with(self, number: int, marker: str) -> list[tuple[int, str]]:
        """Comments on #``number`` holding ``marker`` (posting once matches them by a fresh task id of its own)."""
        found: list[tuple[int, str]] = []
        for page in range(1, 11):
            batch = self._request(f"read the comments of #{number}", "GET",
                                  f"/issues/{number}/comments?per_page=100&page={page}")
            if not isinstance(batch, list):
                break
            found += [(int(item["id"]), item.get("body") or "") for item in batch
                      if isinstance(item, dict) and marker in (item.get("body") or "")]
            if len(batch) < 100:
                break
        return found


def _refused(what: str, exc: urllib.error.HTTPError) -> GitHubError:
    """GitHub's answer in words, through the policy :func:`prpilot.github.connection.github_error` uses too."""
    try:
        data = json.loads(exc.read() or b"{}")
    except (OSError, ValueError):
        data = {}
    message = data.get("message") if isinstance(data, dict) else None
    return refused(what, exc.code, message)
