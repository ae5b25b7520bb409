"""Issue routes: issues, comments, labels and reactions."""

from __future__ import annotations

from prpilot.testing.github.router import Api, ApiError, Call, Reply, Route, paginate
from prpilot.testing.github.state import REACTIONS, Comment, Issue, Label, Reaction, Repo, now

R = "/repos/{owner}/{repo}"


def _issue(api: Api, call: Call) -> tuple[Repo, Issue]:
    repo = api.repo(call)
    issue = api.state.issue(repo.full_name, call.int_param("issue_number"))
    if issue is None:
        raise ApiError(404, "Not Found")
    return repo, issue


def _comment(api: Api, call: Call) -> tuple[Repo, Comment]:
    repo = api.repo(call)
    with api.state.lock:
        comment = api.state.comments.get(call.int_param("comment_id"))
    if comment is None or comment.repo.lower() != repo.full_name.lower():
        raise ApiError(404, "Not Found")
    return repo, comment


def _body(call: Call) -> str:
    body = call.field("body")
    if not isinstance(body, str):
        raise ApiError(422, "Invalid request.\n\n\"body\" wasn't supplied.")
    return body


def get_issue(api: Api, call: Call) -> Reply:
    """GET issues/{issue_number} — pull requests are issues too."""
    repo, issue = _issue(api, call)
    return Reply(200, api.view.issue(repo, issue))


def list_comments(api: Api, call: Call) -> Reply:
    """GET issues/{issue_number}/comments (paginated, optional ``since``)."""
    repo, issue = _issue(api, call)
    since = call.query.get("since", "")
    with api.state.lock:
        found = sorted(
            (c for c in api.state.comments.values()
             if c.repo.lower() == repo.full_name.lower() and c.issue_number == issue.number
             and c.updated_at >= since),
            key=lambda c: c.id,
        )
    page, headers = paginate(api, call, found)
    return Reply(200, [api.view.comment(repo, c) for c in page], headers)


def create_comment(api: Api, call: Call) -> Reply:
    """POST issues/{issue_number}/comments."""
    repo, issue = _issue(api, call)
    comment = Comment(api.state.next_id(), repo.full_name, issue.number, call.token.login, _body(call))
    with api.state.lock:
        api.state.comments[comment.id] = comment
        issue.updated_at = comment.created_at
    return Reply(201, api.view.comment(repo, comment))


def get_comment(api: Api, call: Call) -> Reply:
    """GET issues/comments/{comment_id}."""
    repo, comment = _comment(api, call)
    return Reply(200, api.view.comment(repo, comment))


def update_comment(api: Api, call: Call) -> Reply:
    """PATCH issues/comments/{comment_id}."""
    repo, comment = _comment(api, call)
    body = _body(call)
    with api.state.lock:
        comment.body = body
        comment.updated_at = now()
    return Reply(200, api.view.comment(repo, comment))


def delete_comment(api: Api, call: Call) -> Reply:
    """DELETE issues/comments/{comment_id} (204)."""
    _, comment = _comment(api, call)
    with api.state.lock:
        api.state.comments.pop(comment.id, None)
    return Reply(204)


def add_labels(api: Api, call: Call) -> Reply:
    """POST issues/{issue_number}/labels — creates unknown labels; returns all labels of the issue."""
    repo, issue = _issue(api, call)
    given = call.body.get("labels") if isinstance(call.body, dict) else call.body
    if not isinstance(given, list):
        raise ApiError(422, "Invalid request.\n\n\"labels\" wasn't supplied.")
    names = [str(x["name"] if isinstance(x, dict) else x) for x in given]
    with api.state.lock:
        for name in names:
            if name.lower() not in repo.labels:
                repo.labels[name.lower()] = Label(api.state.next_id(), name)
            canonical = repo.labels[name.lower()].name
            if canonical.lower() not in (n.lower() for n in issue.labels):
                issue.labels.append(canonical)
        labels = [repo.labels[n.lower()] for n in issue.labels]
    return Reply(200, [api.view.label(repo, label) for label in labels])


def react(api: Api, call: Call, subject: str, subject_id: int) -> Reply:
    """Add a reaction: 201 when new, 200 when this user already reacted with this content."""
    content = call.field("content")
    if content not in REACTIONS:
        raise ApiError(422, "Validation Failed", errors=[{"resource": "Reaction", "field": "content",
                                                         "code": "invalid"}])
    with api.state.lock:
        for r in api.state.reactions:
            if (r.subject, r.subject_id, r.user.lower(), r.content) == (
                    subject, subject_id, call.token.login.lower(), content):
                return Reply(200, api.view.reaction(r))
        reaction = Reaction(api.state.next_id(), subject, subject_id, call.token.login, str(content))
        api.state.reactions.append(reaction)
    return Reply(201, api.view.reaction(reaction))


def react_issue(api: Api, call: Call) -> Reply:
    """POST issues/{issue_number}/reactions."""
    _, issue = _issue(api, call)
    return react(api, call, "issue", issue.id)


def react_comment(api: Api, call: Call) -> Reply:
    """POST issues/comments/{comment_id}/reactions."""
    _, comment = _comment(api, call)
    return react(api, call, "issue_comment", comment.id)


def react_review_comment(api: Api, call: Call) -> Reply:
    """POST pulls/comments/{comment_id}/reactions."""
    repo = api.repo(call)
    with api.state.lock:
        comment = api.state.review_comments.get(call.int_param("comment_id"))
    if comment is None or comment.repo.lower() != repo.full_name.lower():
        raise ApiError(404, "Not Found")
    return react(api, call, "review_comment", comment.id)


ROUTES = [
    Route("GET", R + "/issues/{issue_number}", get_issue),
    Route("GET", R + "/issues/{issue_number}/comments", list_comments),
    Route("POST", R + "/issues/{issue_number}/comments", create_comment),
    Route("GET", R + "/issues/comments/{comment_id}", get_comment),
    Route("PATCH", R + "/issues/comments/{comment_id}", update_comment),
    Route("DELETE", R + "/issues/comments/{comment_id}", delete_comment),
    Route("POST", R + "/issues/{issue_number}/labels", add_labels),
    Route("POST", R + "/issues/{issue_number}/reactions", react_issue),
    Route("POST", R + "/issues/comments/{comment_id}/reactions", react_comment),
    Route("POST", R + "/pulls/comments/{comment_id}/reactions", react_review_comment),
]
