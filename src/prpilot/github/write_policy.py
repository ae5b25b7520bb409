"""The one policy for GitHub requests both clients keep: what may be repeated, and failures in words.

Standard library only: the first step's urllib client (:mod:`prpilot.github.plain`) uses it
before anything is installed, and the PyGithub client (:mod:`prpilot.github.connection`) after.
"""

from __future__ import annotations

from prpilot.errors import DraftsNotSupported, GitHubError, PullRequestsNotAllowed

# Methods whose repetition changes nothing: the only ones retried after a lost answer. A POST or
# PATCH whose answer was lost may have been carried out; its caller looks before asking again.
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})

# GitHub's 403 when the repository setting "Allow GitHub Actions to create and approve pull requests"
# is off (the default), whatever the job's permissions say; GitHub's own documentation_url for it is
# https://docs.github.com/rest/pulls/pulls#create-a-pull-request
_PULLS_NOT_PERMITTED = "not permitted to create or approve pull requests"
_NO_DRAFTS = "draft pull requests are not supported"


def may_repeat_after_lost_answer(method: str | None) -> bool:
    """Whether a request whose answer was lost (timeout, dropped connection) may be sent again."""
    return (method or "").upper() in IDEMPOTENT


def gave_up(what: str) -> GitHubError:
    """The error after every retry of a transient failure (5xx, 429) failed too."""
    return GitHubError(f"GitHub kept failing while trying to {what} (gave up after retries)", status=500)


def refused(what: str, status: int, message: str | None, said: str = "") -> GitHubError:
    """GitHub's refusal (``status``, its ``message`` and the errors it ``said``) in words."""
    if status == 403 and message == "Resource not accessible by integration":
        return GitHubError(
            f"the workflow's token may not {what}. Give the job `permissions: contents: write, "
            "issues: write, pull-requests: write` (a pull request from a fork only ever gets a "
            "read-only token)", status=403,
        )
    if status == 403 and _PULLS_NOT_PERMITTED in (message or "").lower():
        return PullRequestsNotAllowed(
            f"GitHub Actions may not {what} in this repository (Settings → Actions → General → Workflow "
            "permissions: \"Allow GitHub Actions to create and approve pull requests\")", status=403,
        )
    if status == 422 and _NO_DRAFTS in (message or "").lower():
        return DraftsNotSupported(f"GitHub refused to {what}: this repository has no draft pull requests", status=422)
    return GitHubError(
        f"GitHub refused to {what}: {status} {message or 'error'}" + (f" ({said})" if said else ""), status=status,
    )
