"""The action's inputs and outputs: declared once here, read from ``INPUT_<NAME>`` variables.

GitHub passes an action input ``foo-bar`` as the environment variable ``INPUT_FOO-BAR`` (upper-cased,
spaces to underscores, dashes kept). A composite action gets none by itself, so action.yml maps
each input into the environment of the steps that read it; ``tests/test_action_yml.py`` checks that
action.yml declares and maps exactly what is listed here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict

from prpilot.command_limits import DEFAULT_COMMAND_LIMITS, CommandLimits, parse_command_limits
from prpilot.errors import ConfigError
from prpilot.masking import shown


class Step(StrEnum):
    """The composite action's steps that read inputs."""

    SCHEDULE = "schedule"
    ENGINE = "engine"
    FINISH = "finish"  # closes a task whose engine step was killed before it could


S, E, F = Step.SCHEDULE, Step.ENGINE, Step.FINISH

# name -> (steps that read it, description). Defaults live in action.yml (the one place GitHub
# reads them); ``DEFAULTS`` below repeats them for library and CLI use, and the test keeps both equal.
# A malformed value is said by the first step that reads it, before admission: so the schedule step
# also reads the engine's inputs it can check (never its keys).
INPUTS: dict[str, tuple[frozenset[Step], str]] = {
    "github-token": (frozenset({S, E, F}), "Token for the GitHub API and for pushing the working branch."),
    "openai-api-key": (
        frozenset({E}),
        "API key of the OpenAI-compatible model endpoint; with openai-base-url also empty, the model is called "
        "through Copilot requests with the github-token (the workflow needs permissions: copilot-requests: write).",
    ),
    "openai-base-url": (frozenset({S, E}), "Base URL of the OpenAI-compatible endpoint (OpenAI, Azure, vLLM...)."),
    "model": (
        frozenset({S, E, F}),
        "Model name sent to the endpoint and used for pricing; the default is served by OpenAI and by Copilot.",
    ),
    "model-api": (
        frozenset({E}),
        "auto, chat-completions or responses: the API the model is called through (auto: Responses for the "
        "models that only have it, Chat Completions otherwise).",
    ),
    "max-output-tokens": (
        frozenset({S, E}), "Most tokens the model may write in one reply, sent on every agent request."
    ),
    "reasoning-effort": (frozenset({E}), "Reasoning effort for the models that take it (low, medium, high...); "
                                         "empty: the endpoint's default."),
    "copilot-integration-id": (
        frozenset({E}),
        "Copilot-Integration-Id header sent with Copilot requests (the no-secret endpoint).",
    ),
    "fallback-model": (
        frozenset({S, E}), "Model that takes over when the model's endpoint keeps failing; empty: none."
    ),
    "fallback-base-url": (frozenset({S, E}), "Base URL of the fallback model's endpoint; empty: the model's own."),
    "fallback-api-key": (frozenset({E}), "API key for the fallback endpoint; empty: the model's own key."),
    "max-steps": (
        frozenset({S, E}),
        "Most model calls the agent may make for one task (the title call after the work is not one of them).",
    ),
    "max-minutes": (frozenset({S, E}), "Wall-clock limit for the agent, in minutes."),
    "max-cost": (frozenset({S, E}), "Cost cap per task in USD, held against the budgets while it runs; empty: no cap."),
    "trigger": (frozenset({S}), "Word that starts a request in a comment."),
    "trigger-label": (frozenset({S}), "Issue label that triggers a task when an issue is opened or labeled."),
    "mode": (frozenset({S}), "review: review each pull request a pull_request event names (opened, pushed to)."),
    "allow-edited": (frozenset({S}), "Also act on edited comments (true/false)."),
    "allowed-bots": (frozenset({S}), "Comma-separated bot logins allowed to trigger tasks."),
    "monthly-budget": (frozenset({S}), "Project budget in USD per calendar month (pass vars.PRPILOT_MONTHLY_BUDGET)."),
    "user-monthly-budget": (frozenset({S}), "Per-user USD budget a month (vars.PRPILOT_USER_MONTHLY_BUDGET)."),
    "rate-limit": (frozenset({S}), "Most tasks per rolling hour (pass vars.PRPILOT_RATE_LIMIT)."),
    "strategy": (frozenset({S}), "Where the task runs: actions, thread, log, redis, dispatch or kubernetes."),
    "task": (frozenset({S}), "A task handed over by the dispatch strategy (JSON); set only in worker workflows."),
    "redis-url": (frozenset({S}), "Redis URL for the redis strategy."),
    "worker-workflow": (frozenset({S}), "Workflow file that runs tasks for the dispatch strategy."),
    "kubernetes-image": (frozenset({S}), "Image with prpilot for the kubernetes strategy's Jobs."),
    "kubernetes-namespace": (frozenset({S}), "Namespace of the kubernetes strategy's Jobs."),
    "kubernetes-secret": (frozenset({S}), "Secret whose keys become the Job's environment (INPUT_* settings)."),
    "billing-url": (frozenset({S, E, F}), "Endpoint that receives each bill as JSON (optional)."),
    "billing-token": (frozenset({S, E, F}), "Bearer token for the billing endpoint."),
    "prices": (frozenset({S, E, F}), "Price table override: JSON or a file path (USD per million tokens)."),
    "draft": (frozenset({S, E}), "Open pull requests as drafts (true/false)."),
    "pr-labels": (frozenset({E}), "Comma-separated labels for opened pull requests."),
    "allowed-commands": (frozenset({E}), "Comma-separated command prefixes the agent may run; empty: no run_command."),
    "command-network": (frozenset({S, E}), "Let allowed commands reach the network (true/false)."),
    "command-limits": (frozenset({S, E}), "Raise or lower the limits of each command: cpu-seconds, memory, processes, "
                                          "open-files, file-size, tmp (e.g. memory=8G tmp=2G)."),
    "allow-workflow-edits": (frozenset({S, E}), "Let the agent edit .github/workflows (true/false)."),
    "include-untrusted-comments": (frozenset({S, E}), "Show the model comments by users without write access."),
    "setup": (frozenset({E}), "Commands, one per line, run once in the sandbox before the agent starts (network on)."),
    "verify": (frozenset({E}), "Check commands, one per line, run in the sandbox after the agent's changes."),
    "verify-rounds": (frozenset({S, E}), "How many times failing checks go back to the agent to fix."),
    "ci-workflows": (
        frozenset({S, E}), "Comma-separated workflow files to start on the working branch after the push."
    ),
    "review-max-comments": (
        frozenset({S, E}), "Most inline comments one `/pilot review` posts; the rest go in its summary.",
    ),
    "output-schema": (
        frozenset({E}),
        "JSON Schema (inline JSON or a file in the repository) the final answer must match; sets structured-output.",
    ),
    "review-request-changes": (
        frozenset({S, E}),
        "Let a review ask for changes (REQUEST_CHANGES) when the model says so (true/false); a review never approves.",
    ),
}

DEFAULTS: dict[str, str] = {
    "github-token": "${{ github.token }}",
    "openai-api-key": "",
    "openai-base-url": "",
    "model": "gpt-5-mini",
    "model-api": "auto",
    "max-output-tokens": "16384",
    "reasoning-effort": "",
    "copilot-integration-id": "copilot-developer-cli",
    "fallback-model": "",
    "fallback-base-url": "",
    "fallback-api-key": "",
    "max-steps": "30",
    "max-minutes": "20",
    "max-cost": "",
    "trigger": "/pilot",
    "trigger-label": "",
    "mode": "",
    "allow-edited": "false",
    "allowed-bots": "",
    "monthly-budget": "",
    "user-monthly-budget": "",
    "rate-limit": "",
    "strategy": "actions",
    "task": "",
    "redis-url": "",
    "worker-workflow": "",
    "kubernetes-image": "",
    "kubernetes-namespace": "default",
    "kubernetes-secret": "",
    "billing-url": "",
    "billing-token": "",
    "prices": "",
    "draft": "false",
    "pr-labels": "",
    "allowed-commands": "",
    "command-network": "false",
    "command-limits": DEFAULT_COMMAND_LIMITS,
    "allow-workflow-edits": "false",
    "include-untrusted-comments": "false",
    "setup": "",
    "verify": "",
    "verify-rounds": "2",
    "ci-workflows": "",
    "review-max-comments": "10",
    "review-request-changes": "false",
    "output-schema": "",
}

# The action's public outputs (name -> description).
OUTPUTS: dict[str, str] = {
    "status": ("completed, failed, rejected or skipped; scheduled when the task was handed to a worker "
               "(redis, dispatch or kubernetes strategy)."),
    "task-id": "The task's id.",
    "branch": "The branch the work was pushed to.",
    "pr-number": "Number of the pull request opened or updated.",
    "pr-url": "URL of that pull request.",
    "cost": "Cost of the task in USD, from the API's reported usage.",
    "prompt-tokens": "Prompt tokens over every model call of the task.",
    "cached-tokens": "Cached prompt tokens over every model call of the task.",
    "completion-tokens": "Completion tokens over every model call of the task.",
    "models": "Usage and cost per model as JSON (two entries when the fallback model took over).",
    "result": "The agent's answer, or why the task did not run.",
    "verify": "passed, failed or skipped (no verify commands, or no changes to check).",
    "review-id": "Id of the pull request review holding the summary of a `/pilot review` task.",
    "review-comments": "How many inline comments that review posted.",
    "structured-output": "The final answer as one line of JSON, when output-schema is set.",
}

# Outputs of the run step that only the action itself reads: its scheduling's, then its engine's (run_step.py).
SCHEDULE_STEP_OUTPUTS = ("admitted", "task-file", "engine-started", "ended")

SECRET_INPUTS = ("github-token", "openai-api-key", "fallback-api-key", "billing-token")

# The Copilot API on GitHub.com, OpenAI-compatible; GHE.com tenants and GitHub Enterprise Server have their own
# hosts (see copilot_api_url). The same rule as GitHub's own agentic-workflows proxy, github/gh-aw-firewall
# containers/api-proxy/providers/copilot-auth.js (deriveCopilotApiTarget), read 2026-12-07.
COPILOT_API_URL = "https://api.githubcopilot.com"

MODEL_APIS = ("auto", "chat-completions", "responses")

STRATEGIES = ("actions", "thread", "log", "redis", "dispatch", "kubernetes")

# The agent's tool sets (prpilot.agent.tools.TOOL_PROFILES): prpilot's own, and PR Pilot's whole-file
# read_file/write_file, which `prpilot eval --compare baseline` measures against.
TOOL_PROFILES = ("standard", "baseline")


def env_name(input_name: str) -> str:
    """Return the variable GitHub sets for an input: ``INPUT_`` + upper-cased, spaces to ``_``."""
    return "INPUT_" + input_name.replace(" ", "_").upper()


def raw_inputs(env: Mapping[str, str], step: Step | None = None) -> dict[str, str]:
    """Read the inputs ``step`` uses (all when None) from ``env``, trimmed, defaults applied."""
    values: dict[str, str] = {}
    for name, (steps, _) in INPUTS.items():
        if step is not None and step not in steps:
            continue
        default = DEFAULTS[name]
        if default.startswith("${{"):
            default = ""
        values[name] = env.get(env_name(name), default).strip()
    return values


class Limits(BaseModel):
    """Budgets and rate limit from repository variables. None means no limit."""

    model_config = ConfigDict(frozen=True)

    monthly_budget_usd: Decimal | None = None
    user_monthly_budget_usd: Decimal | None = None
    tasks_per_hour: int | None = None


class Settings(BaseModel):
    """The inputs, parsed and checked. Built by :func:`parse_settings`."""

    model_config = ConfigDict(frozen=True)

    github_token: str = ""
    openai_api_key: str = ""
    openai_base_url: str = ""
    model: str = DEFAULTS["model"]
    fallback_model: str = ""
    fallback_base_url: str = ""
    fallback_api_key: str = ""
    model_api: str = "auto"
    max_output_tokens: int = 16384
    reasoning_effort: str = ""
    copilot_integration_id: str = DEFAULTS["copilot-integration-id"]
    # The Copilot API, used when openai-api-key and openai-base-url are both empty; not an input: the
    # entry points derive it from GITHUB_SERVER_URL or take PRPILOT_COPILOT_API_URL (tests, proxies).
    copilot_api_url: str = COPILOT_API_URL
    # The agent's tools (TOOL_PROFILES); not an input: the entry points may set it from
    # PRPILOT_TOOL_PROFILE, which `prpilot eval --compare baseline` does.
    tool_profile: str = "standard"
    max_steps: int = 30
    max_minutes: float = 20.0
    max_cost_usd: Decimal | None = None
    trigger: str = "/pilot"
    trigger_label: str = ""
    mode: str = ""  # "review": pull_request events ask for a review
    allow_edited: bool = False
    allowed_bots: tuple[str, ...] = ()
    limits: Limits = Limits()
    strategy: str = "actions"
    handed_over_task: str = ""
    redis_url: str = ""
    worker_workflow: str = ""
    kubernetes_image: str = ""
    kubernetes_namespace: str = "default"
    kubernetes_secret: str = ""
    billing_url: str = ""
    billing_token: str = ""
    prices: str = ""
    draft: bool = False
    pr_labels: tuple[str, ...] = ()
    allowed_commands: tuple[str, ...] = ()
    command_network: bool = False
    command_limits: CommandLimits = CommandLimits()
    allow_workflow_edits: bool = False
    include_untrusted_comments: bool = False
    setup: tuple[str, ...] = ()
    verify: tuple[str, ...] = ()
    verify_rounds: int = 2
    ci_workflows: tuple[str, ...] = ()
    review_max_comments: int = 10
    review_request_changes: bool = False
    output_schema: str = ""  # checked when the task starts: prpilot.engine.structured_output

    def secrets(self) -> list[str]:
        """Every secret value held, for masking and canary checks."""
        held = (self.github_token, self.openai_api_key, self.fallback_api_key, self.billing_token)
        return [s for s in held if s]


# A value shaped like a credential (a GitHub token, an OpenAI key, a long random string): a message that
# names a malformed input never repeats it, as the message goes to the thread and the log.
def http_url(what: str, value: str) -> str:
    """``value`` when it is empty or an http(s) URL with a host; ConfigError naming ``what`` otherwise."""
    parts = urlparse(value)
    if value and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise ConfigError(f"{what} must be an http(s) URL such as https://api.openai.com/v1, not {shown(value)}")
    return value


def _bool(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in ("", "false", "no", "0", "off"):
        return False
    if lowered in ("true", "yes", "1", "on"):
        return True
    raise ConfigError(f"input {name} must be true or false, not {shown(value)}")


def _positive_int(name: str, value: str, *, allow_empty: bool) -> int | None:
    if value == "" and allow_empty:
        return None
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"input {name} must be a whole number, not {shown(value)}") from None
    if number < 0 or (number == 0 and not allow_empty):
        raise ConfigError(f"input {name} must be a positive whole number, not {shown(value)}")
    return number


def _usd(name: str, value: str) -> Decimal | None:
    if value == "":
        return None
    try:
        amount = Decimal(value.removeprefix("$"))
    except InvalidOperation:
        raise ConfigError(f"input {name} must be an amount in USD such as 25 or 12.50, not {shown(value)}") from None
    if not amount.is_finite() or amount < 0:
        raise ConfigError(f"input {name} must be zero or a positive amount in USD, not {shown(value)}")
    return amount


def _effort(value: str) -> str:
    # Passed to the endpoint as is (each family has its own levels), so only its shape is checked here.
    if value and not re.fullmatch(r"[a-z]{1,20}", value):
        raise ConfigError(f"input reasoning-effort must be one word such as low, medium or high, not {shown(value)}")
    return value


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.replace("\n", ",").split(",") if part.strip())


def _lines(value: str) -> tuple[str, ...]:
    """Commands one per line; blank lines and ``#`` comments left out."""
    return tuple(line.strip() for line in value.splitlines() if line.strip() and not line.strip().startswith("#"))


def _mode(value: str) -> str:
    if value not in ("", "review"):
        raise ConfigError(f"input mode must be review or empty (requests in comments), not {shown(value)}")
    return value


def _workflow_files(value: str) -> tuple[str, ...]:
    files = _csv(value)
    for name in files:
        if "/" in name or not name.endswith((".yml", ".yaml")):
            raise ConfigError(
                f"input ci-workflows takes workflow file names such as ci.yml (in .github/workflows), not {shown(name)}"
            )
    return files


def copilot_api_url(server_url: str) -> str:
    """The Copilot API's base URL for the GitHub instance at ``server_url``.

    GitHub.com: api.githubcopilot.com; a GHE.com tenant ``https://<tenant>.ghe.com``:
    ``copilot-api.<tenant>.ghe.com``; any other host (GitHub Enterprise Server): api.enterprise.githubcopilot.com.
    """
    host = (urlparse(server_url.strip()).hostname or "github.com").lower()
    if host == "github.com":
        return COPILOT_API_URL
    if host.endswith(".ghe.com"):
        return f"https://copilot-api.{host.removesuffix('.ghe.com')}.ghe.com"
    return "https://api.enterprise.githubcopilot.com"


# Where the Copilot API answers, for tests and proxies; derived from GITHUB_SERVER_URL when unset.
COPILOT_API_URL_VARIABLE = "PRPILOT_COPILOT_API_URL"
# The agent's tool profile (standard, baseline): `prpilot eval --compare baseline` sets it.
TOOL_PROFILE_VARIABLE = "PRPILOT_TOOL_PROFILE"


def copilot_api_from(env: Mapping[str, str]) -> str:
    """The Copilot API's base URL: PRPILOT_COPILOT_API_URL when set, else the one of GITHUB_SERVER_URL's instance."""
    return env.get(COPILOT_API_URL_VARIABLE, "").strip() or copilot_api_url(env.get("GITHUB_SERVER_URL", ""))


def parse_settings(raw: Mapping[str, str], *, copilot_api: str = "", tool_profile: str = "") -> Settings:
    """Turn raw input strings into Settings; a bad value raises ConfigError naming the input.

    ``copilot_api`` (empty: GitHub.com's) is where the Copilot API answers and ``tool_profile``
    (empty: standard) which tools the agent has; only an entry point, which reads the environment,
    passes them.
    """

    def get(name: str) -> str:
        default = DEFAULTS[name]
        return raw.get(name, "" if default.startswith("${{") else default)

    tool_profile = tool_profile.strip() or "standard"
    if tool_profile not in TOOL_PROFILES:
        raise ConfigError(f"PRPILOT_TOOL_PROFILE must be one of {', '.join(TOOL_PROFILES)}, not {shown(tool_profile)}")
    model_api = get("model-api") or "auto"
    if model_api not in MODEL_APIS:
        raise ConfigError(f"input model-api must be one of {', '.join(MODEL_APIS)}, not {shown(model_api)}")
    strategy = get("strategy") or "actions"
    if strategy not in STRATEGIES:
        raise ConfigError(f"input strategy must be one of {', '.join(STRATEGIES)}, not {shown(strategy)}")
    trigger = get("trigger") or "/pilot"
    if any(ch.isspace() for ch in trigger):
        raise ConfigError(f"input trigger must be one word such as /pilot, not {shown(trigger)}")
    try:
        max_minutes = float(get("max-minutes") or DEFAULTS["max-minutes"])
    except ValueError:
        raise ConfigError(f"input max-minutes must be a number, not {shown(get('max-minutes'))}") from None
    if not 0 < max_minutes <= 24 * 60:
        raise ConfigError(f"input max-minutes must be between 0 and 1440, not {shown(get('max-minutes'))}")
    prices = get("prices")
    if prices and not prices.lstrip().startswith("{") and not Path(prices).is_file():
        raise ConfigError(f"input prices must be JSON or the path of a JSON file; {shown(prices)} is neither")
    if prices.lstrip().startswith("{"):
        try:
            json.loads(prices)
        except ValueError as exc:
            raise ConfigError(f"input prices is not valid JSON: {exc}") from None
        except RecursionError:
            raise ConfigError("input prices is nested too deep to be a price table") from None
    return Settings(
        github_token=get("github-token"),
        openai_api_key=get("openai-api-key"),
        openai_base_url=http_url("input openai-base-url", get("openai-base-url")),
        model=get("model") or DEFAULTS["model"],
        fallback_model=get("fallback-model"),
        fallback_base_url=http_url("input fallback-base-url", get("fallback-base-url")),
        fallback_api_key=get("fallback-api-key"),
        model_api=model_api,
        max_output_tokens=_positive_int("max-output-tokens", get("max-output-tokens") or DEFAULTS["max-output-tokens"],
                                        allow_empty=False) or 16384,
        reasoning_effort=_effort(get("reasoning-effort")),
        copilot_integration_id=get("copilot-integration-id") or DEFAULTS["copilot-integration-id"],
        copilot_api_url=copilot_api.strip().rstrip("/") or COPILOT_API_URL,
        tool_profile=tool_profile,
        max_steps=_positive_int("max-steps", get("max-steps") or DEFAULTS["max-steps"], allow_empty=False) or 30,
        max_minutes=max_minutes,
        max_cost_usd=_usd("max-cost", get("max-cost")),
        trigger=trigger,
        trigger_label=get("trigger-label"),
        mode=_mode(get("mode")),
        allow_edited=_bool("allow-edited", get("allow-edited")),
        allowed_bots=_csv(get("allowed-bots")),
        limits=Limits(
            monthly_budget_usd=_usd("monthly-budget", get("monthly-budget")),
            user_monthly_budget_usd=_usd("user-monthly-budget", get("user-monthly-budget")),
            tasks_per_hour=_positive_int("rate-limit", get("rate-limit"), allow_empty=True),
        ),
        strategy=strategy,
        handed_over_task=get("task"),
        redis_url=get("redis-url"),
        worker_workflow=get("worker-workflow"),
        kubernetes_image=get("kubernetes-image"),
        kubernetes_namespace=get("kubernetes-namespace") or "default",
        kubernetes_secret=get("kubernetes-secret"),
        billing_url=get("billing-url"),
        billing_token=get("billing-token"),
        prices=prices,
        draft=_bool("draft", get("draft")),
        pr_labels=_csv(get("pr-labels")),
        allowed_commands=_csv(get("allowed-commands")),
        command_network=_bool("command-network", get("command-network")),
        command_limits=parse_command_limits(get("command-limits")),
        allow_workflow_edits=_bool("allow-workflow-edits", get("allow-workflow-edits")),
        include_untrusted_comments=_bool("include-untrusted-comments", get("include-untrusted-comments")),
        setup=_lines(get("setup")),
        verify=_lines(get("verify")),
        verify_rounds=_positive_int("verify-rounds", get("verify-rounds") or DEFAULTS["verify-rounds"],
                                    allow_empty=True) or 0,
        ci_workflows=_workflow_files(get("ci-workflows")),
        review_max_comments=_positive_int("review-max-comments", get("review-max-comments")
                                          or DEFAULTS["review-max-comments"], allow_empty=True) or 0,
        review_request_changes=_bool("review-request-changes", get("review-request-changes")),
        output_schema=get("output-schema"),
    )
