"""Count the rooms (prpilot modules) the schedule step visits, and its climbs back up the layers.

Usage: ``.venv/bin/python scripts/trips.py [--list]`` (one line per trip; ``--list`` names the
modules). The schedule step runs on the test bed's fake GitHub for one ``/pilot`` request (strategy ``actions``), under
``sys.setprofile``:

- *modules*: the distinct ``prpilot.*`` modules (``prpilot.testing`` left out) in which a function ran
  (code run while importing a module does not count);
- *climbs*: the distinct (callee, caller) function pairs where a return goes from a module to a
  module of a higher layer, the layers being those of the import-linter contract in pyproject.toml.
"""

from __future__ import annotations

import json
import sys
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _layers() -> dict[str, int]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    [contract] = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    ranks: dict[str, int] = {}
    for rank, layer in enumerate(reversed(contract["layers"])):  # the lowest layer ranks 0
        for name in layer.split("|"):
            ranks[name.strip()] = rank
    return ranks


def _rank(module: str, ranks: dict[str, int]) -> int:
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in ranks:
            return ranks[".".join(parts[:end])]
    return len(ranks)  # not in a layer: an entry point


def _ours(frame: FrameType | None) -> str | None:
    name = frame.f_globals.get("__name__", "") if frame is not None else ""
    return name if name.startswith("prpilot.") and not name.startswith("prpilot.testing") else None


def _importing(frame: FrameType | None) -> bool:
    """Whether the frame runs as part of importing a prpilot module (imports are not part of a trip)."""
    while frame is not None:
        if frame.f_code.co_name == "<module>" and _ours(frame):
            return True
        frame = frame.f_back
    return False


def trip(run: Callable[[], object]) -> tuple[list[str], int]:
    """Run ``run`` under the profiler; return (the modules visited, the number of climbs back up)."""
    ranks = _layers()
    modules: set[str] = set()
    climbs: set[tuple[str, str]] = set()

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        module = _ours(frame)
        if module is None or _importing(frame):
            return
        if event == "call":
            modules.add(module)
        elif event == "return":
            caller = _ours(frame.f_back)
            if caller is not None and _rank(caller, ranks) > _rank(module, ranks):
                climbs.add((f"{module}.{frame.f_code.co_qualname}",
                            f"{caller}.{frame.f_back.f_code.co_qualname}"))  # type: ignore[union-attr]

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return sorted(modules), len(climbs)


def schedule_trip(work: Path) -> tuple[list[str], int]:
    """The schedule step for one ``/pilot`` request on the fake GitHub."""
    from prpilot.actions.schedule_step import schedule_step
    from prpilot.testing.github import FakeGitHub
    from prpilot.testing.webhooks import load_webhook, retarget

    github = FakeGitHub(work / "fake-github").start()
    try:
        repo = "octo/hello"
        github.add_repo(repo, files={"README.md": "hi\n"})
        github.set_permission(repo, "alice", "write")
        number = github.add_issue(repo, "Typo", "It says projet.", user="alice")
        body = "/pilot fix the typo"
        comment_id = github.add_comment(repo, number, body, user="alice")
        payload = retarget(load_webhook("issue_comment__created"), repository=repo, user="alice", body=body,
                           number=number, default_branch="main", server_url=github.server_url,
                           api_url=github.api_url)
        payload["comment"]["id"] = comment_id
        payload["issue"].pop("pull_request", None)
        (work / "event.json").write_text(json.dumps(payload))
        for name in ("output", "summary"):
            (work / name).touch()
        env = {"GITHUB_REPOSITORY": repo, "GITHUB_API_URL": github.api_url, "GITHUB_SERVER_URL": github.server_url,
               "GITHUB_EVENT_NAME": "issue_comment", "GITHUB_EVENT_PATH": str(work / "event.json"),
               "GITHUB_RUN_ID": "77", "GITHUB_OUTPUT": str(work / "output"),
               "GITHUB_STEP_SUMMARY": str(work / "summary"), "RUNNER_TEMP": str(work),
               "INPUT_GITHUB-TOKEN": github.issue_token("github-actions[bot]"), "INPUT_MODEL": "gpt-4.1-mini",
               "INPUT_TRIGGER": "/pilot", "PRPILOT_HTTP_BACKOFF": "0"}
        return trip(lambda: schedule_step(env))
    finally:
        github.stop()


def main() -> int:
    """Print each measured trip."""
    with tempfile.TemporaryDirectory(prefix="prpilot-trips-") as work:
        modules, climbs = schedule_trip(Path(work))
    print(f"schedule_step: {len(modules)} modules, {climbs} climbs back up")
    if "--list" in sys.argv:
        print("\n".join(f"  {module}" for module in modules))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
