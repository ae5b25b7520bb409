"""The one connection to GitHub's REST API: PyGithub with write-safe retries, and its failures in words.

Throttling is deliberate: PyGithub waits 1 s between writes by default; a task makes a handful of
writes, far below GitHub's secondary limits, so the waits are off, and GithubRetry still honours
Retry-After on a 403 secondary limit and retries 5xx with backoff. It never retries a PATCH, and
:class:`WriteSafeRetry` keeps it from repeating a POST whose answer was lost: those writes are
retried by their callers, who look first (the status comment, the ledger, the pull request).
Timeouts and backoff come from :mod:`prpilot.tuning`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlparse

import requests

from github import Auth, Github, GithubException, GithubRetry
from prpilot.errors import GitHubError
from prpilot.github.write_policy import gave_up, may_repeat_after_lost_answer, refused
from prpilot.tuning import current as current_tuning

T = TypeVar("T")

class WriteSafeRetry(GithubRetry):
    """GithubRetry that never repeats a POST or PATCH whose answer was lost (timeout, dropped connection).

    GitHub may have carried such a request out; the caller, who knows what it asked for, looks
    before asking again (the status comment is found by its marker, the ledger re-read). A 5xx
    answer still retries a POST, as GithubRetry does: GitHub said it did not do it.
    """

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Any:
        if error is not None and response is None and not may_repeat_after_lost_answer(method) \
                and self._is_read_error(error):
            raise error
        return super().increment(method, url, response, error, _pool, _stacktrace)


def connect(
    token: str, api_url: str, *, retries: int = 4, backoff: float | None = None, timeout: float | None = None
) -> Github:
    """Return a PyGithub client for ``api_url`` with bounded retries and no artificial waits.

    ``backoff`` and ``timeout`` default to the process's :mod:`~prpilot.tuning`.
    """
    tuning = current_tuning()
    backoff = tuning.backoff if backoff is None else backoff
    seconds = tuning.timeout if timeout is None else timeout
    retry = WriteSafeRetry(total=retries, backoff_factor=backoff, secondary_rate_wait=backoff * 10)
    client = Github(
        auth=Auth.Token(token),
        base_url=api_url.rstrip("/"),
        timeout=max(1, int(seconds)),
        retry=retry,
        seconds_between_requests=0,
        seconds_between_writes=0,
        per_page=100,
        lazy=True,  # objects are fetched only when read: get_repo() costs no request
    )
    if seconds != int(seconds):
        # PyGithub asserts a whole number of seconds, but hands the value to requests, which takes any;
        # tests time requests out in a fraction of a second.
        client.requester._Requester__timeout = seconds  # type: ignore[attr-defined]
    return client


def github_error(what: str, exc: GithubException | requests.exceptions.RequestException) -> GitHubError:
    """The one translation of a PyGithub or HTTP failure into our error, saying in words what failed."""
    if isinstance(exc, requests.exceptions.RetryError):
        return gave_up(what)
    if isinstance(exc, requests.exceptions.RequestException):
        reason = ("no answer in time" if isinstance(exc, requests.exceptions.Timeout)
                  else "connection failed" if isinstance(exc, requests.exceptions.ConnectionError)
                  else type(exc).__name__)
        host = urlparse(exc.request.url or "").netloc if exc.request is not None else ""
        return GitHubError(f"could not reach GitHub{f' at {host}' if host else ''} to {what} ({reason})")
    message = exc.data.get("message") if isinstance(exc.data, dict) else None
    errors = exc.data.get("errors") if isinstance(exc.data, dict) else None
    said = "; ".join(str(e["message"]) for e in errors or [] if isinstance(e, dict) and e.get("message"))
    return refused(what, exc.status, message, said)


def call_github(what: str, action: Callable[[], T]) -> T:
    """Run ``action``; turn every HTTP failure into a GitHubError that says what failed, in words."""
    try:
        return action()
    except (GithubException, requests.exceptions.RequestException) as exc:
        raise github_error(what, exc) from exc
