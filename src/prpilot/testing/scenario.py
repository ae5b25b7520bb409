"""A ready test bed for whole-lifecycle runs: fake GitHub, scripted model, billing receiver, runner.

Used by the end-to-end tests and by ``prpilot demo``; library users can build on it to test their
own workflow inputs offline.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prpilot.testing.billing_server import BillingServer
from prpilot.testing.github import FakeGitHub
from prpilot.testing.openai_server import OpenAIServer
from prpilot.testing.runner.job import Runner, RunResult
from prpilot.testing.webhooks import load_webhook, retarget, review_event
from prpilot.thread.markdown import MARKER

REPO = "octo-org/hello-world"
WRITER = "alice"
READER = "rita"
API_KEY = "sk-test-canary-0123456789abcdef"
COPILOT_INTEGRATION_ID = "copilot-developer-cli"  # the copilot-integration-id input's default
BILLING_TOKEN = "billing-canary-0123456789"
README = "# Hello world\n\nThis projet says hello.\n"


@dataclass
class Bed:
    """Every server of one scenario, with the sample repository and people in place."""

    github: FakeGitHub
    model: OpenAIServer
    billing: BillingServer
    runner: Runner
    repo: str = REPO
    inputs: dict[str, str] = field(default_factory=dict)

    def issue_comment(self, body: str, *, user: str = WRITER, number: int | None = None) -> dict[str, Any]:
        """Post ``body`` on an issue (a new one unless ``number``) and return the real-shaped event."""
        if number is None:
            number = self.github.add_issue(self.repo, "Typo in the README", "The README says projet.", user=user)
        comment_id = self.github.add_comment(self.repo, number, body, user=user)
        payload = retarget(
            load_webhook("issue_comment__created"),
            repository=self.repo,
            user=user,
            body=body,
            number=number,
            default_branch="main",
            server_url=self.github.server_url,
            api_url=self.github.api_url,
        )
        payload["comment"]["id"] = comment_id
        payload["issue"]["title"] = self.github.issue(self.repo, number).title
        payload["issue"].pop("pull_request", None)
        return payload

    def pull_comment(self, body: str, pull: int, *, user: str = WRITER) -> dict[str, Any]:
        """Post ``body`` on pull request ``pull`` and return the issue_comment event GitHub sends."""
        payload = self.issue_comment(body, user=user, number=pull)
        payload["issue"]["pull_request"] = {
            "url": f"{self.github.api_url}/repos/{self.repo}/pulls/{pull}",
            "html_url": f"{self.github.server_url}/{self.repo}/pull/{pull}",
            "diff_url": f"{self.github.server_url}/{self.repo}/pull/{pull}.diff",
            "patch_url": f"{self.github.server_url}/{self.repo}/pull/{pull}.patch",
            "merged_at": None,
        }
        return payload

    def review_comment(
        self, body: str, pull: int, *, path: str, line: int, hunk: str, user: str = WRITER
    ) -> dict[str, Any]:
        """Leave a review comment on ``path``:``line`` of ``pull``; return the event GitHub sends."""
        comment_id = self.github.add_review_comment(self.repo, pull, body, user=user, path=path, line=line)
        payload = self._review_comment_event(pull, user, body)
        payload["comment"].update(id=comment_id, path=path, line=line, original_line=line, diff_hunk=hunk)
        return payload

    def _review_comment_event(self, pull: int, user: str, body: str | None) -> dict[str, Any]:
        """The real review-comment payload, aimed at ``pull`` of this bed as the fake holds it."""
        info = self.github.issue(self.repo, pull).pull
        assert info is not None
        payload = retarget(
            load_webhook("pull_request_review_comment__created"),
            repository=self.repo,
            user=user,
            body=body,
            number=pull,
            default_branch="main",
            server_url=self.github.server_url,
            api_url=self.github.api_url,
        )
        head = payload["pull_request"]["head"]
        head["ref"] = info.head_ref
        head["sha"] = info.head_sha
        head["repo"]["full_name"] = info.head_repo
        payload["pull_request"]["base"]["ref"] = info.base_ref
        return payload

    def status_comments(self, number: int) -> list[str]:
        """The bodies of prpilot's status comments on #``number`` (one per request, when all is well)."""
        return [c.body for c in self.github.comments(self.repo, number) if MARKER in (c.body or "")]

    def use_copilot(self, integration_id: str = COPILOT_INTEGRATION_ID) -> None:
        """Make the scripted model the Copilot API, the no-secret endpoint: no key, no base URL in the inputs.

        It then answers only the github-token as its bearer and ``integration_id`` as the
        Copilot-Integration-Id header; PRPILOT_COPILOT_API_URL points prpilot at it.
        """
        self.model.api_key = self.github.token
        self.model.integration_id = integration_id
        self.runner.env["PRPILOT_COPILOT_API_URL"] = self.model.base_url
        for name in ("openai-api-key", "openai-base-url"):
            self.inputs.pop(name, None)

    def run(
        self, event_name: str, payload: Mapping[str, Any], *, checkout_ref: str | None = None, **inputs: str
    ) -> RunResult:
        """Run the action for one event with the bed's inputs plus ``inputs`` (dashes as underscores)."""
        merged = {**self.inputs, **{name.replace("_", "-"): value for name, value in inputs.items()}}
        return self.runner.run(event_name, payload, merged, checkout_ref=checkout_ref)

    def pull_review(
        self, body: str | None, pull: int, *, state: str = "commented", user: str = WRITER
    ) -> dict[str, Any]:
        """Submit a review of ``pull`` whose summary is ``body``; return the pull_request_review event.

        The fake keeps no reviews (nothing prpilot calls reads one back), so only the event exists.
        """
        comment_event = self._review_comment_event(pull, user, None)
        return review_event(comment_event, body=body, state=state, review_id=self.github.state.next_id())


@contextmanager
def start_bed(root: Path, *, action_path: Path | None = None, python: str = sys.executable) -> Iterator[Bed]:
    """Start every server under ``root`` and yield the Bed; everything stops on exit."""
    with ExitStack() as stack:
        github = stack.enter_context(FakeGitHub(root / "github"))
        model = stack.enter_context(OpenAIServer(api_key=API_KEY))
        billing = stack.enter_context(BillingServer(token=BILLING_TOKEN))
        github.add_repo(REPO, files={"README.md": README, "src/hello.py": 'print("hello")\n'})
        for login, permission in ((WRITER, "write"), (READER, "read")):
            github.add_user(login)
            github.set_permission(REPO, login, permission)
        runner_kwargs: dict[str, Any] = {"env": {"PRPILOT_PYTHON": python}}
        if action_path is not None:
            runner_kwargs["action_path"] = action_path
        runner = Runner(root / "runner", **runner_kwargs).use(github)
        inputs = {
            "openai-api-key": API_KEY,
            "openai-base-url": model.base_url,
            "model": "gpt-4.1-mini",
            "billing-url": billing.url,
            "billing-token": BILLING_TOKEN,
        }
        yield Bed(github=github, model=model, billing=billing, runner=runner, inputs=inputs)
