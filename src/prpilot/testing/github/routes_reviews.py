"""Pull request review routes: create (pending or submitted), update, submit, delete, list, comments.

As GitHub validates them (https://docs.github.com/rest/pulls/reviews, read 2026-12-07): an inline
comment's ``line`` (and ``start_line``) must be a line of the diff on its ``side``, else the whole
review is refused with 422 "Pull request review thread line must be part of the diff"; a user has at
most one pending review per pull request; only a pending review can be submitted or deleted; nobody
approves or requests changes on their own pull request, and the workflow's token approves only where
the repository lets GitHub Actions do so.
"""

from __future__ import annotations

import re

from prpilot.testing.github.router import Api, ApiError, Call, Reply, Route, paginate
from prpilot.testing.github.routes_pulls import ACTIONS_MAY_NOT_CREATE, pull_of
from prpilot.testing.github.state import WORKFLOW_BOT, Issue, Repo, Review, ReviewComment, now

R = "/repos/{owner}/{repo}/pulls/{pull_number}"
_DOCS = "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request"
NOT_IN_DIFF = "Pull request review thread line must be part of the diff"
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_EVENTS = {"COMMENT": "COMMENTED", "APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED"}


def diff_lines(patch: str) -> dict[tuple[str, int], tuple[int, int, str]]:
    """Map each (side, line) of a file's patch to (position, hunk number, hunk text so far)."""
    found: dict[tuple[str, int], tuple[int, int, str]] = {}
    left = right = hunk = position = 0
    start = 0
    lines = patch.split("\n")
    for index, text in enumerate(lines):
        match = _HUNK.match(text)
        if match:
            left, right, hunk, start = int(match.group(1)), int(match.group(2)), hunk + 1, index
            position += 1 if hunk > 1 else 0
            continue
        if not hunk or text.startswith("\\"):
            continue
        position += 1
        context = "\n".join(lines[start : index + 1])
        if text.startswith("-"):
            found[("LEFT", left)] = (position, hunk, context)
            left += 1
        elif text.startswith("+"):
            found[("RIGHT", right)] = (position, hunk, context)
            right += 1
        elif text.startswith(" "):
            found[("LEFT", left)] = found[("RIGHT", right)] = (position, hunk, context)
            left, right = left + 1, right + 1
    return found


def _unprocessable(*errors: str) -> ApiError:
    return ApiError(422, "Unprocessable Entity", errors=list(errors), documentation_url=_DOCS)


def _check_event(api: Api, call: Call, repo: Repo, issue: Issue, event: object) -> str:
    if event not in _EVENTS:
        raise _unprocessable(f"Event {event!r} is not one of APPROVE, REQUEST_CHANGES, COMMENT")
    login = call.token.login
    if event != "COMMENT" and login.lower() == issue.user.lower():
        verb = "approve" if event == "APPROVE" else "request changes on"
        raise _unprocessable(f"Can not {verb} your own pull request")
    if event == "APPROVE" and login == WORKFLOW_BOT and not repo.actions_create_pulls:
        raise ApiError(422, ACTIONS_MAY_NOT_CREATE)
    return _EVENTS[str(event)]


def _comments(api: Api, repo: Repo, issue: Issue, review: Review, raw: object) -> list[ReviewComment]:
    if not isinstance(raw, list):
        raise _unprocessable("comments must be an array")
    files = {f.filename: diff_lines(f.patch) for f in api.view.files(repo, issue)}
    made = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str) or not isinstance(item.get("body"), str):
            raise _unprocessable("Each comment needs a path and a body")
        side, line, start = item.get("side", "RIGHT"), item.get("line"), item.get("start_line")
        lines = files.get(item["path"], {})
        anchor = lines.get((str(side), line)) if isinstance(line, int) else None
        if anchor is None:
            raise _unprocessable(NOT_IN_DIFF)
        if start is not None:
            first = lines.get((str(item.get("start_side", side)), start)) if isinstance(start, int) else None
            if first is None or first[1] != anchor[1] or start >= line:
                raise _unprocessable("Pull request review thread start line must be part of the same hunk as the line.")
        made.append(ReviewComment(
            id=api.state.next_id(), repo=repo.full_name, pull_number=issue.number, user=review.user,
            body=item["body"], path=item["path"], commit_id=review.commit_id, line=line, diff_hunk=anchor[2],
            review_id=review.id, side=str(side), start_line=start, pending=True, position=anchor[0],
        ))
    return made


def create_review(api: Api, call: Call) -> Reply:
    """POST pulls/{pull_number}/reviews — pending without ``event``; the comments all land or none does."""
    repo, issue = pull_of(api, call)
    event, body = call.field("event"), call.field("body")
    if body is not None and not isinstance(body, str):
        raise _unprocessable("body must be a string")
    state = _check_event(api, call, repo, issue, event) if event is not None else "PENDING"
    if event in ("COMMENT", "REQUEST_CHANGES") and not body and not call.field("comments"):
        raise _unprocessable(f"Review body is required for {event}")
    head = api.view.live_head(repo, issue)
    review = Review(api.state.next_id(), repo.full_name, issue.number, call.token.login, body or "",
                    str(call.field("commit_id") or head), state)
    comments = _comments(api, repo, issue, review, call.field("comments", []))
    with api.state.lock:
        if state == "PENDING" and any(r.state == "PENDING" and r.user.lower() == review.user.lower()
                                      for r in _reviews_of(api, repo, issue)):
            raise _unprocessable("User can only have one pending review per pull request")
        api.state.reviews[review.id] = review
        for comment in comments:
            api.state.review_comments[comment.id] = comment
    if state != "PENDING":
        _publish(api, review)
    return Reply(200, api.view.review(repo, review))


def _reviews_of(api: Api, repo: Repo, issue: Issue) -> list[Review]:
    with api.state.lock:
        return sorted((r for r in api.state.reviews.values()
                       if r.repo.lower() == repo.full_name.lower() and r.pull_number == issue.number),
                      key=lambda r: r.id)


def _review(api: Api, call: Call) -> tuple[Repo, Review]:
    repo, issue = pull_of(api, call)
    with api.state.lock:
        review = api.state.reviews.get(call.int_param("review_id"))
    if review is None or (review.repo.lower(), review.pull_number) != (repo.full_name.lower(), issue.number):
        raise ApiError(404, "Not Found")
    if review.state == "PENDING" and review.user.lower() != call.token.login.lower():  # a draft is its author's
        raise ApiError(404, "Not Found")
    return repo, review


def _publish(api: Api, review: Review) -> None:
    with api.state.lock:
        review.submitted_at = now()
        for comment in api.state.review_comments.values():
            if comment.review_id == review.id:
                comment.pending = False


def submit_review(api: Api, call: Call) -> Reply:
    """POST pulls/{pull_number}/reviews/{review_id}/events — only a pending review, only by its author."""
    repo, review = _review(api, call)
    _, issue = pull_of(api, call)
    if review.state != "PENDING":
        raise _unprocessable("Can not submit a non-pending review")
    state = _check_event(api, call, repo, issue, call.field("event"))
    body = call.field("body")
    if isinstance(body, str):
        review.body = body
    review.state = state
    _publish(api, review)
    return Reply(200, api.view.review(repo, review))


def update_review(api: Api, call: Call) -> Reply:
    """PUT pulls/{pull_number}/reviews/{review_id} — a new summary; only its author may."""
    repo, review = _review(api, call)
    body = call.field("body")
    if not isinstance(body, str):
        raise _unprocessable("body wasn't supplied")
    if review.user.lower() != call.token.login.lower():
        raise ApiError(403, "Resource not accessible by integration")
    review.body = body
    return Reply(200, api.view.review(repo, review))


def delete_pending_review(api: Api, call: Call) -> Reply:
    """DELETE pulls/{pull_number}/reviews/{review_id} — a pending review and its comments; 422 once submitted."""
    repo, review = _review(api, call)
    if review.state != "PENDING":
        raise _unprocessable("Can not delete a non-pending pull request review")
    with api.state.lock:
        del api.state.reviews[review.id]
        for comment_id in [c.id for c in api.state.review_comments.values() if c.review_id == review.id]:
            del api.state.review_comments[comment_id]
    return Reply(200, api.view.review(repo, review))


def list_reviews(api: Api, call: Call) -> Reply:
    """GET pulls/{pull_number}/reviews — oldest first; a pending review only for its author."""
    repo, issue = pull_of(api, call)
    me = call.token.login.lower()
    found = [r for r in _reviews_of(api, repo, issue) if r.state != "PENDING" or r.user.lower() == me]
    page, headers = paginate(api, call, [api.view.review(repo, r) for r in found])
    return Reply(200, page, headers)


def get_review(api: Api, call: Call) -> Reply:
    """GET pulls/{pull_number}/reviews/{review_id}."""
    repo, review = _review(api, call)
    return Reply(200, api.view.review(repo, review))


def list_review_comments(api: Api, call: Call) -> Reply:
    """GET pulls/{pull_number}/reviews/{review_id}/comments — the review's own comments, oldest first."""
    repo, review = _review(api, call)
    with api.state.lock:
        ours = sorted((c for c in api.state.review_comments.values() if c.review_id == review.id), key=lambda c: c.id)
    page, headers = paginate(api, call, [api.view.review_comment(repo, c) for c in ours])
    return Reply(200, page, headers)


ROUTES = [
    Route("POST", R + "/reviews", create_review),
    Route("GET", R + "/reviews", list_reviews),
    Route("GET", R + "/reviews/{review_id}", get_review),
    Route("PUT", R + "/reviews/{review_id}", update_review),
    Route("DELETE", R + "/reviews/{review_id}", delete_pending_review),
    Route("POST", R + "/reviews/{review_id}/events", submit_review),
    Route("GET", R + "/reviews/{review_id}/comments", list_review_comments),
]
