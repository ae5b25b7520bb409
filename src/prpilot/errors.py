"""The project's exceptions: one shallow tree, each carrying a message fit for a person.

Entry points catch :class:`PrpilotError` and print its message as one line (never a traceback);
anything else reaching the edge is a bug and is reported as such.
"""

from __future__ import annotations


class PrpilotError(Exception):
    """A failure with a message that can be shown to the user as it is."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(PrpilotError):
    """An action input or environment variable is missing or malformed."""


class UsageError(ConfigError):
    """A command-line argument is malformed or names something that cannot be used (exit code 2)."""

    exit_code = 2


class EventError(PrpilotError):
    """The event payload cannot be understood."""


class GitHubError(PrpilotError):
    """GitHub answered with an error, or could not be reached, after retries.

    ``status`` is GitHub's HTTP status, or None when no answer came (a timeout, a dropped
    connection): a write that got no answer may have been carried out.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def transient(self) -> bool:
        """Whether trying again may help: no answer, a 5xx, or 429."""
        return self.status is None or self.status >= 500 or self.status == 429


class PullRequestsNotAllowed(GitHubError):
    """The repository (or its organization) does not let GitHub Actions open pull requests."""


class DraftsNotSupported(GitHubError):
    """The repository has no draft pull requests (a private repository on GitHub Free)."""


class GitError(PrpilotError):
    """A git operation (branch, commit, push) failed."""


class PushRejected(GitError):
    """The remote refused a push (for example the branch moved under us)."""


class ModelError(PrpilotError):
    """The model endpoint failed after retries, or answered nonsense.

    ``unknown_calls`` counts requests that timed out after they were sent: the endpoint may have
    generated (and billed) a reply whose usage prpilot never saw.
    """

    unknown_calls = 0


class LedgerConflict(PrpilotError):
    """Another run updated the ledger between our read and our write (compare-and-swap lost)."""


class BillingError(PrpilotError):
    """The billing endpoint did not accept a bill."""


class IllegalTransition(PrpilotError):
    """A task status change that the lifecycle does not allow."""


class Cancelled(PrpilotError):
    """The job was cancelled (SIGTERM or SIGINT) while a task ran."""


class QueueError(PrpilotError):
    """The task queue (Redis) could not be reached or refused an operation."""


class SetupFailed(PrpilotError):
    """A ``setup`` command failed: the agent does not start."""
