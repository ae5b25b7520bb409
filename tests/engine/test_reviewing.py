"""Posting a review: what the checkout holds after the agent ran never stalls the post nor leaks into it."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from prpilot.agent.workspace import MAX_READ_BYTES
from prpilot.engine.reviewing import _post
from prpilot.review.answer import ReviewAnswer
from prpilot.review.plan import EarlierComment, ReviewPlan
from prpilot.task import Task
from prpilot.testing.git_traps import finishes

SECONDS = 15.0  # far more than a post with every GitHub call answered at once takes on a loaded machine
LINE = "print('app')"


class _Reviews:
    """The review calls `_post` makes; every one answers at once."""

    def own_reviews(self, number: int, mark: str) -> list[Any]:
        return []

    def start_review(self, number: int, head: str, comments: list[Any]) -> int:
        return 1

    def submit_review(self, number: int, pending: int, event: str, body: str) -> Any:
        return SimpleNamespace(id=1, html_url="https://github.test/review/1")

    def reply_to_review_comment(self, number: int, comment_id: int, body: str) -> None:
        return None


def _post_over(root: Path) -> ReviewPlan:
    """Post a review of a pull request on which prpilot commented earlier on app.py's line 1, as ``LINE``."""
    engine = SimpleNamespace(
        checkout=SimpleNamespace(root=root), run_url="",
        settings=SimpleNamespace(review_max_comments=10, review_request_changes=False),
        _redact=lambda text: text,
    )
    task = Task(github_user="alice", github_project="o/r", user_request="review", pr_number=7, kind="review")
    earlier = [EarlierComment(id=5, path="app.py", line=1, diff_hunk=f"@@ -1 +1 @@\n+{LINE}")]
    _, plan = _post(cast(Any, engine), cast(Any, _Reviews()), task, "0" * 40, ReviewAnswer(summary="ok"), {}, earlier)
    return plan


@pytest.mark.parametrize("kind", ["fifo", "link-out"])
def test_posting_a_review_never_opens_a_fifo_or_follows_a_link_out(tmp_path: Path, kind: str) -> None:
    """In a review of a same-repository pull request the agent may run commands; one replaces a file prpilot
    commented on earlier with a FIFO, or a fork commits it as a link to one outside the checkout.

    Whether the earlier comment's line is still there is read from the checkout: a FIFO must not hang the
    post (nor a link to /dev/zero eat memory), and a file outside must not be read and compared, an oracle.
    """
    root = tmp_path / "work"
    root.mkdir()
    if kind == "fifo":
        fifo = root / "app.py"
        os.mkfifo(fifo)
    else:
        outside = tmp_path / "outside"
        outside.mkdir()
        fifo = outside / "pipe"
        os.mkfifo(fifo)
        (root / "app.py").symlink_to(fifo)

    assert finishes(lambda: _post_over(root), [fifo], SECONDS), f"posting the review hung reading app.py ({kind})"


@pytest.mark.parametrize(
    ("kind", "addressed"),
    [("file", []), ("crlf", []), ("link-in", []), ("link-out", [5]), ("link-into-git", [5]), ("too-big", [5])],
)
def test_an_earlier_comment_is_still_there_only_in_a_regular_file_of_the_checkout(
    tmp_path: Path, kind: str, addressed: list[int]
) -> None:
    """The line is read from a regular file of the checkout, outside .git, of at most MAX_READ_BYTES; anything
    else reads as a changed line (the earlier comment is answered as addressed)."""
    root = tmp_path / "work"
    (root / ".git").mkdir(parents=True)
    text = f"{LINE}\nmore\n"
    if kind in ("file", "too-big"):
        (root / "app.py").write_text(text)
    elif kind == "crlf":
        (root / "app.py").write_bytes(text.replace("\n", "\r\n").encode())
    elif kind == "link-in":
        (root / "src").mkdir()
        (root / "src" / "app.py").write_text(text)
        (root / "app.py").symlink_to("src/app.py")
    elif kind == "link-out":
        (tmp_path / "elsewhere.py").write_text(text)
        (root / "app.py").symlink_to(tmp_path / "elsewhere.py")
    else:
        (root / ".git" / "app.py").write_text(text)
        (root / "app.py").symlink_to(".git/app.py")
    if kind == "too-big":
        with (root / "app.py").open("ab") as handle:
            handle.truncate(MAX_READ_BYTES + 1)

    assert _post_over(root).addressed == addressed
