"""Pull request routes: create, list, get, files, reviewers, review-comment replies."""

from __future__ import annotations

from urllib.parse import quote

from prpilot.testing.github.router import Api, ApiError, Call, Reply, Route, paginate, validation_failed
from prpilot.testing.github.state import WORKFLOW_BOT, Issue, Pull, Repo, ReviewComment

R = "/repos/{owner}/{repo}"
ACTIONS_MAY_NOT_CREATE = "GitHub Actions is not permitted to create or approve pull requests."
DRAFTS_NOT_SUPPORTED = "Draft pull requests are not supported in this repository."


def pull_of(api: Api, call: Call) -> tuple[Repo, Issue]:
    """The repository and pull request a ``/pulls/{pull_number}`` route names; 404 as GitHub answers."""
    repo = api.repo(call)
    issue = api.state.issue(repo.full_name, call.int_param("pull_number"))
    if issue is None or issue.pull is None:
        raise ApiError(404, "Not Found")
    return repo, issue


def head_repo_of(api: Api, repo: Repo, owner: str) -> Repo | None:
    """Find the repository ``owner:branch`` points at: this repo, or ``owner``'s fork of it."""
    if owner.lower() == repo.owner.lower():
        return repo
    with api.state.lock:
        candidates = [r for r in api.state.repos.values() if r.owner.lower() == owner.lower()]
    for candidate in candidates:
        if (candidate.parent or "").lower() == repo.full_name.lower():
            return candidate
    return next((c for c in candidates if c.name.lower() == repo.name.lower()), None)


def open_pull(api: Api, repo: Repo, head_repo: Repo, head_ref: str, base_ref: str) -> Issue | None:
    """Return the open pull from ``head_repo:head_ref`` into ``base_ref``, if any."""
    for issue in api.state.issues_of(repo.full_name):
        p = issue.pull
        if (p and issue.state == "open" and p.head_repo.lower() == head_repo.full_name.lower()
                and p.head_ref == head_ref and p.base_ref == base_ref):
            return issue
    return None


def create_pull(api: Api, call: Call) -> Reply:
    """POST pulls — 422 on a duplicate open pull, a missing head, or no commits between base and head.

    403 for the workflow's token when the repository does not let GitHub Actions create pull requests;
    a person's token, or another app's, is not bound by that setting. 422 for a draft where the
    repository has no drafts.
    """
    repo = api.repo(call)
    if call.token.login == WORKFLOW_BOT and not repo.actions_create_pulls:
        raise ApiError(403, ACTIONS_MAY_NOT_CREATE,
                       documentation_url="https://docs.github.com/rest/pulls/pulls#create-a-pull-request")
    if call.field("draft", False) and not repo.drafts_supported:
        raise ApiError(422, DRAFTS_NOT_SUPPORTED,
                       documentation_url="https://docs.github.com/rest/pulls/pulls#create-a-pull-request")
    title, head, base = call.field("title"), call.field("head"), call.field("base")
    if not isinstance(head, str) or not isinstance(base, str) or not isinstance(title, str):
        raise validation_failed("", field_name="head" if not isinstance(head, str) else "title")
    owner, _, head_ref = head.rpartition(":")
    head_repo = head_repo_of(api, repo, owner or repo.owner)
    head_sha = head_repo.git.ref_sha(f"refs/heads/{head_ref}") if head_repo else None
    if head_repo is None or head_sha is None:
        raise validation_failed("", field_name="head")
    base_sha = repo.git.ref_sha(f"refs/heads/{base}")
    if base_sha is None:
        raise validation_failed("", field_name="base")
    with repo.git.ref_lock:
        if open_pull(api, repo, head_repo, head_ref, base):
            raise validation_failed(f"A pull request already exists for {head_repo.owner}:{head_ref}.")
        if head_repo is not repo:
            repo.git.git("fetch", "-q", "--no-tags", str(head_repo.git.path), f"+{head_sha}:refs/fakegh/incoming")
        if repo.git.count_ahead(base_sha, head_sha) == 0:
            raise validation_failed(f"No commits between {base} and {head_ref}")
        number = api.state.new_issue_number(repo)
        repo.git.git("update-ref", f"refs/pull/{number}/head", head_sha)
    issue = Issue(repo.full_name, number, api.state.next_id(), title, call.field("body"), call.token.login)
    issue.pull = Pull(
        id=api.state.next_id(), head_repo=head_repo.full_name, head_ref=head_ref, base_ref=base,
        head_sha=head_sha, synced_sha=head_sha, draft=bool(call.field("draft", False)),
        maintainer_can_modify=bool(call.field("maintainer_can_modify", head_repo is not repo)),
    )
    api.state.put_issue(issue)
    return Reply(201, api.view.pull(repo, issue, full=True))


def list_pulls(api: Api, call: Call) -> Reply:
    """GET pulls — ``state``, ``head=owner:branch`` and ``base`` filters, newest first, paginated."""
    repo = api.repo(call)
    state = call.query.get("state", "open")
    found = [i for i in api.state.issues_of(repo.full_name) if i.pull and state in ("all", i.state)]
    if "head" in call.query:
        owner, _, ref = call.query["head"].rpartition(":")
        head_repo = head_repo_of(api, repo, owner or repo.owner)
        wanted = head_repo.full_name.lower() if head_repo else f"{owner}/?".lower()
        found = [i for i in found if i.pull and i.pull.head_repo.lower() == wanted and i.pull.head_ref == ref]
    if "base" in call.query:
        found = [i for i in found if i.pull and i.pull.base_ref == call.query["base"]]
    if call.query.get("direction", "desc") == "desc":
        found.reverse()
    page, headers = paginate(api, call, found)
    return Reply(200, [api.view.pull(repo, i, full=False) for i in page], headers)


def get_pull(api: Api, call: Call) -> Reply:
    """GET pulls/{pull_number}."""
    repo, issue = pull_of(api, call)
    return Reply(200, api.view.pull(repo, issue, full=True))


def list_files(api: Api, call: Call) -> Reply:
    """GET pulls/{pull_number}/files — ``git diff base...head``, paginated."""
    repo, issue = pull_of(api, call)
    head = api.view.live_head(repo, issue)
    web, rest = api.urls.repo_html(repo.full_name), api.urls.repo_api(repo.full_name)
    entries = []
    for f in api.view.files(repo, issue):
        entry = {
            "sha": f.sha, "filename": f.filename, "status": f.status, "additions": f.additions,
            "deletions": f.deletions, "changes": f.additions + f.deletions,
            "blob_url": f"{web}/blob/{head}/{quote(f.filename)}", "raw_url": f"{web}/raw/{head}/{quote(f.filename)}",
            "contents_url": f"{rest}/contents/{quote(f.filename)}?ref={head}", "patch": f.patch,
        }
        if f.previous_filename:
            entry["previous_filename"] = f.previous_filename
        entries.append(entry)
    page, headers = paginate(api, call, entries)
    return Reply(200, page, headers)


def request_reviewers(api: Api, call: Call) -> Reply:
    """POST pulls/{pull_number}/requested_reviewers."""
    repo, issue = pull_of(api, call)
    assert issue.pull is not None
    reviewers = call.field("reviewers", [])
    if not isinstance(reviewers, list):
        raise validation_failed("reviewers must be a list")
    with api.state.lock:
        for login in map(str, reviewers):
            if login.lower() == issue.user.lower():
                raise validation_failed("Review cannot be requested from pull request author.")
            if login.lower() not in api.state.users or api.state.permission_of(repo, login) == "none":
                raise validation_failed(
                    "Reviews may only be requested from collaborators. One or more of the users or teams you "
                    f"specified is not a collaborator of the {repo.full_name} repository.")
            canonical = api.state.users[login.lower()].login
            if canonical not in issue.pull.requested_reviewers:
                issue.pull.requested_reviewers.append(canonical)
    return Reply(201, api.view.pull(repo, issue, full=False))


def list_review_comments(api: Api, call: Call) -> Reply:
    """GET pulls/{pull_number}/comments — every submitted review comment, oldest first, paginated."""
    repo, issue = pull_of(api, call)
    with api.state.lock:
        ours = sorted(
            (c for c in api.state.review_comments.values()
             if c.repo.lower() == repo.full_name.lower() and c.pull_number == issue.number and not c.pending),
            key=lambda c: c.id,
        )
    page, headers = paginate(api, call, [api.view.review_comment(repo, c) for c in ours])
    return Reply(200, page, headers)


def reply_to_review_comment(api: Api, call: Call) -> Reply:
    """POST pulls/{pull_number}/comments/{comment_id}/replies."""
    repo, issue = pull_of(api, call)
    with api.state.lock:
        parent = api.state.review_comments.get(call.int_param("comment_id"))
    if parent is None or parent.repo.lower() != repo.full_name.lower() or parent.pull_number != issue.number:
        raise ApiError(404, "Not Found")
    body = call.field("body")
    if not isinstance(body, str):
        raise ApiError(422, "Invalid request.\n\n\"body\" wasn't supplied.")
    reply = ReviewComment(
        id=api.state.next_id(), repo=repo.full_name, pull_number=issue.number, user=call.token.login,
        body=body, path=parent.path, commit_id=parent.commit_id, line=parent.line,
        diff_hunk=parent.diff_hunk, in_reply_to_id=parent.in_reply_to_id or parent.id,
    )
    with api.state.lock:
        api.state.review_comments[reply.id] = reply
    return Reply(201, api.view.review_comment(repo, reply))


ROUTES = [
    Route("POST", R + "/pulls", create_pull),
    Route("GET", R + "/pulls", list_pulls),
    Route("GET", R + "/pulls/{pull_number}", get_pull),
    Route("GET", R + "/pulls/{pull_number}/files", list_files),
    Route("POST", R + "/pulls/{pull_number}/requested_reviewers", request_reviewers),
    Route("GET", R + "/pulls/{pull_number}/comments", list_review_comments),
    Route("POST", R + "/pulls/{pull_number}/comments/{comment_id}/replies", reply_to_review_comment),
]
