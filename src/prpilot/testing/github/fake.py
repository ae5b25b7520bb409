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
from prpilot.testing.github.inspection import StateReader
from prpilot.testing.github.recording import Arrival, Fault, PositionalFault, RecordedRequest, Recorder
from prpilot.testing.github.router import Api
from prpilot.testing.github.routes_actions import start_run
from prpilot.testing.github.server import API_PREFIX, App, FakeServer, Settings
from prpilot.testing.github.shapes import Urls
from prpilot.testing.github.state import (
    PERMISSIONS,
    WORKFLOW_BOT,
    Comment,
    Issue,
    Label,
    Pull,
    Repo,
    ReviewComment,
    State,
    Token,
    User,
    Variable,
    now,
)
from prpilot.testing.github.view import View

RATE_LIMIT_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID."
)


class FakeGitHub(StateReader):
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
        # a short poll interval keeps stop() quick (shutdown waits for the next poll)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), name="fake-github",
                                        daemon=True)
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

    def fail_at(self, position: int, kind: str, *, delay: float = 1.0) -> PositionalFault:
        """Fail the ``position``-th request from now on (REST and git alike) as ``kind`` says; see PositionalFault.

        ``delay`` is how long a timed-out request is held before its connection drops: longer than
        the client's timeout. The returned fault's ``hit`` names the request it fell on.
        """
        fault = PositionalFault(len(self.recorder.arrivals) + position, kind, delay)
        self.recorder.fail_at(fault)
        return fault

    def settle(self, timeout: float = 30.0) -> bool:
        """Wait until every request a ``late`` fault holds has been carried out; False on timeout."""
        return self.recorder.settle(timeout)

    @property
    def arrivals(self) -> list[Arrival]:
        """Every request in the order it arrived (what ``fail_at`` counts)."""
        return self.recorder.arrivals

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

    def allow_actions_to_create_pull_requests(self, repo: str, allowed: bool) -> None:
        """Set the repository's "Allow GitHub Actions to create and approve pull requests" (default here: on)."""
        with self.state.lock:
            self._repo(repo).actions_create_pulls = allowed

    def support_draft_pull_requests(self, repo: str, supported: bool) -> None:
        """Let ``repo`` have draft pull requests or not, as its visibility and plan decide on GitHub."""
        with self.state.lock:
            self._repo(repo).drafts_supported = supported

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

    def job_started(self, repository: str, event_name: str, actor: str, rerun_of: int | None = None) -> int | None:
        """Record the run of a job the runner simulator starts (in progress); return its id (GITHUB_RUN_ID).

        ``rerun_of``: "Re-run jobs" of that run, which keeps its id. None for a repository this fake
        does not hold: the job then runs without a run here.
        """
        r = self.state.repo(repository)
        if r is None:
            return None
        with self.state.lock:
            earlier = self.state.runs.get(rerun_of) if rerun_of is not None else None
            if earlier is not None:
                earlier.status, earlier.conclusion, earlier.updated_at = "in_progress", None, now()
                return earlier.id
        run = start_run(self.api, r, "prpilot.yml", r.default_branch, event_name, actor)
        with self.state.lock:
            run.status = "in_progress"
        return run.id

    def run_cancelled(self, run_id: int) -> bool:
        """Whether someone cancelled run ``run_id`` (POST .../actions/runs/{id}/cancel)."""
        with self.state.lock:
            run = self.state.runs.get(run_id)
            return run is not None and run.conclusion == "cancelled"

    def job_finished(self, run_id: int, conclusion: str) -> None:
        """Complete run ``run_id`` as its job ended, unless a cancel completed it first."""
        with self.state.lock:
            run = self.state.runs.get(run_id)
            if run is not None and run.status != "completed":
                run.status, run.conclusion, run.updated_at = "completed", conclusion, now()

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

    def _label(self, repo: Repo, issue: Issue, labels: Iterable[str]) -> None:
        with self.state.lock:
            for name in labels:
                label = repo.labels.setdefault(name.lower(), Label(self.state.next_id(), name))
                issue.labels.append(label.name)
