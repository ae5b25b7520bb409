"""Where a run is: the runner's standard variables, read once into a typed value."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from prpilot.errors import ConfigError, EventError


class RunContext(BaseModel):
    """Where this run is: repository, API and server URLs, the run, the event."""

    model_config = ConfigDict(frozen=True)

    repository: str
    api_url: str
    server_url: str
    run_id: str = ""
    run_attempt: int = 1  # "Re-run jobs" keeps the run id and counts up from 1
    event_name: str = ""
    event_path: str = ""
    actor: str = ""
    runner_temp: str = ""
    workspace: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RunContext:
        """Read the variables the Actions runner sets; GitHub.com is only the fallback."""
        repository = env.get("GITHUB_REPOSITORY", "")
        if repository.count("/") != 1:
            raise ConfigError("GITHUB_REPOSITORY is not set to owner/name: is this running inside GitHub Actions?")
        return cls(
            repository=repository,
            # GHES and the local test bed set these; the defaults are only for runs outside Actions.
            api_url=(env.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
            server_url=(env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/"),
            run_id=env.get("GITHUB_RUN_ID", ""),
            run_attempt=int(attempt) if (attempt := env.get("GITHUB_RUN_ATTEMPT", "")).isdigit() else 1,
            event_name=env.get("GITHUB_EVENT_NAME", ""),
            event_path=env.get("GITHUB_EVENT_PATH", ""),
            actor=env.get("GITHUB_ACTOR", ""),
            runner_temp=env.get("RUNNER_TEMP", ""),
            workspace=env.get("GITHUB_WORKSPACE", ""),
        )

    @property
    def run_url(self) -> str:
        """This run's page (the Actions tab where the run id is unknown)."""
        return self.run_url_of(self.run_id)

    def run_url_of(self, run_id: str) -> str:
        """The page of workflow run ``run_id`` of this repository (the Actions tab where it is empty)."""
        if not run_id:
            return f"{self.server_url}/{self.repository}/actions"
        return f"{self.server_url}/{self.repository}/actions/runs/{run_id}"

    def load_event(self) -> dict[str, Any]:
        """Read the event payload; a missing or malformed file is an EventError."""
        if not self.event_path:
            raise EventError("GITHUB_EVENT_PATH is not set, so there is no event to act on")
        try:
            payload = json.loads(Path(self.event_path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise EventError(f"cannot read the event file {self.event_path}: {exc.strerror}") from exc
        except ValueError as exc:
            raise EventError(f"the event file {self.event_path} is not valid JSON ({exc})") from exc
        if not isinstance(payload, dict):
            raise EventError("the event payload is not a JSON object")
        return payload
