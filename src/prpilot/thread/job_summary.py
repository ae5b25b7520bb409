"""The job summary and the step's outputs: what the run's page shows about a task."""

from __future__ import annotations

from decimal import Decimal

from prpilot.billing.money import format_usd
from prpilot.task import Task
from prpilot.thread.acknowledgement import quote_request as _quote_request
from prpilot.thread.markdown import fit, patch_section

MAX_SUMMARY_BYTES = 1_000_000  # GitHub drops a step's summary over 1 MiB
MAX_OUTPUT_CHARS = 65_536  # the result output: the whole answer is in the summary and on the thread


def _budget_lines(task: Task, cost: Decimal) -> list[str]:
    """The month to date with this task, and what each monthly budget has left after it (from admission's figures)."""
    known = task.allowance
    if known is None or known.month_spent_usd is None:
        return []  # admitted without a ledger (or before prpilot counted the month): nothing to add it to

    def after(left: Decimal | None) -> Decimal | None:
        return None if left is None else max(Decimal(0), left - cost)

    parts = [f"**This month** ({_month(task)}): {format_usd(known.month_spent_usd + cost)} spent with this task"]
    month_left, user_left = after(known.month_left_usd), after(known.user_left_usd)
    if known.month_budget_usd is not None and month_left is not None:
        parts.append(f"{format_usd(month_left)} of the {format_usd(known.month_budget_usd)} monthly budget left")
    if known.user_budget_usd is not None and user_left is not None:
        spent = "" if known.user_spent_usd is None else f" ({format_usd(known.user_spent_usd + cost)} spent)"
        parts.append(f"{format_usd(user_left)} of @{task.github_user}'s {format_usd(known.user_budget_usd)} "
                     f"left{spent}")
    return ["; ".join(parts) + ".", ""]


def _month(task: Task) -> str:
    """The UTC month the task was admitted in, as 2026-11."""
    return f"{task.created_at:%Y-%m} UTC"


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
        *(
            f"| `{share.model}` | {share.usage.calls:,} | {share.usage.prompt_tokens:,} | "
            f"{share.usage.cached_tokens:,} | {share.usage.completion_tokens:,} | {format_usd(share.cost_usd)} |"
            for share in task.model_usage
            if len(task.model_usage) > 1  # a fallback took over: each model's share, then the total
        ),
        f"| {'total' if len(task.model_usage) > 1 else f'`{model}`'} | {usage.calls:,} | {usage.prompt_tokens:,} | "
        f"{usage.cached_tokens:,} | {usage.completion_tokens:,} | {format_usd(cost)} |",
        "",
    ]
    lines += _budget_lines(task, Decimal(str(cost)))
    if answer:
        lines += ["### Answer", "", fit(answer.strip(), MAX_SUMMARY_BYTES // 4), ""]
    if checks:
        lines += [checks, ""]
    if patch:
        lines += [patch_section(patch), ""]
    text = "\n".join(lines)
    if len(text.encode("utf-8")) <= MAX_SUMMARY_BYTES:
        return text
    note = "\n\n… (cut: GitHub drops a job summary over 1 MiB)\n"
    cut = text.encode("utf-8")[: MAX_SUMMARY_BYTES - len(note.encode())].decode("utf-8", "ignore")
    return cut + note


def bounded_output(text: str) -> str:
    """An output's value cut to :data:`MAX_OUTPUT_CHARS`, saying so."""
    return fit(text, MAX_OUTPUT_CHARS)


# Fenced blocks and inline code, where GitHub neither notifies nor closes: left as written.
