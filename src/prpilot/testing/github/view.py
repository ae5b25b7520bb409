"""Render state records as GitHub JSON: issues, pulls, comments, reactions, runs (reads state and git)."""

from __future__ import annotations

from typing import Any

from prpilot.testing.github import shapes
from prpilot.testing.github.git_backend import Signature
from prpilot.testing.github.shapes import JSON, Urls, node_id
from prpilot.testing.github.state import (
    REACTIONS,
    Comment,
    Issue,
    Label,
    Reaction,
    Repo,
    Review,
    ReviewComment,
    State,
    Variable,
    WorkflowRun,
    now,
)


class View:
    """Turns records into response bodies; every URL comes from ``urls``."""

    def __init__(self, state: State, urls: Urls) -> None:
        self.state = state
        self.urls = urls

    def user(self, login: str) -> JSON:
        """Return a ``simple-user`` for ``login``."""
        return shapes.user(self.state.user(login), self.urls)

    def repo(self, repo: Repo, viewer: str | None = None) -> JSON:
        """Return a ``repository``; with ``viewer``, include their ``permissions``."""
        permission = None if viewer is None else self.state.permission_of(repo, viewer)
        owner = self.state.user(repo.owner)
        return shapes.repository(repo, owner, self.urls, repo.created_at, permission)

    def full_repo(self, repo: Repo, viewer: str | None) -> JSON:
        """Return a ``full-repository``."""
        shape = self.repo(repo, viewer)
        shape.update(network_count=0, subscribers_count=0)
        parent = self.state.repo(repo.parent) if repo.parent else None
        if parent is not None:
            shape["parent"] = shape["source"] = self.repo(parent)
        return shape

    def association(self, repo: Repo, login: str) -> str:
        """Return the ``author_association`` of ``login`` on ``repo``."""
        if login.lower() == repo.owner.lower():
            return "OWNER"
        role = self.state.permission_of(repo, login)
        return "COLLABORATOR" if role in ("admin", "maintain", "write", "triage") else "NONE"

    def label(self, repo: Repo, label: Label) -> JSON:
        """Return a ``label``."""
        return {
            "id": label.id,
            "node_id": node_id("LA", label.id),
            "url": f"{self.urls.repo_api(repo.full_name)}/labels/{label.name}",
            "name": label.name,
            "color": label.color,
            "default": False,
            "description": label.description,
        }

    def reactions(self, url: str, subject: str, subject_id: int) -> JSON:
        """Return a ``reaction-rollup``."""
        with self.state.lock:
            found = [r for r in self.state.reactions if r.subject == subject and r.subject_id == subject_id]
        rollup: JSON = {"url": url, "total_count": len(found)}
        rollup.update({c: sum(1 for r in found if r.content == c) for c in REACTIONS})
        return rollup

    def reaction(self, r: Reaction) -> JSON:
        """Return a ``reaction``."""
        return {
            "id": r.id, "node_id": node_id("REA", r.id), "user": self.user(r.user),
            "content": r.content, "created_at": r.created_at,
        }

    def issue(self, repo: Repo, issue: Issue) -> JSON:
        """Return an ``issue``; a pull request carries a ``pull_request`` key."""
        api = f"{self.urls.repo_api(repo.full_name)}/issues/{issue.number}"
        kind = "pull" if issue.pull else "issues"
        html = f"{self.urls.repo_html(repo.full_name)}/{kind}/{issue.number}"
        with self.state.lock:
            count = sum(1 for c in self.state.comments.values()
                        if c.repo.lower() == repo.full_name.lower() and c.issue_number == issue.number)
            labels = [repo.labels[n.lower()] for n in issue.labels]
        shape: JSON = {
            "id": issue.id, "node_id": node_id("I", issue.id), "url": api,
            "repository_url": self.urls.repo_api(repo.full_name), "labels_url": api + "/labels{/name}",
            "comments_url": api + "/comments", "events_url": api + "/events", "timeline_url": api + "/timeline",
            "html_url": html, "number": issue.number, "state": issue.state, "state_reason": None,
            "title": issue.title, "body": issue.body, "user": self.user(issue.user),
            "labels": [self.label(repo, label) for label in labels],
            "assignee": self.user(issue.assignees[0]) if issue.assignees else None,
            "assignees": [self.user(a) for a in issue.assignees], "milestone": None,
            "locked": issue.locked, "active_lock_reason": None, "comments": count,
            "created_at": issue.created_at, "updated_at": issue.updated_at, "closed_at": issue.closed_at,
            "closed_by": None, "author_association": self.association(repo, issue.user),
            "reactions": self.reactions(api + "/reactions", "issue", issue.id),
        }
        if issue.pull:
            shape["draft"] = issue.pull.draft
            shape["pull_request"] = {
                "url": f"{self.urls.repo_api(repo.full_name)}/pulls/{issue.number}", "html_url": html,
                "diff_url": html + ".diff", "patch_url": html + ".patch", "merged_at": None,
            }
        return shape

    def comment(self, repo: Repo, c: Comment) -> JSON:
        """Return an ``issue-comment``."""
        api = self.urls.repo_api(repo.full_name)
        issue = self.state.issue(repo.full_name, c.issue_number)
        kind = "pull" if issue is not None and issue.pull else "issues"
        return {
            "id": c.id, "node_id": node_id("IC", c.id), "url": f"{api}/issues/comments/{c.id}",
            "html_url": f"{self.urls.repo_html(repo.full_name)}/{kind}/{c.issue_number}#issuecomment-{c.id}",
            "issue_url": f"{api}/issues/{c.issue_number}", "body": c.body, "user": self.user(c.user),
            "created_at": c.created_at, "updated_at": c.updated_at,
            "author_association": self.association(repo, c.user),
            "reactions": self.reactions(f"{api}/issues/comments/{c.id}/reactions", "issue_comment", c.id),
        }

    def review_comment(self, repo: Repo, c: ReviewComment) -> JSON:
        """Return a ``pull-request-review-comment``."""
        api = self.urls.repo_api(repo.full_name)
        html = f"{self.urls.repo_html(repo.full_name)}/pull/{c.pull_number}#discussion_r{c.id}"
        pull_url = f"{api}/pulls/{c.pull_number}"
        shape: JSON = {
            "url": f"{api}/pulls/comments/{c.id}", "id": c.id, "node_id": node_id("PRRC", c.id),
            "pull_request_review_id": c.review_id, "diff_hunk": c.diff_hunk, "path": c.path,
            "commit_id": c.commit_id, "original_commit_id": c.commit_id, "user": self.user(c.user),
            "body": c.body, "created_at": c.created_at, "updated_at": c.updated_at, "html_url": html,
            "pull_request_url": pull_url, "author_association": self.association(repo, c.user),
            "line": c.line, "original_line": c.line, "side": c.side, "subject_type": "line",
            "start_line": c.start_line, "original_start_line": c.start_line,
            "start_side": c.side if c.start_line is not None else None,
            "position": c.position, "original_position": c.position,
            "_links": {"self": {"href": f"{api}/pulls/comments/{c.id}"}, "html": {"href": html},
                       "pull_request": {"href": pull_url}},
            "reactions": self.reactions(f"{api}/pulls/comments/{c.id}/reactions", "review_comment", c.id),
        }
        if c.in_reply_to_id is not None:
            shape["in_reply_to_id"] = c.in_reply_to_id
        return shape

    def review(self, repo: Repo, r: Review) -> JSON:
        """Return a ``pull-request-review`` (a pending one has no ``submitted_at``)."""
        html = f"{self.urls.repo_html(repo.full_name)}/pull/{r.pull_number}#pullrequestreview-{r.id}"
        pull_url = f"{self.urls.repo_api(repo.full_name)}/pulls/{r.pull_number}"
        shape: JSON = {
            "id": r.id, "node_id": node_id("PRR", r.id), "user": self.user(r.user), "body": r.body,
            "state": r.state, "html_url": html, "pull_request_url": pull_url, "commit_id": r.commit_id,
            "author_association": self.association(repo, r.user),
            "_links": {"html": {"href": html}, "pull_request": {"href": pull_url}},
        }
        if r.submitted_at is not None:
            shape["submitted_at"] = r.submitted_at
        return shape

    def branch_end(self, repo_name: str, ref: str, sha: str) -> JSON:
        """Return the ``head``/``base`` object of a pull request."""
        repo = self.state.repo(repo_name)
        assert repo is not None
        return {
            "label": f"{repo.owner}:{ref}", "ref": ref, "sha": sha,
            "user": self.user(repo.owner), "repo": self.repo(repo),
        }

    def pull(self, repo: Repo, issue: Issue, full: bool) -> JSON:
        """Return a ``pull-request`` (``full``) or a ``pull-request-simple``."""
        pull = issue.pull
        assert pull is not None
        api = self.urls.repo_api(repo.full_name)
        html = f"{self.urls.repo_html(repo.full_name)}/pull/{issue.number}"
        head_sha = self.live_head(repo, issue)
        base_sha = repo.git.resolve(pull.base_ref) or head_sha
        base = self.issue(repo, issue)
        links = {
            "self": f"{api}/pulls/{issue.number}", "html": html, "issue": f"{api}/issues/{issue.number}",
            "comments": f"{api}/issues/{issue.number}/comments",
            "review_comments": f"{api}/pulls/{issue.number}/comments",
            "review_comment": f"{api}/pulls/comments{{/number}}",
            "commits": f"{api}/pulls/{issue.number}/commits", "statuses": f"{api}/statuses/{head_sha}",
        }
        shape: JSON = {
            "url": links["self"], "id": pull.id, "node_id": node_id("PR", pull.id), "html_url": html,
            "diff_url": html + ".diff", "patch_url": html + ".patch", "issue_url": links["issue"],
            "commits_url": links["commits"], "review_comments_url": links["review_comments"],
            "review_comment_url": links["review_comment"], "comments_url": links["comments"],
            "statuses_url": links["statuses"], "number": issue.number, "state": issue.state,
            "locked": issue.locked, "title": issue.title, "user": base["user"], "body": issue.body,
            "labels": base["labels"], "milestone": None, "active_lock_reason": None,
            "created_at": issue.created_at, "updated_at": issue.updated_at, "closed_at": issue.closed_at,
            "merged_at": None, "merge_commit_sha": None, "assignee": base["assignee"],
            "assignees": base["assignees"], "requested_reviewers": [self.user(r) for r in pull.requested_reviewers],
            "requested_teams": [], "draft": pull.draft,
            "head": self.branch_end(pull.head_repo, pull.head_ref, head_sha),
            "base": self.branch_end(repo.full_name, pull.base_ref, base_sha),
            "_links": {k: {"href": v} for k, v in links.items()},
            "author_association": base["author_association"], "auto_merge": None,
        }
        if full:
            additions, deletions, changed = repo.git.diff_counts(base_sha, head_sha) if base_sha else (0, 0, 0)
            shape.update(
                merged=pull.merged, mergeable=True, rebaseable=True, mergeable_state="clean", merged_by=None,
                comments=base["comments"], review_comments=self._review_count(repo, issue.number),
                maintainer_can_modify=pull.maintainer_can_modify,
                commits=repo.git.count_ahead(base_sha, head_sha) if base_sha else 0,
                additions=additions, deletions=deletions, changed_files=changed,
            )
        return shape

    def live_head(self, repo: Repo, issue: Issue) -> str:
        """Return the pull's head sha, refreshing ``refs/pull/N/head`` in the base repo from the head repo."""
        pull = issue.pull
        assert pull is not None
        head_repo = self.state.repo(pull.head_repo)
        sha = head_repo.git.ref_sha(f"refs/heads/{pull.head_ref}") if head_repo else None
        if sha is None or sha == pull.synced_sha:
            return pull.head_sha  # head branch deleted, or refs/pull/N/head already current
        pull.head_sha = pull.synced_sha = sha
        if head_repo is not None and head_repo is not repo:
            repo.git.git("fetch", "-q", "--no-tags", str(head_repo.git.path),
                         f"+refs/heads/{pull.head_ref}:refs/pull/{issue.number}/head")
        else:
            repo.git.git("update-ref", f"refs/pull/{issue.number}/head", sha)
        return pull.head_sha

    def refresh_merge_refs(self, repo: Repo) -> None:
        """Bring ``refs/pull/N/merge`` of every open pull up to date with its base and head.

        GitHub computes the merge in the background; the fake does it when a git client is about to
        read the refs (actions/checkout fetches refs/pull/N/merge for pull request events), so the
        REST calls pay nothing for it. A conflicting pull has no merge ref, as on GitHub.
        """
        for issue in self.state.issues_of(repo.full_name):
            pull = issue.pull
            if pull is None or issue.state != "open":
                continue
            head, base = self.live_head(repo, issue), repo.git.resolve(pull.base_ref)
            if base is not None and (base, head) != pull.merge_of:
                who = Signature("GitHub", "noreply@github.com", now())
                repo.git.update_merge_ref(issue.number, base, head, who)
                pull.merge_of = (base, head)

    def files(self, repo: Repo, issue: Issue) -> list[Any]:
        """Return the pull's changed files (``git diff base...head``)."""
        assert issue.pull is not None
        head = self.live_head(repo, issue)
        base = repo.git.resolve(issue.pull.base_ref)
        return repo.git.diff(base, head) if base else []

    def _review_count(self, repo: Repo, number: int) -> int:
        with self.state.lock:
            return sum(1 for c in self.state.review_comments.values()
                       if c.repo.lower() == repo.full_name.lower() and c.pull_number == number)

    def variable(self, v: Variable) -> JSON:
        """Return an ``actions-variable``."""
        return {"name": v.name, "value": v.value, "created_at": v.created_at, "updated_at": v.updated_at}

    def run(self, repo: Repo, run: WorkflowRun) -> JSON:
        """Return a ``workflow-run``."""
        api = self.urls.repo_api(repo.full_name)
        url = f"{api}/actions/runs/{run.id}"
        info = repo.git.commit_info(run.head_sha)
        head_commit = None if info is None else {
            "id": info.sha, "tree_id": info.tree, "message": info.message,
            "timestamp": shapes.date(info.committer.date),
            "author": {"name": info.author.name, "email": info.author.email},
            "committer": {"name": info.committer.name, "email": info.committer.email},
        }
        minimal = self.repo(repo)
        return {
            "id": run.id, "name": run.path.rsplit("/", 1)[-1], "node_id": node_id("WFR", run.id),
            "head_branch": run.head_branch, "head_sha": run.head_sha, "path": run.path,
            "display_title": run.display_title, "run_number": run.run_number, "run_attempt": 1,
            "event": run.event, "status": run.status, "conclusion": run.conclusion,
            "workflow_id": run.workflow_id, "url": url,
            "html_url": f"{self.urls.repo_html(repo.full_name)}/actions/runs/{run.id}",
            "pull_requests": [], "created_at": run.created_at, "updated_at": run.updated_at,
            "run_started_at": run.created_at, "actor": self.user(run.actor),
            "triggering_actor": self.user(run.actor), "jobs_url": f"{url}/jobs", "logs_url": f"{url}/logs",
            "check_suite_url": f"{api}/check-suites/{run.id}", "artifacts_url": f"{url}/artifacts",
            "cancel_url": f"{url}/cancel", "rerun_url": f"{url}/rerun",
            "workflow_url": f"{api}/actions/workflows/{run.workflow_id}",
            "head_commit": head_commit, "repository": minimal, "head_repository": minimal,
        }
