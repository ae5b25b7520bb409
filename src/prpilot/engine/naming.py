"""Pure naming rules: working branch names and pull request titles."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from urllib.parse import urlsplit

BRANCH_PREFIX = "pilot/"
_MAX_SLUG = 48


def slugify(text: str, *, max_length: int = _MAX_SLUG) -> str:
    """Return a lower-case, dash-separated ASCII slug of ``text`` (``task`` when nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-") or "task"


def create_unique_branch_name(title: str, taken: Container[str]) -> str:
    """Return ``pilot/<slug>``, or ``pilot/<slug>-2``, ``-3``... when a name is taken."""
    base = BRANCH_PREFIX + slugify(title)
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def noreply_email(login: str, server_url: str, user_id: int | None = None) -> str:
    """The no-reply address GitHub credits to ``login``'s account: ``ID+login@users.noreply.HOST``.

    GitHub attributes a commit (or a ``Co-authored-by:`` trailer) to an account by this address
    without revealing the person's own; the ID form is the one GitHub hands out since 2017, the
    bare ``login@`` form the fallback when the event gave no ID. GitHub Enterprise Server uses its
    own hostname, so the host comes from GITHUB_SERVER_URL, never a constant.
    """
    host = urlsplit(server_url).hostname or "localhost"
    local = f"{user_id}+{login}" if user_id else login
    return f"{local}@users.noreply.{host}"
