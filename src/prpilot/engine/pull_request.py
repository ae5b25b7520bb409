"""The pull request the engine opens for a pushed branch: its body, draft state, labels and reviewer.

What the engine hands over is plain values (the answer, the cost line, the checks' section and
notice); what comes back is the text the answer on the thread must add. A repository that does not
let GitHub Actions open pull requests is no failure: the work is pushed, and the thread gets a
one-click link to open the pull request by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from prpilot.engine.verification import Verification
from prpilot.engine.working_branch import WorkingBranch
from prpilot.errors import PullRequestsNotAllowed
from prpilot.github.port import GitHubPort
from prpilot.task import Task
from prpilot.thread import markdown as report

log = logging.getLogger("prpilot.engine.task_engine")  # the engine's log, as before this module


@dataclass(frozen=True)
class PullRequestOpener:
    """Opens the pull request of one engine run."""

    github: GitHubPort
    repo_url: str  # GITHUB_SERVER_URL/owner/name, for the by-hand link
    draft: bool  # the draft input
    labels: tuple[str, ...]  # the pr-labels input
    redact: Callable[[str], str]
    warn: Callable[[str], None]  # a warning for the run's page (the log has it too)
    courtesy: Callable[..., None]  # (what, call, *args): a request whose failure fails nothing, only warns

    def open(self, task: Task, branch: WorkingBranch, title: str, *, answer: str, cost_line: str, cut: str,
             checks_section: str, failing: Verification | None, ci: str) -> str:
        """Open the pull request for ``branch``; return what the answer must add (checks, CI, a by-hand link).

        ``failing``: the project's checks when they failed, None when they pass.
        """
        notice = failing.failing_notice(draft=False, new_pull=False) if failing else ""
        warning = " ".join(part for part in (cut, notice) if part)
        body = report.pull_request_body(task, self.redact(answer), cost_line, cut_short=warning, checks=checks_section)
        base = branch.base or ""
        try:
            pull = self.github.create_pull(title=title, body=body, head=branch.name, base=base,
                                           draft=self.draft or bool(cut) or failing is not None)
        except PullRequestsNotAllowed:  # a repository setting, not a failure: the work is done and pushed
            by_hand_warning = self.redact(report.pull_request_by_hand_warning(branch.name, base, self.repo_url))
            log.warning("%s", by_hand_warning)
            self.warn(by_hand_warning)
            closes = f"Closes #{task.issue_number}" if task.issue_number is not None else ""
            by_hand = report.pull_request_by_hand(branch.name, base, self.repo_url, title=title, body=closes)
            return self.redact("\n\n".join(part for part in (notice, ci, by_hand) if part))
        task.pr_number, task.pr_url = pull.number, pull.html_url
        if self.labels:
            self.github.add_labels(pull.number, list(self.labels))
        if not task.context.get("requester_is_bot"):
            self.courtesy("ask the requester for a review", self.github.request_review, pull.number,
                          [task.github_user])
        checks = failing.failing_notice(draft=pull.draft, new_pull=True) if failing else ""
        return "\n\n".join(part for part in (checks, ci) if part)
