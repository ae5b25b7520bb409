"""Repository routes: repo, branch, contents, collaborator permission, and the authenticated user."""

from __future__ import annotations

import base64
import binascii

from prpilot.testing.github import shapes
from prpilot.testing.github.git_backend import Signature
from prpilot.testing.github.router import Api, ApiError, Call, Reply, Route
from prpilot.testing.github.state import now

R = "/repos/{owner}/{repo}"


def get_authenticated(api: Api, call: Call) -> Reply:
    """GET /user — an app's installation token (the workflow token) may not read it."""
    who = api.state.user(call.token.login)
    if who.type == "Bot":
        raise ApiError(403, "Resource not accessible by integration")
    return Reply(200, shapes.private_user(who, api.urls))


def graphql(api: Api, call: Call) -> Reply:
    """POST /graphql — only ``viewer { login }``, which answers for an installation token too."""
    query = " ".join(str(call.field("query", "")).split())
    if query.replace(" ", "") not in ("query{viewer{login}}", "{viewer{login}}"):
        return Reply(200, {"errors": [{"message": f"the fake GitHub answers only viewer {{ login }}, not {query!r}"}]})
    return Reply(200, {"data": {"viewer": {"login": api.state.user(call.token.login).login}}})


def get_repo(api: Api, call: Call) -> Reply:
    """GET /repos/{owner}/{repo}."""
    repo = api.repo(call)
    viewer = None if call.token.login.endswith("[bot]") else call.token.login
    return Reply(200, api.view.full_repo(repo, viewer))


def get_branch(api: Api, call: Call) -> Reply:
    """GET /repos/{owner}/{repo}/branches/{branch} — read live from the bare repo."""
    repo = api.repo(call)
    branch = call.params["branch"]
    sha = repo.git.ref_sha(f"refs/heads/{branch}")
    info = repo.git.commit_info(sha) if sha else None
    if info is None:
        raise ApiError(404, "Branch not found")
    base = api.urls.repo_api(repo.full_name)
    return Reply(200, {
        "name": branch,
        "commit": shapes.commit(info, repo.full_name, api.urls),
        "_links": {"self": f"{base}/branches/{branch}",
                   "html": f"{api.urls.repo_html(repo.full_name)}/tree/{branch}"},
        "protected": False,
        "protection": {"enabled": False,
                       "required_status_checks": {"enforcement_level": "off", "contexts": [], "checks": []}},
        "protection_url": f"{base}/branches/{branch}/protection",
    })


def get_content(api: Api, call: Call) -> Reply:
    """GET /repos/{owner}/{repo}/contents/{path}?ref= — a file (base64) or a directory listing."""
    repo = api.repo(call)
    ref = call.query.get("ref") or repo.default_branch
    commit = repo.git.resolve(ref)
    path = call.params.get("path", "").strip("/")
    found = repo.git.read_path(commit, path) if commit else None
    if found is None:
        raise ApiError(404, "Not Found")
    _, sha, data = found
    if isinstance(data, bytes):
        return Reply(200, shapes.content_file(repo.full_name, path, ref, sha, data, api.urls))
    listing = [
        shapes.content_entry(repo.full_name, f"{path}/{e.path}".strip("/"), ref,
                             "dir" if e.type == "tree" else "file", e.sha, e.size or 0, api.urls)
        for e in data
    ]
    return Reply(200, listing)


def put_content(api: Api, call: Call) -> Reply:
    """PUT /repos/{owner}/{repo}/contents/{path} — commit one file on a branch."""
    repo = api.repo(call)
    path = call.params["path"].strip("/")
    message, content = call.field("message"), call.field("content")
    if not isinstance(message, str) or not isinstance(content, str):
        raise ApiError(422, "Invalid request.\n\n\"message\" and \"content\" are required.")
    try:
        data = base64.b64decode(content, validate=True)
    except binascii.Error as exc:
        raise ApiError(422, "content is not valid Base64") from exc
    branch = call.field("branch") or repo.default_branch
    with repo.git.ref_lock:
        parent = repo.git.ref_sha(f"refs/heads/{branch}")
        if parent is None and branch != repo.default_branch:
            raise ApiError(404, f"Branch {branch} not found")
        existing = repo.git.read_path(parent, path) if parent else None
        given = call.field("sha")
        if existing is not None and given is None:
            raise ApiError(422, "Invalid request.\n\n\"sha\" wasn't supplied.")
        if existing is not None and given != existing[1]:
            raise ApiError(409, f"{path} does not match {given}")
        who = author_of(api, call, "committer")
        author = author_of(api, call, "author") if call.field("author") else who
        blob = repo.git.hash_blob(data)
        base_tree = repo.git.text("rev-parse", f"{parent}^{{tree}}") if parent else None
        tree = repo.git.build_tree(base_tree, [{"path": path, "mode": "100644", "type": "blob", "sha": blob}])
        sha = repo.git.commit_tree(tree, [parent] if parent else [], message, author, who)
        if not repo.git.swap_ref(f"refs/heads/{branch}", sha, parent):
            raise ApiError(409, f"{branch} moved; try again")
    info = repo.git.commit_info(sha)
    assert info is not None
    entry = shapes.content_entry(repo.full_name, path, branch, "file", blob, len(data), api.urls)
    return Reply(200 if existing else 201,
                 {"content": entry, "commit": shapes.git_commit(info, repo.full_name, api.urls)})


def author_of(api: Api, call: Call, key: str) -> Signature:
    """Return the ``author``/``committer`` of a write, defaulting to the token's identity."""
    given = call.field(key)
    if isinstance(given, dict) and given.get("name") and given.get("email"):
        return Signature(str(given["name"]), str(given["email"]), str(given.get("date") or now()))
    who = api.state.user(call.token.login)
    return Signature(who.login, f"{who.id}+{who.login}@users.noreply.localhost", now())


def get_permission(api: Api, call: Call) -> Reply:
    """GET /repos/{owner}/{repo}/collaborators/{username}/permission."""
    repo = api.repo(call)
    login = call.params["username"]
    with api.state.lock:
        known = api.state.users.get(login.lower())
    if known is None:
        raise ApiError(404, f"{login} is not a user")
    role = api.state.permission_of(repo, known.login)
    legacy = {"maintain": "write", "triage": "read"}.get(role, role)
    collaborator = {**api.view.user(known.login), "role_name": role}
    return Reply(200, {"permission": legacy, "role_name": role, "user": collaborator})


ROUTES = [
    Route("GET", "/user", get_authenticated),
    Route("POST", "/graphql", graphql),
    Route("GET", R, get_repo),
    Route("GET", R + "/branches/{branch}", get_branch),
    Route("GET", R + "/contents/{path}", get_content),
    Route("PUT", R + "/contents/{path}", put_content),
    Route("GET", R + "/collaborators/{username}/permission", get_permission),
]
