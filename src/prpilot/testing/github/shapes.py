"""GitHub's JSON shapes for users, repositories and git data, every URL built from the fake's own base."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from prpilot.testing.github.git_backend import CommitInfo, Signature, TreeEntry
from prpilot.testing.github.state import Repo, User

JSON = dict[str, Any]
DOCS = "https://docs.github.com/rest"


@dataclass(frozen=True)
class Urls:
    """The fake's two bases, like GitHub Enterprise: ``server`` for web and git, ``api`` for REST."""

    server: str
    api: str

    def repo_api(self, full_name: str) -> str:
        """Return the REST URL of a repository."""
        return f"{self.api}/repos/{full_name}"

    def repo_html(self, full_name: str) -> str:
        """Return the web URL of a repository."""
        return f"{self.server}/{full_name}"


def node_id(kind: str, number: int) -> str:
    """Return an opaque global node id like GitHub's."""
    return base64.b64encode(f"0:{kind}{number}".encode()).decode().rstrip("=")


def error(message: str, **extra: Any) -> JSON:
    """Return GitHub's error body."""
    return {"message": message, "documentation_url": DOCS, **extra}


def user(u: User, urls: Urls) -> JSON:
    """Return a ``simple-user``."""
    api = f"{urls.api}/users/{quote(u.login)}"
    return {
        "login": u.login,
        "id": u.id,
        "node_id": node_id("U", u.id),
        "avatar_url": f"{urls.server}/avatars/u/{u.id}",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{urls.server}/{quote(u.login)}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": u.type,
        "site_admin": False,
        "user_view_type": "public",
    }


def private_user(u: User, urls: Urls) -> JSON:
    """Return a ``private-user`` (the authenticated user)."""
    return {
        **user(u, urls),
        "user_view_type": "private",
        "name": u.login,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": u.created_at,
        "updated_at": u.created_at,
        "private_gists": 0,
        "total_private_repos": 0,
        "owned_private_repos": 0,
        "disk_usage": 0,
        "collaborators": 0,
        "two_factor_authentication": True,
    }


_REPO_URL_SUFFIXES = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def repository(repo: Repo, owner: User, urls: Urls, pushed_at: str, permission: str | None = None) -> JSON:
    """Return a ``repository``; ``permission`` adds the caller's ``permissions`` map."""
    api = urls.repo_api(repo.full_name)
    host = urls.server.split("://", 1)[1]
    shape: JSON = {
        "id": repo.id,
        "node_id": node_id("R", repo.id),
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": user(owner, urls),
        "private": repo.private,
        "visibility": "private" if repo.private else "public",
        "html_url": urls.repo_html(repo.full_name),
        "description": repo.description,
        "fork": repo.fork,
        "url": api,
        **{key: api + suffix for key, suffix in _REPO_URL_SUFFIXES.items()},
        "clone_url": f"{urls.server}/{repo.full_name}.git",
        "git_url": f"git://{host}/{repo.full_name}.git",
        "ssh_url": f"git@{host.split(':')[0]}:{repo.full_name}.git",
        "svn_url": urls.repo_html(repo.full_name),
        "mirror_url": None,
        "homepage": None,
        "language": None,
        "size": 0,
        "default_branch": repo.default_branch,
        "forks": 0,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers": 0,
        "watchers_count": 0,
        "open_issues": 0,
        "open_issues_count": 0,
        "has_issues": True,
        "has_projects": True,
        "has_wiki": True,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "is_template": False,
        "license": None,
        "topics": [],
        "allow_forking": True,
        "web_commit_signoff_required": False,
        "created_at": repo.created_at,
        "updated_at": pushed_at,
        "pushed_at": pushed_at,
    }
    if permission is not None:
        rank = ("none", "read", "triage", "write", "maintain", "admin").index(permission)
        shape["permissions"] = {
            "admin": rank >= 5, "maintain": rank >= 4, "push": rank >= 3, "triage": rank >= 2, "pull": rank >= 1,
        }
    return shape


def date(iso: str) -> str:
    """Normalise git's ISO dates to GitHub's ``Z`` form."""
    return iso.replace("+00:00", "Z")


def signature(sig: Signature) -> JSON:
    """Return a git author/committer object."""
    return {"name": sig.name, "email": sig.email, "date": date(sig.date)}


_UNSIGNED = {"verified": False, "reason": "unsigned", "signature": None, "payload": None, "verified_at": None}


def git_commit(c: CommitInfo, full_name: str, urls: Urls) -> JSON:
    """Return a ``git-commit``."""
    api = urls.repo_api(full_name)
    return {
        "sha": c.sha,
        "node_id": node_id("C", int(c.sha[:8], 16)),
        "url": f"{api}/git/commits/{c.sha}",
        "html_url": f"{urls.repo_html(full_name)}/commit/{c.sha}",
        "author": signature(c.author),
        "committer": signature(c.committer),
        "tree": {"sha": c.tree, "url": f"{api}/git/trees/{c.tree}"},
        "message": c.message,
        "parents": [
            {"sha": p, "url": f"{api}/git/commits/{p}", "html_url": f"{urls.repo_html(full_name)}/commit/{p}"}
            for p in c.parents
        ],
        "verification": dict(_UNSIGNED),
    }


def commit(c: CommitInfo, full_name: str, urls: Urls) -> JSON:
    """Return a ``commit`` (the REST commits resource)."""
    api = urls.repo_api(full_name)
    return {
        "sha": c.sha,
        "node_id": node_id("C", int(c.sha[:8], 16)),
        "url": f"{api}/commits/{c.sha}",
        "html_url": f"{urls.repo_html(full_name)}/commit/{c.sha}",
        "comments_url": f"{api}/commits/{c.sha}/comments",
        "commit": {
            "author": signature(c.author),
            "committer": signature(c.committer),
            "message": c.message,
            "comment_count": 0,
            "tree": {"sha": c.tree, "url": f"{api}/git/trees/{c.tree}"},
            "url": f"{api}/git/commits/{c.sha}",
            "verification": dict(_UNSIGNED),
        },
        "author": None,
        "committer": None,
        "parents": [
            {"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{urls.repo_html(full_name)}/commit/{p}"}
            for p in c.parents
        ],
    }


def git_ref(full_name: str, ref: str, sha: str, kind: str, urls: Urls) -> JSON:
    """Return a ``git-ref`` for the fully qualified ``ref``."""
    api = urls.repo_api(full_name)
    plural = {"commit": "commits", "tree": "trees", "blob": "blobs", "tag": "tags"}.get(kind, "commits")
    return {
        "ref": ref,
        "node_id": base64.b64encode(f"0:REF{full_name}:{ref}".encode()).decode().rstrip("="),
        "url": f"{api}/git/{quote(ref)}",
        "object": {"type": kind, "sha": sha, "url": f"{api}/git/{plural}/{sha}"},
    }


def git_tree(full_name: str, sha: str, entries: list[TreeEntry], urls: Urls) -> JSON:
    """Return a ``git-tree``."""
    api = urls.repo_api(full_name)
    items = []
    for e in entries:
        item: JSON = {"path": e.path, "mode": e.mode, "type": e.type, "sha": e.sha,
                      "url": f"{api}/git/{e.type}s/{e.sha}"}
        if e.size is not None:
            item["size"] = e.size
        items.append(item)
    return {"sha": sha, "url": f"{api}/git/trees/{sha}", "tree": items, "truncated": False}


def content_entry(full_name: str, path: str, ref: str, kind: str, sha: str, size: int, urls: Urls) -> JSON:
    """Return the fields shared by a content file and a directory listing item."""
    api = urls.repo_api(full_name)
    web_kind = "tree" if kind == "dir" else "blob"
    html = f"{urls.repo_html(full_name)}/{web_kind}/{ref}/{quote(path)}"
    git_url = f"{api}/git/{'trees' if kind == 'dir' else 'blobs'}/{sha}"
    self_url = f"{api}/contents/{quote(path)}?ref={quote(ref)}"
    return {
        "type": kind,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "size": size,
        "url": self_url,
        "html_url": html,
        "git_url": git_url,
        "download_url": f"{urls.repo_html(full_name)}/raw/{ref}/{quote(path)}" if kind == "file" else None,
        "_links": {"self": self_url, "git": git_url, "html": html},
    }


def content_file(full_name: str, path: str, ref: str, sha: str, data: bytes, urls: Urls) -> JSON:
    """Return a ``content-file`` with base64 content wrapped at 60 columns like GitHub."""
    encoded = base64.b64encode(data).decode()
    wrapped = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60))
    return {
        **content_entry(full_name, path, ref, "file", sha, len(data), urls),
        "content": wrapped + "\n" if wrapped else "",
        "encoding": "base64",
    }
