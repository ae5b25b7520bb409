"""The project's own checks around the agent: ``setup`` before it, ``verify`` after it, CI after the push.

The engine drives the loop (checks fail → the agent gets the failure → the checks run again, up
to ``verify-rounds`` times); this module runs the commands, keeps what they did and says it.
Every command runs in the sandbox (:mod:`prpilot.agent.sandbox`); none runs anywhere else.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from prpilot.agent.checks import describe, failure_message, run_lines
from prpilot.agent.sandbox import Sandbox, sandbox_for
from prpilot.command_limits import DEFAULT_LIMITS, CommandLimits
from prpilot.errors import GitHubError, SetupFailed
from prpilot.github.port import GitHubPort
from prpilot.task import CheckRun
from prpilot.thread import markdown


@dataclass
class Verification:
    """One task's setup and verify commands, and what they did."""

    root: Path
    setup_lines: tuple[str, ...]
    verify_lines: tuple[str, ...]
    rounds: int  # the most fix rounds (verify-rounds)
    env: Mapping[str, str]  # the runner's environment: the sandbox takes PATH and the locale from it
    deadline: float  # time.monotonic() when max-minutes runs out
    network: bool = False  # for verify; setup always has the network
    secrets: tuple[str, ...] = ()
    redact: Callable[[str], str] = str
    limits: CommandLimits = DEFAULT_LIMITS
    setup_runs: list[CheckRun] = field(default_factory=list)
    runs: list[CheckRun] = field(default_factory=list)  # the last run of the checks
    times: int = 0  # how often the checks ran
    seconds: float = 0.0  # how long they took, every run together
    fix_rounds: int = 0  # how many failures went back to the agent
    _sandbox: Sandbox | None = None

    def seconds_left(self) -> float:
        return self.deadline - time.monotonic()

    def setup(self) -> None:
        """Run the setup lines once, with the network; the first failure raises SetupFailed, saying why."""
        if not self.setup_lines:
            return
        sandbox = sandbox_for(self.root, self.env, network=True, secrets=self.secrets, limits=self.limits)
        self.setup_runs = run_lines(self.setup_lines, sandbox, seconds_left=self.seconds_left, redact=self.redact,
                                    stop_at_failure=True)
        failed = next((run for run in self.setup_runs if not run.passed), None)
        if failed is not None:
            raise SetupFailed(
                f"The setup command `{failed.command}` {describe(failed)}, so the agent did not start and no model "
                "was called; the end of its output is under Checks below. Fix the project or the `setup` input, "
                "then ask again."
            )

    def check(self) -> bool:
        """Run every verify line (network off unless command-network allows it); True when all pass."""
        if self._sandbox is None:
            self._sandbox = sandbox_for(self.root, self.env, network=self.network, secrets=self.secrets,
                                        limits=self.limits)
        self.runs = run_lines(self.verify_lines, self._sandbox, seconds_left=self.seconds_left, redact=self.redact)
        self.times += 1
        self.seconds += sum(run.seconds for run in self.runs)
        return all(run.passed for run in self.runs)

    @property
    def can_fix(self) -> bool:
        """Whether a failure may go back to the agent: rounds are left, and every command ran (in time) at all."""
        return self.fix_rounds < self.rounds and all(run.exit_code is not None for run in self.runs)

    def next_round(self) -> str:
        """Count a fix round and return the message that hands the failure to the agent."""
        self.fix_rounds += 1
        return failure_message(self.runs, self.fix_rounds, self.rounds)

    def section(self) -> str:
        """The "Checks" section for the thread, the pull request and the job summary."""
        return markdown.checks_section(self.setup_runs, self.runs, times=self.times, rounds=self.fix_rounds,
                                       seconds=self.seconds)

    def failing_notice(self, *, draft: bool, new_pull: bool) -> str:
        """What the thread is told, plainly, when the change is delivered with failing checks."""
        failing = ", ".join(f"`{run.command}` {describe(run)}" for run in self.runs if not run.passed)
        if self.fix_rounds:
            plural = "s" if self.fix_rounds != 1 else ""
            tried = f"after {self.fix_rounds} fix round{plural} by the agent"
        else:
            tried = "and no fix round was left to try (verify-rounds, max-steps or max-cost)"
        where = ""
        if new_pull:
            where = (" The pull request is a draft until they pass." if draft else
                     " The pull request is ready for review only because this repository has no draft pull "
                     "requests: do not merge it before the checks pass.")
        return f"⚠️ **The checks fail** {tried}: {failing}.{where} The output is under Checks below."


def start_workflows(
    github: GitHubPort, workflows: tuple[str, ...], branch: str, repo_url: str, *, changed: Collection[str] = ()
) -> str:
    """Start each CI workflow on ``branch`` (a dispatch starts a run where the token's push does not).

    A workflow that cannot be started is said in one sentence and does not fail the task. One the task's
    own change edits (``changed``) is never started: the run would be the agent's version of it.
    """
    if not workflows:
        return ""
    lines = []
    for name in workflows:
        if name in changed:
            lines.append(f"- `{name}` was not started: the change edits `.github/workflows/{name}`, and prpilot "
                         "starts only workflows its branch leaves as they were.")
            continue
        try:
            url = github.run_workflow(name, branch)
        except GitHubError as exc:
            lines.append(f"- `{name}` was not started: {_why_not_started(name, exc.message)}")
            continue
        if not url and repo_url:
            url = f"{repo_url}/actions/workflows/{quote(name)}?query={quote(f'branch:{branch}', safe='')}"
        lines.append(f"- [`{name}`]({url}) started on `{branch}`" if url else f"- `{name}` started on `{branch}`")
    return "CI on the working branch:\n" + "\n".join(lines)


def _why_not_started(name: str, message: str) -> str:
    if "workflow_dispatch" in message.lower():
        return (f"it has no `workflow_dispatch` trigger; add `workflow_dispatch:` under `on:` in "
                f"`.github/workflows/{name}` so prpilot can start it on its branches.")
    if "404" in message:
        return f"there is no `.github/workflows/{name}` on the branch ({message})."
    return f"{message}. Starting a workflow needs `actions: write` in the job's `permissions`."
