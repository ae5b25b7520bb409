"""What prpilot says on the thread, in the pull request and in the job summary: pure text.

The status comment carries the task as hidden JSON (base64, so no ``-->`` in the data can end the
HTML comment) and a marker by which prpilot recognises, and leaves out of the model's context,
its own comments.
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from prpilot.billing.money import format_usd
from prpilot.task import CheckRun, Task, TaskStatus

MARKER = "<!-- prpilot:status -->"
_TASK_RE = re.compile(r"<!-- prpilot:task ([A-Za-z0-9+/=]+) -->")
_MAX_ANSWER = 6000
# GitHub refuses comments over 65,536 characters; the rest of the status comment needs the remainder.
_MAX_PATCH_IN_COMMENT = 50_000


class Progress(BaseModel):
    """The checklist shown while the task runs."""

    done: list[str] = []
    current: str | None = None


_MAX_EMBEDDED_FIELD = 2000  # GitHub refuses comment bodies over 65,536 characters


def _clip(value: object) -> object:
    text = value if isinstance(value, str) else None
    return text[:_MAX_EMBEDDED_FIELD] + "…" if text is not None and len(text) > _MAX_EMBEDDED_FIELD else value


def embed_task(task: Task) -> str:
    """The task as hidden JSON, long texts clipped so the comment stays within GitHub's limit."""
    compact = task.model_copy(
        update={
            "result": _clip(task.result),
            "user_request": _clip(task.user_request),
            "context": {key: _clip(value) for key, value in task.context.items()},
        }
    )
    data = base64.b64encode(compact.model_dump_json().encode()).decode()
    return f"<!-- prpilot:task {data} -->"


def extract_task(body: str) -> Task | None:
    """Read back the task a status comment carries; None when there is none or it is damaged."""
    match = _TASK_RE.search(body)
    if not match:
        return None
    try:
        return Task.model_validate_json(base64.b64decode(match.group(1)))
    except (binascii.Error, ValueError, ValidationError):
        return None


def _quote_request(request: str) -> str:
    first = request.strip().splitlines()[0] if request.strip() else ""
    return first if len(first) <= 120 else first[:117] + "…"


def _shorten(text: str) -> str:
    text = text.replace("<!--", "&lt;!--")  # an answer must not hide the rest of the comment
    if len(text) <= _MAX_ANSWER:
        return text
    return text[:_MAX_ANSWER] + "\n\n… (cut; the full answer is in the job summary)"


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
    run = f"[follow the run]({run_url})" + (f" (attempt {task.run_attempt})" if task.run_attempt > 1 else "")
    if status in (None, TaskStatus.SCHEDULED):
        lines.append(f"👀 On it: **{request}** — queued, {run}.")
    elif status is TaskStatus.RUNNING:
        lines.append(f"⏳ Working on **{request}** — {run}.")
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
        lines.append(f"🚫 Not started: **{request}**")
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
    lines += ["", embed_task(task)]
    return "\n".join(lines)


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
    lines += [cost, "", MARKER]
    return "\n".join(lines)


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


def job_summary(
    task: Task, *, cost: Decimal | float, model: str, answer: str, patch: str = "", checks: str = ""
) -> str:
    """Render the job summary: outcome, links and the usage table."""
    usage = task.usage
    lines = [
        f"## prpilot: {task.status.value if task.status else 'unknown'}",
        "",
        f"**Request** ({task.github_user}): {_quote_request(task.user_request)}",
        "",
    ]
    if task.pr_url:
        lines.append(f"**Pull request**: {task.pr_url}")
    if task.branch:
        lines.append(f"**Branch**: `{task.branch}`")
    lines += [
        "",
        "| model | model calls | prompt tokens | cached tokens | completion tokens | cost |",
        "|---|---:|---:|---:|---:|---:|",
        f"| `{model}` | {usage.calls} | {usage.prompt_tokens} | {usage.cached_tokens} | "
        f"{usage.completion_tokens} | {format_usd(cost)} |",
        "",
    ]
    if answer:
        lines += ["### Answer", "", answer.strip(), ""]
    if checks:
        lines += [checks, ""]
    if patch:
        lines += [patch_section(patch), ""]
    return "\n".join(lines)
