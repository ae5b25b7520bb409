"""REST plumbing shared by the route modules: requests, replies, errors, routing and pagination."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode

from prpilot.testing.github.shapes import JSON, Urls, error
from prpilot.testing.github.state import Repo, State, Token
from prpilot.testing.github.view import View


@dataclass
class Call:
    """A REST request as a handler sees it (``path`` is relative to the API base)."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    token: Token
    params: dict[str, str] = field(default_factory=dict)

    def int_param(self, name: str) -> int:
        """Return a numeric path parameter; 404 when it is not a number."""
        try:
            return int(self.params[name])
        except ValueError as exc:
            raise ApiError(404, "Not Found") from exc

    def field(self, name: str, default: Any = None) -> Any:
        """Return a field of the JSON body object."""
        return self.body.get(name, default) if isinstance(self.body, dict) else default


@dataclass
class Reply:
    """A REST response."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """Raised by handlers: becomes GitHub's error body with ``status``."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body: JSON = error(message, **extra)


def validation_failed(message: str, resource: str = "PullRequest", field_name: str | None = None) -> ApiError:
    """Return GitHub's 422 "Validation Failed" error carrying ``message``."""
    item: JSON = {"resource": resource, "code": "custom", "message": message}
    if field_name is not None:
        item = {"resource": resource, "field": field_name, "code": "invalid"}
    return ApiError(422, "Validation Failed", errors=[item])


@dataclass
class Api:
    """What handlers work with: the state, the renderer and the base URLs."""

    state: State
    view: View
    urls: Urls

    def repo(self, call: Call) -> Repo:
        """Return the repository named by the path; 404 when unknown or invisible to the caller."""
        repo = self.state.repo(f"{call.params['owner']}/{call.params['repo']}")
        if repo is None:
            raise ApiError(404, "Not Found")
        if repo.private and self.state.permission_of(repo, call.token.login) == "none" \
                and not call.token.login.endswith("[bot]"):
            raise ApiError(404, "Not Found")
        return repo


Handler = Callable[[Api, Call], Reply]


@dataclass(frozen=True)
class Route:
    """One REST operation: method, GitHub path template, handler."""

    method: str
    template: str
    handler: Handler

    @property
    def pattern(self) -> re.Pattern[str]:
        """Compile the template; ``{ref}``, ``{path}`` and ``{branch}`` may span slashes."""
        def group(m: re.Match[str]) -> str:
            name = m.group(1)
            return f"(?P<{name}>.+)" if name in ("ref", "path", "branch") else f"(?P<{name}>[^/]+)"
        return re.compile("^" + re.sub(r"\{(\w+)\}", group, template_escape(self.template)) + "$")


def template_escape(template: str) -> str:
    """Escape regex metacharacters of a template but keep its ``{name}`` placeholders."""
    return re.sub(r"\\\{(\w+)\\\}", r"{\1}", re.escape(template))


class Router:
    """Matches a method and path to a route."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self._routes = [(r, r.pattern) for r in routes]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        """Return the route and its decoded path parameters, or None."""
        for route, pattern in self._routes:
            if route.method != method:
                continue
            m = pattern.match(path)
            if m:
                return route, {k: unquote(v) for k, v in m.groupdict().items()}
        return None


def paginate(api: Api, call: Call, items: Sequence[Any]) -> tuple[list[Any], dict[str, str]]:
    """Slice ``items`` by ``per_page``/``page`` and build GitHub's ``Link`` header."""
    try:
        per_page = max(1, min(100, int(call.query.get("per_page", "30"))))
        page = max(1, int(call.query.get("page", "1")))
    except ValueError as exc:
        raise ApiError(422, "Invalid pagination parameter") from exc
    last = max(1, -(-len(items) // per_page))
    chunk = list(items[(page - 1) * per_page : page * per_page])

    def link(n: int) -> str:
        query = {**call.query, "per_page": str(per_page), "page": str(n)}
        return f"{api.urls.api}{call.path}?{urlencode(query)}"

    rels = []
    if page < last:
        rels += [f'<{link(page + 1)}>; rel="next"', f'<{link(last)}>; rel="last"']
    if page > 1:
        rels += [f'<{link(1)}>; rel="first"', f'<{link(page - 1)}>; rel="prev"']
    return chunk, ({"Link": ", ".join(rels)} if rels else {})
