"""An in-memory GitHubPort: one repository's comments, pulls and permissions, every call recorded.

It ships beside the real adapter (``rest``) so unit tests and library users share one honest double
of the port instead of writing their own; ``fail`` makes any method raise, for the paths where
GitHub says no. End-to-end tests use the fake GitHub *server* of ``prpilot.testing`` instead.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from prpilot.errors import GitHubError
from prpilot.github.port import PullInfo
from prpilot.intake.thread_context import ThreadContext


@dataclass
class MemoryGitHub:
    """A GitHubPort over plain fields; ``calls`` lists every method called, in order."""

    full_name: str = "octo/repo"
    permissions: dict[str, str] = field(default_factory=dict)  # login -> role; missing: GitHub knows no such user
    pull_head_repo: str = "octo/repo"  # the head repository get_pull reports (another one: a fork)
    comments: dict[int, str] = field(default_factory=dict)  # comment id -> body
    pulls: list[PullInfo] = field(default_factory=list)
    reactions: list[tuple[int, str]] = field(default_factory=list)
    dispatches: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    runs: dict[int, str] = field(default_factory=dict)  # run id -> "in_progress" | "completed"; cancel_run acts on it
    cancelled: list[int] = field(default_factory=list)
    fail: dict[str, GitHubError] = field(default_factory=dict)  # method name -> the error it raises
    calls: list[str] = field(default_factory=list)

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if name in self.fail:
            raise self.fail[name]

    def permission(self, login: str) -> str | None:
        self._call("permission")
        return self.permissions.get(login)

    def react(self, comment_id: int, comment_kind: str, content: str) -> None:
        self._call(f"react:{content}")
        self.reactions.append((comment_id, content))

    def create_comment(self, number: int, body: str) -> int:
        self._call("create_comment")
        comment_id = 100 + len(self.comments)
        self.comments[comment_id] = body
        return comment_id

    def update_comment(self, comment_id: int, body: str) -> None:
        self._call("update_comment")
        if comment_id not in self.comments:
            raise GitHubError(f"GitHub refused to edit a comment: 404 Not Found (comment {comment_id})")
        self.comments[comment_id] = body

    def delete_comment(self, comment_id: int) -> None:
        self._call("delete_comment")
        self.comments.pop(comment_id, None)

    def comment_body(self, comment_id: int) -> str:
        self._call("comment_body")
        return self.comments[comment_id]

    def get_pull(self, number: int) -> PullInfo:
        self._call("get_pull")
        return PullInfo(number=number, html_url=f"https://github.test/{self.full_name}/pull/{number}",
                        head_ref="feature", head_repo=self.pull_head_repo, base_ref="main")

    def create_pull(self, *, title: str, body: str, head: str, base: str, draft: bool) -> PullInfo:
        self._call("create_pull")
        number = 200 + len(self.pulls)
        pull = PullInfo(number=number, html_url=f"https://github.test/{self.full_name}/pull/{number}",
                        head_ref=head, head_repo=self.full_name, base_ref=base, draft=draft)
        self.pulls.append(pull)
        return pull

    def add_labels(self, number: int, labels: list[str]) -> None:
        self._call("add_labels")

    def request_review(self, number: int, reviewers: list[str]) -> None:
        self._call("request_review")

    def reply_to_review_comment(self, pr_number: int, comment_id: int, body: str) -> None:
        self._call("reply_to_review_comment")

    def default_branch(self) -> str:
        return "main"

    def comments_with(self, number: int, marker: str) -> list[tuple[int, str]]:
        self._call("comments_with")
        return [(cid, body) for cid, body in self.comments.items() if marker in body]

    def thread(
        self, number: int, *, is_pull: bool, marker: str, own_comment: int | None = None,
        known_writers: Collection[str] = (),
    ) -> ThreadContext:
        self._call("thread")
        return ThreadContext(own_status=[body for body in self.comments.values() if marker in body])

    def dispatch_workflow(self, workflow: str, ref: str, inputs: dict[str, str]) -> None:
        self._call("dispatch")
        self.dispatches.append((workflow, ref, inputs))

    def cancel_run(self, run_id: int) -> bool:
        self._call("cancel_run")
        if run_id not in self.runs:
            raise GitHubError(f"GitHub refused to cancel the workflow run {run_id}: 404 Not Found")
        if self.runs[run_id] == "completed":
            return False
        self.runs[run_id] = "completed"
        self.cancelled.append(run_id)
        return True

    def run_workflow(self, workflow: str, ref: str) -> str:
        self._call(f"run_workflow:{workflow}")
        self.dispatches.append((workflow, ref, {}))
        return ""
