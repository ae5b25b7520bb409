"""The GitHub port over PyGithub, pointed at ``GITHUB_API_URL`` (GitHub.com, GHES or the test bed).

Requests go through PyGithub's requester so each port method is exactly one REST call (plus
pages): the acknowledgement budget is three requests. The client, its retries and the words for
its failures come from :mod:`prpilot.github.connection`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from github import Github, GithubException
from prpilot.errors import DraftsNotSupported, GitHubError
from prpilot.github.connection import call_github, connect
from prpilot.github.port import PullInfo
from prpilot.github.ref_store import GitRefStore
from prpilot.intake.thread_context import ChangedFile, ReviewThreadComment, ThreadComment, ThreadContext

T = TypeVar("T")
log = logging.getLogger(__name__)

# Authors who may have write access. GitHub marks a triage or read collaborator "COLLABORATOR" and any
# organization member "MEMBER" too, so for them the permission API decides (once per author).
MAYBE_WRITERS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
_WRITE_ROLES = frozenset({"admin", "maintain", "write"})  # role names, as permission() answers them
_MAX_DIFF_FILES = 100
_MAX_REVIEW_COMMENTS = 300  # the prompt shows the newest MAX_COMMENTS of them


def open_repository(
    token: str, api_url: str, full_name: str, *, retries: int = 4, timeout: float | None = None
) -> GitHubRepository:
    """The one place a run opens GitHub: the repository adapter, from which its ledger comes too."""
    return GitHubRepository(connect(token, api_url, retries=retries, timeout=timeout), full_name)


def _pull_info(data: dict[str, Any]) -> PullInfo:
    head_repo = data["head"].get("repo") or None
    return PullInfo(
        number=data["number"],
        html_url=data["html_url"],
        state=data.get("state", "open"),
        head_ref=data["head"]["ref"],
        head_repo=head_repo["full_name"] if head_repo else None,
        base_ref=data["base"]["ref"],
        head_sha=data["head"].get("sha", ""),
        draft=bool(data.get("draft")),
    )


def same_account(user: dict[str, Any], login: str) -> bool:
    """Whether the REST ``user`` of a comment is the account ``login`` (as GraphQL's viewer names it).

    REST names an app's account ``slug[bot]``; GraphQL may name the same bot without the suffix, so
    that form counts too, but only for an account GitHub marks as a Bot (a person cannot pose as it).
    """
    author = user.get("login")
    if not isinstance(author, str) or not login:
        return False
    if author.casefold() == login.casefold():
        return True
    return user.get("type") == "Bot" and author.casefold() == f"{login}[bot]".casefold()


class GitHubRepository:
    """One repository on GitHub, through PyGithub."""

    def __init__(self, client: Github, full_name: str) -> None:
        self.client = client
        self.full_name = full_name
        self._requester = client.requester
        self._path = f"/repos/{full_name}"
        self._identity: str | None = None

    def _json(self, what: str, verb: str, path: str, **kwargs: Any) -> Any:
        return call_github(what, lambda: self._requester.requestJsonAndCheck(verb, self._path + path, **kwargs)[1])

    def _pages(self, what: str, path: str, *, limit: int = 1000) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = 1
        while len(items) < limit:
            batch = self._json(what, "GET", path, parameters={"per_page": 100, "page": page})
            items.extend(batch)
            if len(batch) < 100:
                break
            page += 1
        return items[:limit]

    def readable(self) -> bool:
        """Whether the token can see the repository: False on 404, which GitHub also answers for a hidden one."""
        try:
            self._json(f"read {self.full_name}", "GET", "")
        except GitHubError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def ledger_store(self) -> GitRefStore:
        """The ref holding the repository's own ledger (``refs/prpilot/ledger``), through the same client."""
        return GitRefStore(self.client.get_repo(self.full_name))  # lazy: no request

    def permission(self, login: str) -> str | None:
        def fetch() -> dict[str, Any] | None:
            try:
                path = f"{self._path}/collaborators/{login}/permission"
                data: dict[str, Any] = self._requester.requestJsonAndCheck("GET", path)[1]
                return data
            except GithubException as exc:
                if exc.status == 404:  # GitHub knows no such user ("... is not a user")
                    return None
                raise

        data = call_github(f"read the permission of {login}", fetch)
        # role_name tells maintain and triage apart; permission folds them into write and read.
        return None if data is None else str(data.get("role_name") or data.get("permission") or "none")

    def identity(self) -> str | None:
        """The login prpilot comments as (the token's user or app bot); None when GitHub does not say.

        GraphQL's ``viewer`` answers for an app installation token too, which may not read ``GET /user``.
        """
        if self._identity is None:
            try:
                data = call_github("learn who the token belongs to",
                             lambda: self._requester.graphql_query("query { viewer { login } }", {})[1])
                login = ((data.get("data") or {}).get("viewer") or {}).get("login")
            except GitHubError as exc:  # GraphQL unreachable (a proxy, an old GHES): a user's token can still say
                log.warning("%s", exc.message)
                try:
                    login = call_github("learn who the token belongs to",
                                  lambda: self._requester.requestJsonAndCheck("GET", "/user")[1]).get("login")
                except GitHubError:
                    return None
            self._identity = str(login) if login else None
        return self._identity

    def _ours(self, item: dict[str, Any]) -> bool:
        """Whether prpilot itself wrote this comment: only then may its hidden task state be read."""
        me = self.identity()
        return me is not None and same_account(item.get("user") or {}, me)

    def _can_write(self, login: str, association: str | None, known: dict[str, bool]) -> bool:
        """Whether ``login`` has write access, asked once per author (``known``) and only when it may."""
        if association == "OWNER":  # the repository's owner: admin, no need to ask
            return True
        if association not in MAYBE_WRITERS:
            return False
        if login not in known:
            try:
                role = self.permission(login)
            except GitHubError as exc:  # unknown is untrusted: the comment is shown as such, or left out
                log.warning("%s", exc.message)
                role = None
            known[login] = role in _WRITE_ROLES
        return known[login]

    def react(self, comment_id: int, comment_kind: str, content: str) -> None:
        path = f"/pulls/comments/{comment_id}/reactions" if comment_kind == "review" else (
            f"/issues/comments/{comment_id}/reactions"
        )
        self._json("add a reaction", "POST", path, input={"content": content})

    def create_comment(self, number: int, body: str) -> int:
        data = self._json("comment on the thread", "POST", f"/issues/{number}/comments", input={"body": body})
        return int(data["id"])

    def update_comment(self, comment_id: int, body: str) -> None:
        self._json("update the status comment", "PATCH", f"/issues/comments/{comment_id}", input={"body": body})

    def delete_comment(self, comment_id: int) -> None:
        def delete() -> None:
            try:
                self._requester.requestJsonAndCheck("DELETE", f"{self._path}/issues/comments/{comment_id}")
            except GithubException as exc:
                if exc.status != 404:  # gone already: what was asked for
                    raise

        call_github("delete a status comment", delete)

    def comment_body(self, comment_id: int) -> str:
        item = self._json("read a comment", "GET", f"/issues/comments/{comment_id}")
        return str(item.get("body") or "") if self._ours(item) else ""

    def get_pull(self, number: int) -> PullInfo:
        return _pull_info(self._json(f"read pull request #{number}", "GET", f"/pulls/{number}"))

    def create_pull(self, *, title: str, body: str, head: str, base: str, draft: bool) -> PullInfo:
        payload = {"title": title, "body": body, "head": head, "base": base, "draft": draft}
        try:
            return self._open_pull(payload)
        except DraftsNotSupported:
            # A private repository on GitHub Free has no drafts: a ready pull request still delivers the work.
            if not draft:
                raise
        log.warning("this repository has no draft pull requests; opening a ready one instead")
        payload["draft"] = False
        return self._open_pull(payload)

    def _open_pull(self, payload: dict[str, Any]) -> PullInfo:
        try:
            return _pull_info(self._json("open the pull request", "POST", "/pulls", input=payload))
        except GitHubError as exc:
            # No answer (GitHub may have opened it), or a 422 ("already exists" after a retry of one that was):
            # the pull request of this head is ours; look before failing. Our branch is new, so no
            # one else's pull request can have it as its head.
            lost = exc.status is None or (exc.status == 422 and "already exists" in exc.message)
            if type(exc) is not GitHubError or not lost:
                raise
            owner = self.full_name.split("/", 1)[0]
            query = {"head": f"{owner}:{payload['head']}", "base": payload["base"], "state": "open"}
            found = self._json("look for the pull request", "GET", "/pulls", parameters=query)
            if found:
                log.warning("%s; the pull request was opened all the same", exc.message)
                return _pull_info(found[0])
            if exc.status is not None:
                raise
            # The answer was lost and GitHub has no such pull request: it did not open it. Ask once more.
            log.warning("%s; it was not opened, so prpilot asks again", exc.message)
            return _pull_info(self._json("open the pull request", "POST", "/pulls", input=payload))

    def add_labels(self, number: int, labels: list[str]) -> None:
        if labels:
            self._json("label the pull request", "POST", f"/issues/{number}/labels", input={"labels": labels})

    def request_review(self, number: int, reviewers: list[str]) -> None:
        self._json(
            "ask for a review", "POST", f"/pulls/{number}/requested_reviewers", input={"reviewers": reviewers}
        )

    def reply_to_review_comment(self, pr_number: int, comment_id: int, body: str) -> None:
        path = f"/pulls/{pr_number}/comments/{comment_id}/replies"
        self._json("reply in the review thread", "POST", path, input={"body": body})

    def default_branch(self) -> str:
        return str(self._json("read the repository", "GET", "")["default_branch"])

    def comments_with(self, number: int, marker: str) -> list[tuple[int, str]]:
        items = self._pages(f"read the comments of #{number}", f"/issues/{number}/comments")
        found = [item for item in items if marker in (item.get("body") or "")]
        return [(int(item["id"]), item.get("body") or "") for item in found if self._ours(item)]

    def thread(
        self, number: int, *, is_pull: bool, marker: str, own_comment: int | None = None,
        known_writers: Collection[str] = (),
    ) -> ThreadContext:
        issue = self._json(f"read #{number}", "GET", f"/issues/{number}")
        writers: dict[str, bool] = dict.fromkeys(known_writers, True)
        missing: list[str] = []

        def optional(what: str, read: Callable[[], list[T]]) -> list[T]:
            # Context the agent can do without: a failed read is a warning, never the task's end.
            try:
                return read()
            except GitHubError as exc:
                log.warning("going on without %s: %s", what, exc.message)
                missing.append(what)
                return []

        def seen(item: dict[str, Any]) -> dict[str, Any]:
            """What a thread comment and a review comment share: who wrote it, whether they may write, if it is ours."""
            login = (item.get("user") or {}).get("login", "ghost")
            body = item.get("body") or ""
            return {"author": login, "body": body, "is_ours": marker in body,
                    "author_can_write": self._can_write(login, item.get("author_association"), writers)}

        items = optional("the thread's comments", lambda: self._pages("read the thread", f"/issues/{number}/comments"))
        if own_comment is not None and self._identity is None:
            # The comment prpilot posted for this task names prpilot's account: no request needed to learn it.
            self._identity = next((str((i.get("user") or {}).get("login") or "") or None
                                   for i in items if i.get("id") == own_comment), None)
        diff: list[ChangedFile] = []
        review_comments: list[ReviewThreadComment] = []
        if is_pull:
            diff = optional("the pull request's files", lambda: [
                ChangedFile(filename=f["filename"], status=f.get("status", "modified"), patch=f.get("patch") or "")
                for f in self._pages("read the pull request's files", f"/pulls/{number}/files", limit=_MAX_DIFF_FILES)
            ])
            # "Address the review comments" is the commonest request on a pull request: the agent must see them.
            review_comments = optional("the pull request's review comments", lambda: [
                ReviewThreadComment(
                    **seen(item),
                    path=item.get("path") or "",
                    line=item.get("line"),  # null once a later push outdated the line
                    in_reply=item.get("in_reply_to_id") is not None,
                )
                for item in self._pages(
                    "read the pull request's review comments", f"/pulls/{number}/comments", limit=_MAX_REVIEW_COMMENTS
                )
            ])
        return ThreadContext(
            kind="pull" if is_pull else "issue",
            number=number,
            title=issue.get("title") or "",
            body=issue.get("body") or "",
            author=(issue.get("user") or {}).get("login", "ghost"),
            comments=[ThreadComment(**seen(item)) for item in items],
            review_comments=review_comments,
            diff=diff,
            missing=missing,
            # The same read serves what came before: prpilot's own comments only, never a copy a user posted.
            own_status=[item.get("body") or "" for item in items if marker in (item.get("body") or "")
                        and self._ours(item)],
        )

    def dispatch_workflow(self, workflow: str, ref: str, inputs: dict[str, str]) -> None:
        self._json(
            f"start the workflow {workflow}",
            "POST",
            f"/actions/workflows/{workflow}/dispatches",
            input={"ref": ref, "inputs": inputs},
        )


    def cancel_run(self, run_id: int) -> bool:
        def cancel() -> bool:
            try:
                self._requester.requestJsonAndCheck("POST", f"{self._path}/actions/runs/{run_id}/cancel")
            except GithubException as exc:
                if exc.status == 409:  # "Cannot cancel a workflow run that is completed."
                    return False
                raise
            return True

        return call_github(f"cancel the workflow run {run_id} (the job needs `permissions: actions: write`)", cancel)

    def run_workflow(self, workflow: str, ref: str) -> str:
        what, path = f"start the workflow {workflow}", f"/actions/workflows/{workflow}/dispatches"
        try:
            # return_run_details: GitHub answers the run it started (200) instead of nothing (204).
            answer = self._json(what, "POST", path, input={"ref": ref, "return_run_details": True})
        except GitHubError as exc:
            if "return_run_details" not in exc.message:
                raise
            self._json(what, "POST", path, input={"ref": ref})  # a server that predates it (older GHES)
            return ""
        return str(answer.get("html_url") or "") if isinstance(answer, dict) else ""

