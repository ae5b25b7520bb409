"""FakeGitHub: a stateful GitHub (REST + git over HTTP) on 127.0.0.1 for offline tests."""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from prpilot.testing.github.git_backend import BareRepo, Signature
from prpilot.testing.github.recording import Fault, RecordedRequest, Recorder
from prpilot.testing.github.router import Api
from prpilot.testing.github.routes_actions import start_run
from prpilot.testing.github.server import API_PREFIX, App, FakeServer, Settings
from prpilot.testing.github.shapes import Urls
from prpilot.testing.github.state import (
    PERMISSIONS,
    Comment,
    Dispatch,
    Issue,
    Label,
    Pull,
    Reaction,
    Repo,
    ReviewComment,
    State,
    Token,
    User,
    Variable,
    WorkflowRun,
    now,
)
from prpilot.testing.github.view import View

WORKFLOW_BOT = "github-actions[bot]"
RATE_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID."
)


class FakeGitHub:
    """A GitHub Enterprise-shaped fake: ``server_url`` serves git, ``api_url`` serves REST."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.state = State()
        self.recorder = Recorder()
        self.settings = Settings()
        self._server: FakeServer | None = None
        self.api = Api(self.state, View(self.state, Urls("", "")), Urls("", ""))
        self._thread: threading.Thread | None = None
        self.server_url = ""
        self.api_url = ""
        self.token = ""
        self.read_token = ""

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        """Bind 127.0.0.1:0 and serve in a daemon thread; issue the default workflow tokens."""
        self._server = FakeServer()
        self.server_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.api_url = self.server_url + API_PREFIX
        urls = Urls(self.server_url, self.api_url)
        self.api = Api(self.state, View(self.state, urls), urls)
        self._server.app = App(self.api, self.root, self.recorder, self.settings)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-github", daemon=True)
        self._thread.start()
        self.token = self.issue_token(WORKFLOW_BOT, "write")
        self.read_token = self.issue_token(WORKFLOW_BOT, "read")
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # --- recorded requests and faults ------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Return every request answered so far (REST paths are relative to ``api_url``)."""
        return self.recorder.requests

    def rest(self) -> list[RecordedRequest]:
        """Return the REST requests."""
        return [r for r in self.requests if r.kind == "rest"]

    def writes(self) -> list[RecordedRequest]:
        """Return the non-GET REST requests."""
        return [r for r in self.rest() if r.method != "GET"]

    def mark(self) -> int:
        """Return a bookmark for ``since``."""
        return len(self.requests)

    def since(self, mark: int) -> list[RecordedRequest]:
        """Return the requests answered after ``mark``."""
        return self.requests[mark:]

    @property
    def latency(self) -> float:
        """Seconds added to every REST request."""
        return self.settings.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.settings.latency = seconds

    def fail(self, method: str, path_regex: str, status: int, times: int = 1,
             headers: Mapping[str, str] | None = None, body: Any = None) -> None:
        """Answer the next ``times`` requests matching ``method`` ("*" = any) and ``path_regex`` with ``status``."""
        self.recorder.add_fault(Fault(method.upper(), re.compile(path_regex), status, times, dict(headers or {}),
                                      body))

    def rate_limit(self, method: str, path_regex: str, times: int = 1, retry_after: int = 1) -> None:
        """Inject GitHub's secondary rate limit (403 with ``Retry-After``)."""
        self.fail(method, path_regex, 403, times, {"Retry-After": str(retry_after)},
                  {"message": RATE_LIMIT_MESSAGE,
                   "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"})

    # --- builders --------------------------------------------------------------------------------

    def add_user(self, login: str, type: str = "User") -> User:
        """Create (or return) an account; ``type`` is User, Organization or Bot."""
        return self.state.user(login, type)

    def issue_token(self, identity: str, permission: str = "write") -> str:
        """Return a new token acting as ``identity`` with ``permission`` "write" or "read"."""
        if permission not in ("write", "read"):
            raise ValueError(f"permission must be 'write' or 'read', not {permission!r}")
        who = self.state.user(identity)
        value = ("ghs_" if who.type == "Bot" else "ghp_") + secrets.token_hex(18)
        with self.state.lock:
            self.state.tokens[value] = Token(value, who.login, permission)
        return value

    def add_repo(self, full_name: str, default_branch: str = "main", files: Mapping[str, str] | None = None,
                 *, private: bool = False, fork_of: str | None = None, owner_type: str = "User",
                 description: str | None = None) -> Repo:
        """Create a bare repository with an initial commit of ``files`` (or a fork of ``fork_of``)."""
        owner, name = full_name.split("/")
        self.state.user(owner, owner_type)
        path = self.root / owner / f"{name}.git"
        parent = self.state.repo(fork_of) if fork_of else None
        if fork_of and parent is None:
            raise KeyError(fork_of)
        if parent is not None:
            git = BareRepo.clone_from(parent.git, path)
            default_branch = parent.default_branch
        else:
            git = BareRepo.create(path, default_branch)
            who = Signature("Fake GitHub", "fake@localhost", now())
            git.commit_files(default_branch, files or {"README.md": f"# {name}\n"}, "Initial commit", who)
        repo = Repo(owner, name, self.state.next_id(), git, default_branch, private, fork=parent is not None,
                    parent=parent.full_name if parent else None, description=description)
        with self.state.lock:
            self.state.repos[repo.full_name.lower()] = repo
        return repo

    def set_permission(self, repo: str, login: str, permission: str) -> None:
        """Give ``login`` a role on ``repo``: admin, maintain, write, triage, read or none."""
        if permission not in PERMISSIONS:
            raise ValueError(f"unknown permission {permission!r}")
        user = self.state.user(login)
        with self.state.lock:
            self._repo(repo).permissions[user.login.lower()] = permission

    def add_issue(self, repo: str, title: str, body: str | None = "", *, user: str = "octocat",
                  labels: Iterable[str] = ()) -> int:
        """Open an issue and return its number."""
        r = self._repo(repo)
        self.state.user(user)
        issue = Issue(r.full_name, self.state.new_issue_number(r), self.state.next_id(), title, body, user)
        self.state.put_issue(issue)
        self._label(r, issue, labels)
        return issue.number

    def add_pull(self, repo: str, head: str, base: str | None = None, title: str = "A pull request",
                 body: str | None = "", *, user: str = "octocat", head_repo: str | None = None,
                 draft: bool = False) -> int:
        """Open a pull request from ``head`` (a branch of ``head_repo``, default ``repo``) and return its number."""
        r = self._repo(repo)
        source = self._repo(head_repo or repo)
        sha = source.git.ref_sha(f"refs/heads/{head}")
        if sha is None:
            raise KeyError(f"{source.full_name} has no branch {head}")
        self.state.user(user)
        issue = Issue(r.full_name, self.state.new_issue_number(r), self.state.next_id(), title, body, user)
        issue.pull = Pull(self.state.next_id(), source.full_name, head, base or r.default_branch, sha, draft)
        self.state.put_issue(issue)
        self.api.view.live_head(r, issue)
        return issue.number

    def add_comment(self, repo: str, number: int, body: str, *, user: str = "octocat") -> int:
        """Comment on issue or pull ``number``; return the comment id."""
        issue = self.issue(repo, number)
        self.state.user(user)
        comment = Comment(self.state.next_id(), issue.repo, number, user, body)
        with self.state.lock:
            self.state.comments[comment.id] = comment
        return comment.id

    def add_review_comment(self, repo: str, pull: int, body: str, *, user: str = "octocat",
                           path: str = "README.md", line: int = 1, in_reply_to: int | None = None) -> int:
        """Leave a review comment on a line of pull ``pull``; return its id."""
        issue = self.issue(repo, pull)
        assert issue.pull is not None
        self.state.user(user)
        comment = ReviewComment(self.state.next_id(), issue.repo, pull, user, body, path, issue.pull.head_sha,
                                line, in_reply_to_id=in_reply_to)
        with self.state.lock:
            self.state.review_comments[comment.id] = comment
        return comment.id

    def add_run(self, repo: str, workflow: str, ref: str | None = None, *, event: str = "push",
                status: str = "queued", conclusion: str | None = None, actor: str = WORKFLOW_BOT) -> int:
        """Record a workflow run of ``workflow`` (file name) on ``ref``; return its id."""
        r = self._repo(repo)
        run = start_run(self.api, r, workflow, ref or r.default_branch, event, actor)
        with self.state.lock:
            run.status, run.conclusion = status, conclusion
        return run.id

    def set_variable(self, repo: str, name: str, value: str) -> None:
        """Set an Actions repository variable."""
        r = self._repo(repo)
        with self.state.lock:
            r.variables[name.upper()] = Variable(name.upper(), value)

    def commit(self, repo: str, branch: str, files: Mapping[str, str], message: str = "Update files") -> str:
        """Commit ``files`` onto ``branch`` as if pushed; a new branch starts from the default branch."""
        r = self._repo(repo)
        if r.git.ref_sha(f"refs/heads/{branch}") is None:
            start = r.git.ref_sha(f"refs/heads/{r.default_branch}")
            if start is not None:
                r.git.swap_ref(f"refs/heads/{branch}", start, None)
        return r.git.commit_files(branch, files, message, Signature("Dev", "dev@localhost", now()))

    # --- inspection ------------------------------------------------------------------------------

    def clone_url(self, repo: str, token: str | None = None) -> str:
        """Return the HTTP clone URL, with ``x-access-token:<token>`` credentials when ``token`` is given."""
        base = f"{self.server_url}/{self._repo(repo).full_name}.git"
        return base.replace("://", f"://x-access-token:{token}@", 1) if token else base

    def git(self, repo: str, *args: str) -> str:
        """Run git in the bare repository of ``repo`` and return its output."""
        return self._repo(repo).git.text(*args)

    def ref(self, repo: str, ref: str) -> str | None:
        """Return the sha of a fully qualified ref (``refs/heads/main``) or a branch name, or None."""
        git = self._repo(repo).git
        return git.ref_sha(ref if ref.startswith("refs/") else f"refs/heads/{ref}")

    def read_file(self, repo: str, path: str, ref: str | None = None) -> str | None:
        """Return the text of ``path`` at ``ref`` (default branch when None), or None when missing."""
        r = self._repo(repo)
        commit = r.git.resolve(ref or r.default_branch)
        found = r.git.read_path(commit, path) if commit else None
        return found[2].decode() if found and isinstance(found[2], bytes) else None

    def repo(self, full_name: str) -> Repo:
        """Return a repository record."""
        return self._repo(full_name)

    def issue(self, repo: str, number: int) -> Issue:
        """Return issue or pull ``number``."""
        found = self.state.issue(self._repo(repo).full_name, number)
        if found is None:
            raise KeyError(f"{repo}#{number}")
        return found

    def pulls(self, repo: str) -> list[Issue]:
        """Return the pull requests of ``repo`` (issues with ``.pull`` set), oldest first."""
        return [i for i in self.state.issues_of(self._repo(repo).full_name) if i.pull]

    def comments(self, repo: str, number: int) -> list[Comment]:
        """Return the comments on issue or pull ``number``, oldest first."""
        name = self._repo(repo).full_name
        with self.state.lock:
            return sorted((c for c in self.state.comments.values() if c.repo == name and c.issue_number == number),
                          key=lambda c: c.id)

    def review_comments(self, repo: str, pull: int) -> list[ReviewComment]:
        """Return the review comments on pull ``pull``."""
        name = self._repo(repo).full_name
        with self.state.lock:
            return sorted((c for c in self.state.review_comments.values()
                           if c.repo == name and c.pull_number == pull), key=lambda c: c.id)

    def reactions(self, *, issue: tuple[str, int] | None = None, comment_id: int | None = None,
                  review_comment_id: int | None = None) -> list[Reaction]:
        """Return the reactions on an issue ``(repo, number)``, an issue comment or a review comment."""
        if issue is not None:
            subject, subject_id = "issue", self.issue(*issue).id
        elif comment_id is not None:
            subject, subject_id = "issue_comment", comment_id
        elif review_comment_id is not None:
            subject, subject_id = "review_comment", review_comment_id
        else:
            raise ValueError("name one subject")
        with self.state.lock:
            return [r for r in self.state.reactions if r.subject == subject and r.subject_id == subject_id]

    @property
    def dispatches(self) -> list[Dispatch]:
        """Return the recorded workflow dispatches."""
        with self.state.lock:
            return list(self.state.dispatches)

    def runs(self, repo: str) -> list[WorkflowRun]:
        """Return the workflow runs of ``repo``, oldest first."""
        name = self._repo(repo).full_name
        with self.state.lock:
            return sorted((r for r in self.state.runs.values() if r.repo == name), key=lambda r: r.id)

    def _repo(self, full_name: str) -> Repo:
        found = self.state.repo(full_name)
        if found is None:
            raise KeyError(full_name)
        return found

    def _label(self, repo: Repo, issue: Issue, labels: Iterable[str]) -> None:
        with self.state.lock:
            for name in labels:
                label = repo.labels.setdefault(name.lower(), Label(self.state.next_id(), name))
                issue.labels.append(label.name)
