"""``prpilot spend``: print a month of the repository's ledger as Markdown.

    GITHUB_TOKEN=... prpilot spend --repo owner/name [--month 2026-11]

In a workflow, ``prpilot spend >> "$GITHUB_STEP_SUMMARY"`` puts it in the job summary. The
budgets come from the same names as the repository variables (``PRPILOT_MONTHLY_BUDGET``,
``PRPILOT_USER_MONTHLY_BUDGET``, ``PRPILOT_RATE_LIMIT``) when they are set in the environment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from prpilot.actions.run_context import RunContext
from prpilot.billing.ledger import month_key
from prpilot.billing.spend import render, spend_report
from prpilot.commands import parser as cli_parser
from prpilot.errors import ConfigError
from prpilot.settings import parse_settings
from prpilot.task import utcnow

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def spend_main(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Read the ledger of ``--repo`` and print the month's report; return the exit code."""
    parser = cli_parser("spend", __doc__)
    parser.add_argument("--repo", default=env.get("GITHUB_REPOSITORY", ""), help="owner/name (GITHUB_REPOSITORY)")
    parser.add_argument("--month", help="YYYY-MM, UTC (default: this month)")
    args = parser.parse_args(argv)
    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or ""
    if not token:
        raise ConfigError("set GITHUB_TOKEN to a token that can read the repository's contents")
    if not re.fullmatch(r"[^/\s]+/[^/\s]+", args.repo or ""):
        raise ConfigError(f"--repo must be owner/name, not {args.repo!r}")
    now = utcnow()
    month = args.month or month_key(now)
    found = _MONTH.match(month)
    if not found:
        raise ConfigError(f"--month must look like 2026-11, not {month!r}")
    limits = parse_settings({
        "monthly-budget": env.get("PRPILOT_MONTHLY_BUDGET", ""),
        "user-monthly-budget": env.get("PRPILOT_USER_MONTHLY_BUDGET", ""),
        "rate-limit": env.get("PRPILOT_RATE_LIMIT", ""),
    }).limits

    from prpilot.github.rest import open_repository

    # The backend reads the month shards a decision at its clock's time needs: for a past month,
    # a clock in the middle of that month makes it read exactly that shard.
    clock = utcnow if month == month_key(now) else (lambda: datetime(int(found[1]), int(found[2]), 15, tzinfo=UTC))
    api_url = RunContext.from_env({**env, "GITHUB_REPOSITORY": args.repo}).api_url
    records = open_repository(token, api_url, args.repo).ledger(clock=clock).records()
    report = spend_report(records, month, now)
    current = month == month_key(now)
    print(render(report, args.repo, limits if current else limits.model_copy(update={"tasks_per_hour": None})))
    return 0
