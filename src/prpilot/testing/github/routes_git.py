"""Git data API backed by the real bare repository (hash-object, read-tree, commit-tree, update-ref)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from prpilot.testing.github import shapes
from prpilot.testing.github.git_backend import GitError
from prpilot.testing.github.router import Api, ApiError, Call, Reply, Route
from prpilot.testing.github.routes_repos import author_of

R = "/repos/{owner}/{repo}"


def create_blob(api: Api, call: Call) -> Reply:
    """POST git/blobs."""
    repo = api.repo(call)
    content = call.field("content")
    if not isinstance(content, str):
        raise ApiError(422, "Invalid request.\n\n\"content\" wasn't supplied.")
    try:
        data = base64.b64decode(content) if call.field("encoding") == "base64" else content.encode()
    except binascii.Error as exc:
        raise ApiError(422, "content is not valid Base64") from exc
    sha = repo.git.hash_blob(data)
    return Reply(201, {"sha": sha, "url": f"{api.urls.repo_api(repo.full_name)}/git/blobs/{sha}"})


def create_tree(api: Api, call: Call) -> Reply:
    """POST git/trees — ``base_tree`` overlaid with entries; nested paths like ``a/b/c.json`` work."""
    repo = api.repo(call)
    entries = call.field("tree")
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "path" in e for e in entries):
        raise ApiError(422, "Invalid tree info")
    base_tree = call.field("base_tree")
    if base_tree and repo.git.object_type(f"{base_tree}^{{tree}}") != "tree":
        raise ApiError(422, "Invalid tree info", errors=["base_tree is not a valid tree oid"])
    for entry in entries:
        sha = entry.get("sha")
        if sha is not None and entry.get("content") is None and repo.git.object_type(str(sha)) is None:
            raise ApiError(422, "Invalid tree info", errors=[f"{sha} is not a valid object"])
    try:
        sha = repo.git.build_tree(base_tree, entries)
    except GitError as exc:
        raise ApiError(422, "Invalid tree info", errors=[str(exc)]) from exc
    return Reply(201, shapes.git_tree(repo.full_name, sha, repo.git.ls_tree(sha), api.urls))


def create_commit(api: Api, call: Call) -> Reply:
    """POST git/commits."""
    repo = api.repo(call)
    message, tree, parents = call.field("message"), call.field("tree"), call.field("parents", [])
    if not isinstance(message, str) or not isinstance(tree, str) or not isinstance(parents, list):
        raise ApiError(422, "Invalid request.\n\n\"message\" and \"tree\" are required.")
    if repo.git.object_type(tree) != "tree":
        raise ApiError(422, "Tree SHA does not exist")
    for parent in parents:
        if repo.git.object_type(str(parent)) != "commit":
            raise ApiError(422, "Parent SHA does not exist or is not a commit object")
    committer = author_of(api, call, "committer")
    author = author_of(api, call, "author") if call.field("author") else committer
    sha = repo.git.commit_tree(tree, [str(p) for p in parents], message, author, committer)
    info = repo.git.commit_info(sha)
    assert info is not None
    return Reply(201, shapes.git_commit(info, repo.full_name, api.urls))


def get_commit(api: Api, call: Call) -> Reply:
    """GET git/commits/{commit_sha}."""
    repo = api.repo(call)
    info = repo.git.commit_info(call.params["commit_sha"])
    if info is None:
        raise ApiError(404, "Not Found")
    return Reply(200, shapes.git_commit(info, repo.full_name, api.urls))


def _ref_reply(api: Api, full_name: str, ref: str, sha: str, kind: str | None, status: int) -> Reply:
    return Reply(status, shapes.git_ref(full_name, ref, sha, kind or "commit", api.urls))


def get_ref(api: Api, call: Call) -> Reply:
    """GET git/ref/{ref} — any ref under refs/, e.g. ``heads/main`` or ``prpilot/ledger``."""
    repo = api.repo(call)
    ref = "refs/" + call.params["ref"].removeprefix("refs/")
    sha = repo.git.ref_sha(ref)
    if sha is None:
        raise ApiError(404, "Not Found")
    return _ref_reply(api, repo.full_name, ref, sha, repo.git.object_type(sha), 200)


def create_ref(api: Api, call: Call) -> Reply:
    """POST git/refs — 422 when the ref already exists."""
    repo = api.repo(call)
    ref, sha = call.field("ref"), call.field("sha")
    if not isinstance(ref, str) or not ref.startswith("refs/") or ref.count("/") < 2:
        raise ApiError(422, "Reference name must start with 'refs/' and have at least two slashes.")
    if not isinstance(sha, str) or repo.git.object_type(sha) is None:
        raise ApiError(422, "Object does not exist")
    with repo.git.ref_lock:
        if not repo.git.swap_ref(ref, sha, None):
            raise ApiError(422, "Reference already exists")
    return _ref_reply(api, repo.full_name, ref, sha, repo.git.object_type(sha), 201)


def update_ref(api: Api, call: Call) -> Reply:
    """PATCH git/refs/{ref} — compare-and-swap; non-fast-forward needs ``force``."""
    repo = api.repo(call)
    ref = "refs/" + call.params["ref"].removeprefix("refs/")
    sha: Any = call.field("sha")
    if not isinstance(sha, str) or repo.git.object_type(sha) is None:
        raise ApiError(422, "Object does not exist")
    force = bool(call.field("force", False))
    with repo.git.ref_lock:  # serialize REST updates; update-ref <new> <old> also guards against pushes
        old = repo.git.ref_sha(ref)
        if old is None:
            raise ApiError(422, "Reference does not exist")
        if not force and not repo.git.is_ancestor(old, sha):
            raise ApiError(422, "Update is not a fast forward")
        if not repo.git.swap_ref(ref, sha, old):
            raise ApiError(422, "Update is not a fast forward")
    return _ref_reply(api, repo.full_name, ref, sha, repo.git.object_type(sha), 200)


ROUTES = [
    Route("POST", R + "/git/blobs", create_blob),
    Route("POST", R + "/git/trees", create_tree),
    Route("POST", R + "/git/commits", create_commit),
    Route("GET", R + "/git/commits/{commit_sha}", get_commit),
    Route("GET", R + "/git/ref/{ref}", get_ref),
    Route("POST", R + "/git/refs", create_ref),
    Route("PATCH", R + "/git/refs/{ref}", update_ref),
]
