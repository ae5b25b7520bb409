"""prpilot spend: what a month of the repository's ledger cost, per day, requester, model and task.

    GITHUB_TOKEN=... prpilot spend [--repo owner/name] [--month 2026-11] [--json]

The repository is --repo, else GITHUB_REPOSITORY (set in a workflow), else the one the git remote
"origin" of the current directory points to on GITHUB_SERVER_URL (default https://github.com). The
token needs to read the repository's contents. The budgets come from the same names as the
repository variables (PRPILOT_MONTHLY_BUDGET, PRPILOT_USER_MONTHLY_BUDGET, PRPILOT_RATE_LIMIT) when
they are set in the environment. In a workflow the Markdown goes to the job summary too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from prpilot.billing.ledger import month_key
from prpilot.billing.spend import document, render, spend_report
from prpilot.commands import parser as cli_parser
from prpilot.errors import ConfigError, GitHubError, UsageError
from prpilot.settings import parse_settings
from prpilot.task import utcnow
from prpilot.wiring.context import RunContext

_MONTH = re.compile(r"^([1-9]\d{3})-(0[1-9]|1[0-2])$")  # years 1000 to 9999
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


def repository_from_remote(remote: str, server_url: str) -> str | None:
    """``owner/name`` of a git remote URL on ``server_url``'s host (https, ssh or scp-like), else None."""
    host = (urlparse(server_url).hostname or "").lower()
    scp = re.fullmatch(r"[^@/\s]+@([^:/\s]+):(.+)", remote)  # git@github.com:owner/name.git
    if scp:
        remote_host, path = scp[1], scp[2]
    else:
        parts = urlparse(remote)
        remote_host, path = parts.hostname or "", parts.path
    name = path.strip("/").removesuffix(".git")
    if not host or remote_host.lower() != host or not _REPOSITORY.fullmatch(name):
        return None
    return name


def _remote(cwd: Path) -> str:
    """The URL of the ``origin`` remote of the git repository around ``cwd``; empty when there is none."""
    import git

    try:
        return str(git.Repo(cwd, search_parent_directories=True).remote("origin").url)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError):
        return ""


def _repository(given: str, env: Mapping[str, str], server_url: str) -> str:
    if given or env.get("GITHUB_REPOSITORY"):
        repository = given or env["GITHUB_REPOSITORY"]
        if not _REPOSITORY.fullmatch(repository):
            raise UsageError(f"--repo must be owner/name, not {repository!r}")
        return repository
    remote = _remote(Path.cwd())
    found = repository_from_remote(remote, server_url) if remote else None
    if found is None:
        where = f"its git remote origin ({remote}) is not on {server_url}" if remote else "it is not a git checkout"
        raise UsageError(f"which repository? Pass --repo owner/name: {where}")
    return found


def spend_main(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Read the ledger and print the month's report (Markdown, or JSON with --json); return the exit code."""
    parser = cli_parser("spend", __doc__)
    parser.add_argument("--repo", default="", help="owner/name (default: GITHUB_REPOSITORY, else the git remote)")
    parser.add_argument("--month", help="YYYY-MM, UTC (default: this month)")
    parser.add_argument("--json", action="store_true",
                        help="print the report as JSON (docs/spend-report.schema.json) instead of Markdown")
    args = parser.parse_args(list(argv))
    now = utcnow()
    month = args.month or month_key(now)
    found = _MONTH.match(month)
    if not found:
        raise UsageError(f"--month must look like 2026-11, not {month!r}")
    server_url = (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
    repository = _repository(args.repo, env, server_url)
    variables = {"monthly-budget": "PRPILOT_MONTHLY_BUDGET", "user-monthly-budget": "PRPILOT_USER_MONTHLY_BUDGET",
                 "rate-limit": "PRPILOT_RATE_LIMIT"}
    for name, variable in variables.items():  # one at a time: a malformed value is named by its variable
        try:
            parse_settings({name: env.get(variable, "")})
        except ConfigError as exc:
            raise UsageError(exc.message.replace(f"input {name}", variable, 1)) from None
    limits = parse_settings({name: env.get(variable, "") for name, variable in variables.items()}).limits
    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN") or ""
    if not token:
        raise ConfigError("set GITHUB_TOKEN to a token that can read the repository's contents")

    from prpilot.billing.ref_ledger import ref_ledger
    from prpilot.github.rest import open_repository

    # Our own one-line error says what failed; urllib3's retry warnings would only repeat it, four times.
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    # The backend reads the month shards a decision at its clock's time needs: for a past month,
    # a clock in the middle of that month makes it read exactly that shard.
    current = month == month_key(now)
    clock = utcnow if current else (lambda: datetime(int(found[1]), int(found[2]), 15, tzinfo=UTC))
    api_url = RunContext.from_env({**env, "GITHUB_REPOSITORY": repository}).api_url
    github = open_repository(token, api_url, repository)
    records = ref_ledger(github.ledger_store(), clock=clock).records()
    # GitHub answers 404 both for a ledger not written yet and for a repository the token cannot see.
    if not records and not github.readable():
        raise GitHubError(f"cannot read {repository}'s ledger: the repository does not exist or the token cannot "
                          "see it", status=404)
    report = spend_report(records, month, now, server_url=server_url)
    limits = limits if current else limits.model_copy(update={"tasks_per_hour": None})
    if args.json:
        print(document(report, repository, limits).model_dump_json(indent=2))
        return 0
    text = render(report, repository, limits)
    print(text)
    if env.get("GITHUB_STEP_SUMMARY"):
        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
            summary.write(text)
    return 0
