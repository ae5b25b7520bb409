"""Simulate a workflow job: ``actions/checkout``, then ``uses: prpilot/action@v1`` with ``with:`` inputs.

The event JSON, the ``GITHUB_*`` environment and the workspace are laid out as on a hosted runner;
the composite action itself runs in ``prpilot.testing.runner.composite``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from prpilot.testing.checkout import checkout as run_checkout
from prpilot.testing.runner.composite import RunResult, StepResult, UnsupportedAction, run_composite
from prpilot.testing.runner.env import JobContext
from prpilot.testing.runner.step_process import Stop

__all__ = [
    "DEFAULT_ACTION_PATH",
    "SIMULATED_TOKEN",
    "GitHubEndpoint",
    "RunResult",
    "Runner",
    "StepResult",
    "UnsupportedAction",
]

DEFAULT_ACTION_PATH = Path(os.environ.get("PRPILOT_ACTION_PATH") or Path(__file__).resolve().parents[4])

SIMULATED_TOKEN = "ghs_simulatedtoken"


class GitHubEndpoint(Protocol):
    """Where the job's GitHub lives (``prpilot.testing.github.FakeGitHub`` fits)."""

    server_url: str
    api_url: str
    token: str


@runtime_checkable
class RunRegistry(Protocol):
    """A GitHub that keeps workflow runs: each job gets a run of its own, cancelled through its REST route."""

    def job_started(self, repository: str, event_name: str, actor: str, rerun_of: int | None = None) -> int | None:
        ...

    def run_cancelled(self, run_id: int) -> bool: ...

    def job_finished(self, run_id: int, conclusion: str) -> None: ...


class Runner:
    """A simulated hosted runner: each ``run()`` gets a fresh workspace and temp dir under ``root``."""

    def __init__(
        self,
        root: Path,
        action_path: Path = DEFAULT_ACTION_PATH,
        server_url: str = "https://github.com",
        api_url: str | None = None,
        graphql_url: str | None = None,
        token: str = SIMULATED_TOKEN,
        base_env: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.root = root
        self.action_path = action_path
        self.server_url = server_url.rstrip("/")
        self.api_url = api_url
        self.graphql_url = graphql_url
        self.token = token
        self.base_env = dict(os.environ if base_env is None else base_env)
        self.env = dict(env or {})
        self._runs = 0
        self.registry: RunRegistry | None = None
        self._last_run_id: int | None = None  # what a re-run (run_attempt > 1) runs again

    def use(self, github: GitHubEndpoint) -> Runner:
        """Point the job at ``github``: its server and API URLs, and its workflow token."""
        self.server_url = github.server_url.rstrip("/")
        self.api_url = github.api_url
        self.graphql_url = github.api_url.rstrip("/") + "/graphql"
        self.token = github.token
        self.registry = github if isinstance(github, RunRegistry) else None
        return self

    def run(
        self,
        event_name: str,
        payload: Mapping[str, Any],
        inputs: Mapping[str, Any] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        repository: str | None = None,
        ref: str | None = None,
        sha: str | None = None,
        checkout: bool = True,
        checkout_ref: str | None = None,
        persist_credentials: bool = True,
        fetch_depth: int = 1,
        actor: str | None = None,
        timeout: float = 600.0,
        cancel_after: float | None = None,
        cancel_when: Callable[[], bool] | None = None,
        cancel_signal: int = signal.SIGTERM,
        cancel_grace: float = 10.0,
        run_attempt: int = 1,
    ) -> RunResult:
        """Run the job for one event: checkout, then the composite action with ``inputs``.

        The job is cancelled ``cancel_after`` seconds after it starts, or once ``cancel_when()`` is
        true (polled while a step runs: cancel at a point of the task, whatever the machine's speed).
        """
        started = time.monotonic()
        self._runs += 1
        repository = repository or str(payload["repository"]["full_name"])
        name = repository.split("/", 1)[1]
        home = self.root / f"run-{self._runs}"
        workspace, temp = home / "work" / name / name, home / "work" / "_temp"
        event_path = temp / "_github_workflow" / "event.json"
        event_path.parent.mkdir(parents=True)
        workspace.mkdir(parents=True)
        event_path.write_text(json.dumps(payload, indent=2))
        ref = ref or _event_ref(event_name, payload)
        if checkout:
            done = run_checkout(
                workspace,
                self.server_url,
                repository,
                self.token,
                ref=checkout_ref or ref,
                fetch_depth=fetch_depth,
                persist_credentials=persist_credentials,
            )
            sha = sha or done.sha
        sender = str(actor or payload.get("sender", {}).get("login", "octocat"))
        registry = self.registry
        run_id = None
        if registry is not None:
            rerun_of = self._last_run_id if run_attempt > 1 else None
            run_id = self._last_run_id = registry.job_started(repository, event_name, sender, rerun_of)
        job = JobContext(
            event_name=event_name,
            event=payload,
            event_path=str(event_path),
            repository=repository,
            token=self.token,
            server_url=self.server_url,
            api_url=self.api_url or _api_url(self.server_url),
            graphql_url=self.graphql_url or _api_url(self.server_url) + "/graphql",
            workspace=str(workspace),
            action_path=str(self.action_path),
            runner_temp=str(temp),
            sha=sha or "0" * 40,
            ref=ref,
            actor=sender,
            triggering_actor=sender,
            run_attempt=str(run_attempt),
        )
        if run_id is not None:
            job = dataclasses.replace(job, run_id=str(run_id))
        stop = Stop(
            deadline=started + timeout,
            cancel_at=None if cancel_after is None else started + cancel_after,
            cancel_signal=cancel_signal,
            grace=cancel_grace,
            # "Cancel workflow" (POST .../actions/runs/{id}/cancel) on the fake signals this job, as the runner does.
            cancel_requested=_any_of(
                cancel_when, (lambda: registry.run_cancelled(run_id)) if registry and run_id is not None else None
            ),
        )
        extras = {**self.env, **(env or {})}
        result = run_composite(self.action_path / "action.yml", job, inputs or {}, extras, self.base_env, stop)
        if registry is not None and run_id is not None:
            registry.job_finished(run_id, "cancelled" if result.cancelled else "success" if result.ok else "failure")
        return result

    __call__ = run


def _any_of(*conditions: Callable[[], bool] | None) -> Callable[[], bool] | None:
    given = [condition for condition in conditions if condition is not None]
    return (lambda: any(condition() for condition in given)) if given else None


def _api_url(server_url: str) -> str:
    return "https://api.github.com" if server_url == "https://github.com" else f"{server_url}/api/v3"


def _event_ref(event_name: str, payload: Mapping[str, Any]) -> str:
    """GITHUB_REF per event: https://docs.github.com/en/actions/reference/events-that-trigger-workflows."""
    if event_name in ("workflow_dispatch", "push") and payload.get("ref"):
        return str(payload["ref"])
    if event_name.startswith("pull_request") and "pull_request" in payload:
        return f"refs/pull/{payload['pull_request']['number']}/merge"
    return f"refs/heads/{payload.get('repository', {}).get('default_branch', 'main')}"
