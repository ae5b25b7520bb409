"""Read-only accessors tests use to inspect the fake's state and git data."""

from __future__ import annotations

from prpilot.testing.github.state import Comment, Dispatch, Issue, Reaction, Repo, ReviewComment, State, WorkflowRun


class StateReader:
    """Inspection methods of FakeGitHub: everything here reads, nothing writes."""

    state: State
    server_url: str

    def _repo(self, full_name: str) -> Repo:
        found = self.state.repo(full_name)
        if found is None:
            raise KeyError(full_name)
        return found

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

