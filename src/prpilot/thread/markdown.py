"""What prpilot says on the thread and in the pull request: pure text.

The status comment carries the task (``thread/records.py``) and a marker by which prpilot
recognises, and leaves out of the model's context, its own comments. The job summary is
``thread/job_summary.py``.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from pydantic import BaseModel

from prpilot.billing.money import format_usd
from prpilot.task import CheckRun, Task, TaskStatus
from prpilot.thread.acknowledgement import (
    MARKER,
    cap_part,
    queued_line,
    rejected_line,
    run_link,
    spending_sentence,
)
from prpilot.thread.acknowledgement import quote_request as _quote_request
from prpilot.thread.acknowledgement import shorten as _shorten
from prpilot.thread.records import embed_task

__all__ = ["MARKER", "Progress", "status_comment"]

MAX_COMMENT = 65_536  # GitHub refuses longer comment and pull request bodies
# GitHub refuses comments over 65,536 characters; the rest of the status comment needs the remainder.
_MAX_PATCH_IN_COMMENT = 50_000


class Progress(BaseModel):
    """The checklist shown while the task runs."""

    done: list[str] = []
    current: str | None = None


def spending_line(task: Task) -> str:
    """What the task may spend: its cap and, where monthly budgets are set, what they had left at admission."""
    parts = []
    if task.max_cost_usd is not None:
        parts.append(cap_part(task.max_cost_usd))
    left = task.allowance
    if left is not None and left.month_budget_usd is not None and left.month_left_usd is not None:
        parts.append(f"{format_usd(left.month_left_usd)} of the {format_usd(left.month_budget_usd)} "
                     "monthly budget left")
    if left is not None and left.user_budget_usd is not None and left.user_left_usd is not None:
        parts.append(f"{format_usd(left.user_left_usd)} of @{task.github_user}'s "
                     f"{format_usd(left.user_budget_usd)} left")
    return spending_sentence(parts)


def status_comment(
    task: Task,
    *,
    run_url: str,
    progress: Progress | None = None,
    detail: str = "",
    cost: str = "",
    patch: str = "",
    checks: str = "",
) -> str:
    """Render the status comment for the task's current state (``patch``: work that could not be pushed).

    ``checks`` is the :func:`checks_section` of the project's commands, when any ran.
    """
    request = _quote_request(task.user_request)
    lines = [MARKER]
    status = task.status
    run = run_link(run_url, task.run_attempt)
    if status in (None, TaskStatus.SCHEDULED):
        lines.append(queued_line(task.user_request, run_url, task.run_attempt))
        if spending := spending_line(task):
            lines += ["", spending]
    elif status is TaskStatus.RUNNING:
        lines.append(f"⏳ Working on **{request}** — {run}.")
        if spending := spending_line(task):
            lines += ["", spending]
        if progress:
            lines.append("")
            lines += [f"- [x] {step}" for step in progress.done]
            if progress.current:
                lines.append(f"- [ ] {progress.current}")
    elif status is TaskStatus.COMPLETED:
        lines.append(f"✅ Done: **{request}** ([run]({run_url}))")
        if task.pr_url:
            lines.append(f"\nPull request: {task.pr_url}")
        elif task.branch:
            lines.append(f"\nBranch: `{task.branch}`")
    elif status is TaskStatus.FAILED:
        lines.append(f"❌ Could not finish **{request}** ([run]({run_url})).")
    elif status is TaskStatus.REJECTED:
        lines.append(rejected_line(task.user_request))
    else:
        lines.append(f"⏭️ Skipped: **{request}**")
    if detail:
        lines += ["", _shorten(detail)]
    if checks:
        lines += ["", checks]
    if patch:
        lines += ["", patch_section(patch, limit=_MAX_PATCH_IN_COMMENT)]
    if cost:
        lines += ["", cost]
    tail = "\n\n" + embed_task(task)
    return fit("\n".join(lines), MAX_COMMENT - len(tail)) + tail


def fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying so; the last resort behind each part's own bound."""
    if len(text) <= limit:
        return text
    note = "\n\n… (cut to fit GitHub's size limit)"
    return text[: max(0, limit - len(note))] + note


def tool_names(names: list[str], *, shown: int = 5) -> str:
    """The tools of one step for the progress comment: as code (a model's name may hold anything), bounded."""
    safe = [f"`{re.sub(r'[^A-Za-z0-9_.-]', '', name)[:40] or '?'}`" for name in names[:shown]]
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(safe) + more


def first_line(text: str) -> str:
    """The first non-blank line of ``text``, cut to 200 characters: a short reply that points elsewhere."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= 200 else line[:199] + "…"


def patch_section(patch: str, *, limit: int | None = None) -> str:
    """The change that could not be pushed, as a patch to apply with ``git am`` (or where to find it)."""
    if limit is not None and len(patch) > limit:
        return (f"The change could not be pushed and is too large for a comment ({len(patch):,} characters): "
                "the job summary has it as a patch.")
    fence = "`" * max(3, _longest_backtick_run(patch) + 1)  # a fence the patch itself cannot close
    return "\n".join([
        "<details><summary>The change could not be pushed: here it is as a patch "
        "(save it and run <code>git am</code>)</summary>", "", f"{fence}diff", patch.rstrip("\n"), fence, "",
        "</details>",
    ])


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def pull_request_body(task: Task, answer: str, cost: str, *, cut_short: str = "", checks: str = "") -> str:
    """Render the body of the pull request the engine opens (``checks``: its :func:`checks_section`)."""
    lines = [f"Requested by @{task.github_user}: {_quote_request(task.user_request)}", ""]
    if task.issue_number is not None:
        lines += [f"Closes #{task.issue_number}", ""]
    if cut_short:
        lines += [f"> [!WARNING]\n> {cut_short}", ""]
    lines += ["### What the agent did", "", _shorten(answer.strip() or "(no summary)"), ""]
    if checks:
        lines += [checks, ""]
    lines += [cost]
    return fit("\n".join(lines), MAX_COMMENT - len(MARKER) - 2) + "\n\n" + MARKER


def branch_url(repo_url: str, branch: str) -> str:
    """The page of ``branch`` (a pull request's head may hold any character git allows)."""
    return f"{repo_url}/tree/{quote(branch, safe='/')}"


def compare_url(repo_url: str, base: str, head: str, *, title: str = "", body: str = "") -> str:
    """GitHub's page that opens a pull request from ``head`` into ``base`` (the default branch when empty).

    ``title`` and ``body`` prefill the form, so the person opening it keeps prpilot's title and ``Closes #N``.
    """
    span = f"{quote(base, safe='/')}...{quote(head, safe='/')}" if base else quote(head, safe="/")
    prefill = "".join(f"&{key}={quote(value, safe='')}" for key, value in (("title", title), ("body", body)) if value)
    return f"{repo_url}/compare/{span}?expand=1{prefill}"


def pull_request_by_hand(branch: str, base: str, repo_url: str, *, title: str = "", body: str = "") -> str:
    """What the thread is told when the change is pushed but GitHub Actions may not open its pull request."""
    link = compare_url(repo_url, base, branch, title=title, body=body)
    open_it = f"Open it yourself in one click:\n{link}" if repo_url else (
        f"Open one yourself from `{branch}` into `{base or 'the default branch'}`.")
    return (
        f"The change is on the branch `{branch}`, but GitHub Actions may not open pull requests in this "
        f"repository, so no pull request was opened. {open_it}\n\n"
        "To let prpilot open them, turn on **Allow GitHub Actions to create and approve pull requests** in the "
        "repository's Settings → Actions → General → Workflow permissions (an organization may have to allow it "
        "first, in its own Settings → Actions → General), or pass a GitHub App token or a personal access token "
        "as the `github-token` input."
    )


def pull_request_by_hand_warning(branch: str, base: str, repo_url: str) -> str:
    """The same news as one line, for the step's log."""
    where = compare_url(repo_url, base, branch) if repo_url else f"a pull request from {branch}"
    return (f"GitHub Actions may not open pull requests in this repository: the change is on the branch {branch}; "
            f"open {where} by hand, or allow it under Settings → Actions → General → Workflow permissions")


_MAX_CHECK_LINES = 60
_MAX_CHECK_CHARS = 4000


def _seconds(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 60 else f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def _code(text: str) -> str:
    """``text`` as inline code, whatever backticks it holds."""
    ticks = "`" * (_longest_backtick_run(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _check_line(run: CheckRun) -> str:
    if run.passed:
        return f"- ✅ {_code(run.command)} ({_seconds(run.seconds)})"
    if run.timed_out:
        how = "stopped: no time left"
    elif run.exit_code is None:
        how = "could not run"
    else:
        how = f"exit code {run.exit_code}"
    return f"- ❌ {_code(run.command)} ({how}, {_seconds(run.seconds)})"


def _check_output(run: CheckRun) -> str:
    lines = run.output.replace("<!--", "&lt;!--").splitlines()[-_MAX_CHECK_LINES:]
    text = "\n".join(lines)[-_MAX_CHECK_CHARS:]
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    summary = run.command if len(run.command) <= 80 else run.command[:79] + "…"
    summary = summary.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "\n".join([f"<details><summary>Output of <code>{summary}</code></summary>", "", f"{fence}text", text,
                      fence, "", "</details>"])


def checks_section(
    setup: list[CheckRun], checks: list[CheckRun], *, times: int = 0, rounds: int = 0, seconds: float = 0.0
) -> str:
    """The "Checks" section: each command with ✅ or ❌ and its duration, a failing one's output folded away.

    ``times`` is how often the checks ran, ``rounds`` how many fix rounds the agent had, ``seconds``
    how long every run of the checks took together.
    """
    if not setup and not checks:
        return ""
    lines = ["### Checks", ""]
    if setup:
        lines += [f"Setup ({_seconds(sum(run.seconds for run in setup))}):", ""]
        lines += [_check_line(run) for run in setup]
        lines += [_check_output(run) for run in setup if not run.passed]
        lines.append("")
    if checks:
        if times > 1:
            fixes = f"{rounds} fix round{'s' if rounds != 1 else ''}"
            lines += [f"The checks ran {times} times ({fixes}, {_seconds(seconds)} in all); the last run:", ""]
        lines += [_check_line(run) for run in checks]
        failing = [_check_output(run) for run in checks if not run.passed]
        if failing:
            lines += ["", *failing]
    return "\n".join(lines).rstrip()


_CODE = re.compile(r"(^|\n)(`{3,}|~{3,})[^\n]*\n.*?(?:\n\2[`~]*[ \t]*(?=\n|$)|$)|`+[^`]*?`+", re.DOTALL)
_MENTION = re.compile(r"(?<![A-Za-z0-9_`/.@-])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))(/[A-Za-z0-9_-]+)?(?![A-Za-z0-9_-])")
# https://docs.github.com/en/issues/tracking-your-work-with-issues/linking-a-pull-request-to-an-issue
_CLOSING = re.compile(
    r"\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)(\s*:?\s+)"
    r"((?:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?#(\d+)|https?://\S+/(?:issues|pull)/(\d+))",
    re.IGNORECASE,
)


def neutralise(text: str, *, requester: str, issue: int | None) -> str:
    """The agent's text made harmless on GitHub: mentions as code (but the requester's), and closing
    keywords only for the task's own issue (``Closes #7`` for another issue becomes code)."""
    out, last = [], 0
    for code in _CODE.finditer(text):
        out += [_neutralise_prose(text[last : code.start()], requester, issue), code.group(0)]
        last = code.end()
    out.append(_neutralise_prose(text[last:], requester, issue))
    return "".join(out)


def without_foreign_closing(title: str, *, issue: int | None) -> str:
    """A title the model wrote, for the commit message and pull request: a closing keyword for another
    issue becomes "Refs" (a commit "Fixes #7" merged to the default branch would close #7)."""

    def refs(match: re.Match[str]) -> str:
        number = int(match.group(4) or match.group(5))
        own = issue is not None and number == issue and "/" not in match.group(3).partition("#")[0]
        return match.group(0) if own else f"Refs{match.group(2)}{match.group(3)}"

    return _CLOSING.sub(refs, title)


def _neutralise_prose(text: str, requester: str, issue: int | None) -> str:
    def closing(match: re.Match[str]) -> str:
        number = int(match.group(4) or match.group(5))
        own = issue is not None and number == issue and "/" not in match.group(3).partition("#")[0]
        return match.group(0) if own else f"`{match.group(0)}`"

    def mention(match: re.Match[str]) -> str:
        if match.group(1).casefold() == requester.casefold() and not match.group(2):
            return match.group(0)
        return f"`{match.group(0)}`"

    parts = re.split(r"(`[^`]*`)", _CLOSING.sub(closing, text))  # keywords just made code stay as they are
    return "".join(part if part.startswith("`") else _MENTION.sub(mention, part) for part in parts)
