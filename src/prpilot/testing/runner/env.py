"""Pure pieces of the runner simulator: the job's environment and the ``GITHUB_OUTPUT``-style files."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["JobContext", "StepFiles", "job_env", "parse_command_file", "strip_runner_vars"]


@dataclass(frozen=True)
class StepFiles:
    """The files a step writes to talk back to the runner (fresh for each step)."""

    output: str
    summary: str
    env: str
    path: str


@dataclass(frozen=True)
class JobContext:
    """Who, what and where of one workflow job, as the ``github`` context and ``GITHUB_*`` describe it."""

    event_name: str
    event: Mapping[str, Any]
    event_path: str
    repository: str
    token: str
    server_url: str
    api_url: str
    graphql_url: str
    workspace: str
    action_path: str
    runner_temp: str
    sha: str
    ref: str
    actor: str
    triggering_actor: str
    run_id: str = "4242"
    run_number: str = "7"
    run_attempt: str = "1"
    workflow: str = "prpilot"
    job: str = "pilot"
    action_repository: str = "prpilot/action"
    action_ref: str = "v1"
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ref_name(self) -> str:
        """``refs/heads/main`` -> ``main``; ``refs/pull/3/merge`` -> ``3/merge``."""
        for prefix in ("refs/heads/", "refs/tags/", "refs/pull/"):
            if self.ref.startswith(prefix):
                return self.ref[len(prefix) :]
        return self.ref

    def github(self) -> dict[str, Any]:
        """The ``github`` expression context."""
        return {
            "token": self.token,
            "action_path": self.action_path,
            "workspace": self.workspace,
            "event_name": self.event_name,
            "event": self.event,
            "event_path": self.event_path,
            "repository": self.repository,
            "repository_owner": self.repository.split("/", 1)[0],
            "server_url": self.server_url,
            "api_url": self.api_url,
            "graphql_url": self.graphql_url,
            "sha": self.sha,
            "ref": self.ref,
            "ref_name": self.ref_name,
            "actor": self.actor,
            "triggering_actor": self.triggering_actor,
            "run_id": self.run_id,
            "run_number": self.run_number,
            "run_attempt": self.run_attempt,
            "workflow": self.workflow,
            "job": self.job,
            "action_repository": self.action_repository,
            "action_ref": self.action_ref,
            **self.extra,
        }


def strip_runner_vars(base: Mapping[str, str]) -> dict[str, str]:
    """The host environment minus anything the runner owns (``INPUT_*``, ``GITHUB_*``)."""
    return {k: v for k, v in base.items() if not k.upper().startswith(("INPUT_", "GITHUB_"))}


def job_env(job: JobContext, files: StepFiles, step_id: str) -> dict[str, str]:
    """The default variables the runner sets for every step.

    https://docs.github.com/en/actions/reference/variables-reference#default-environment-variables
    """
    return {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION": step_id,
        "GITHUB_ACTION_PATH": job.action_path,
        "GITHUB_ACTION_REPOSITORY": job.action_repository,
        "GITHUB_ACTION_REF": job.action_ref,
        "GITHUB_ACTOR": job.actor,
        "GITHUB_TRIGGERING_ACTOR": job.triggering_actor,
        "GITHUB_API_URL": job.api_url,
        "GITHUB_GRAPHQL_URL": job.graphql_url,
        "GITHUB_SERVER_URL": job.server_url,
        "GITHUB_EVENT_NAME": job.event_name,
        "GITHUB_EVENT_PATH": job.event_path,
        "GITHUB_REPOSITORY": job.repository,
        "GITHUB_REPOSITORY_OWNER": job.repository.split("/", 1)[0],
        "GITHUB_RUN_ID": job.run_id,
        "GITHUB_RUN_NUMBER": job.run_number,
        "GITHUB_RUN_ATTEMPT": job.run_attempt,
        "GITHUB_WORKFLOW": job.workflow,
        "GITHUB_JOB": job.job,
        "GITHUB_SHA": job.sha,
        "GITHUB_REF": job.ref,
        "GITHUB_REF_NAME": job.ref_name,
        "GITHUB_REF_TYPE": "tag" if job.ref.startswith("refs/tags/") else "branch",
        "GITHUB_WORKSPACE": job.workspace,
        "GITHUB_OUTPUT": files.output,
        "GITHUB_STEP_SUMMARY": files.summary,
        "GITHUB_ENV": files.env,
        "GITHUB_PATH": files.path,
        "RUNNER_TEMP": job.runner_temp,
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "RUNNER_NAME": "prpilot-simulator",
        "RUNNER_ENVIRONMENT": "github-hosted",
    }


def parse_command_file(text: str) -> dict[str, str]:
    """Read ``name=value`` and ``name<<DELIM`` ... ``DELIM`` entries (GITHUB_OUTPUT, GITHUB_ENV).

    https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions#multiline-strings
    """
    values: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            continue
        equals, heredoc = line.find("="), line.find("<<")
        if heredoc != -1 and (equals == -1 or heredoc < equals):
            name, delimiter = line[:heredoc], line[heredoc + 2 :]
            if not delimiter:
                raise ValueError(f"empty heredoc delimiter in {line!r}")
            body: list[str] = []
            while i < len(lines) and lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            if i >= len(lines):
                raise ValueError(f"heredoc for {name!r} never ends with {delimiter!r}")
            i += 1
            values[name] = "\n".join(body)
        elif equals > 0:
            values[line[:equals]] = line[equals + 1 :]
        else:
            raise ValueError(f"invalid command-file line {line!r}")
    return values
