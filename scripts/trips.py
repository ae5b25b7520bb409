"""Count the rooms (prpilot modules) issue 26's three trips visit, and their climbs back up the layers.

Usage: ``.venv/bin/python scripts/trips.py [--list]`` (one line per trip; ``--list`` names the
modules). On the test bed (fake GitHub, scripted model), in this process, under ``sys.setprofile``:
the schedule step for one ``/pilot`` request (strategy ``actions``); then the engine step on the task
it admitted, the agent writing one file, so the trip takes in the branch, the commit, the push, the
pull request, the bill and the answer; and ``TaskEngine.run``, the part of that engine step spent
inside it. Each trip counts:

- *modules*: the distinct ``prpilot.*`` modules (``prpilot.testing`` left out) in which a function ran
  (code run while importing a module does not count);
- *climbs*: the distinct (callee, caller) function pairs where a return goes from a module to a
  module of a higher layer, the layers being those of the import-linter contract in pyproject.toml.
"""

from __future__ import annotations

import json
import os
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


def trip(run: Callable[[], object], inside: str = "") -> tuple[list[str], int]:
    """Run ``run`` under the profiler; return (the modules visited, the number of climbs back up).

    ``inside`` (a function's qualified name): count only what runs while that function is on the stack.
    """
    ranks = _layers()
    modules: set[str] = set()
    climbs: set[tuple[str, str]] = set()
    depth = 0 if inside else 1

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal depth
        module = _ours(frame)
        if module is None or _importing(frame):
            return
        entering = inside and frame.f_code.co_qualname == inside
        if event == "call" and entering:
            depth += 1
        if depth > 0:
            if event == "call":
                modules.add(module)
            elif event == "return":
                caller = _ours(frame.f_back)
                if caller is not None and _rank(caller, ranks) > _rank(module, ranks):
                    climbs.add((f"{module}.{frame.f_code.co_qualname}",
                                f"{caller}.{frame.f_back.f_code.co_qualname}"))  # type: ignore[union-attr]
        if event == "return" and entering:
            depth -= 1

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return sorted(modules), len(climbs)


def step_env(bed: Any, work: Path, payload: dict[str, Any]) -> dict[str, str]:
    """The variables a step of the action gets on the runner, for the event ``payload``."""
    (work / "event.json").write_text(json.dumps(payload))
    for name in ("output", "summary"):
        (work / name).write_text("")
    return {"GITHUB_REPOSITORY": bed.repo, "GITHUB_API_URL": bed.github.api_url,
            "GITHUB_SERVER_URL": bed.github.server_url, "GITHUB_EVENT_NAME": "issue_comment",
            "GITHUB_EVENT_PATH": str(work / "event.json"), "GITHUB_RUN_ID": "77", "GITHUB_ACTOR": "alice",
            "GITHUB_OUTPUT": str(work / "output"), "GITHUB_STEP_SUMMARY": str(work / "summary"),
            "RUNNER_TEMP": str(work), "GITHUB_WORKSPACE": str(work / "workspace"), "PATH": os.environ["PATH"],
            "INPUT_GITHUB-TOKEN": bed.github.token, "INPUT_MODEL": "gpt-4.1-mini", "INPUT_TRIGGER": "/pilot",
            "INPUT_OPENAI-API-KEY": bed.inputs["openai-api-key"],
            "INPUT_OPENAI-BASE-URL": bed.inputs["openai-base-url"], "PRPILOT_HTTP_BACKOFF": "0"}


def measure(work: Path) -> dict[str, tuple[list[str], int]]:
    """The three trips of one request on the test bed: its schedule step, its engine step, TaskEngine.run."""
    from prpilot.actions.engine_step import engine_step
    from prpilot.actions.schedule_step import schedule_step
    from prpilot.testing.checkout import checkout
    from prpilot.testing.openai_replies import text, tool
    from prpilot.testing.runner.env import parse_command_file
    from prpilot.testing.scenario import start_bed

    with start_bed(work / "bed") as bed:
        env = step_env(bed, work, bed.issue_comment("/pilot fix the typo in the README"))
        trips = {"schedule_step": trip(lambda: schedule_step(env))}
        outputs = parse_command_file((work / "output").read_text())
        if outputs.get("admitted") != "true":
            raise SystemExit(f"trips: the schedule step did not admit the task: {outputs}")
        checkout(work / "workspace", bed.github.server_url, bed.repo, bed.github.token)
        bed.model.script(
            tool("write_file", {"path": "README.md", "content": "# Hello world\n\nThis project says hello.\n"}),
            text("Fixed the typo: projet is now project."),
            text("Fix the typo in the README"),  # the title, asked once there is a change
        )
        env["PRPILOT_TASK_FILE"] = outputs["task-file"]

        def engine() -> None:
            code = engine_step(env)
            if code != 0:
                raise SystemExit(f"trips: the engine step failed ({code}): {(work / 'summary').read_text()}")

        trips["engine_step"] = trip(engine)
        # The same kind of task once more, to walk TaskEngine.run alone inside its engine step.
        (work / "output").write_text("")
        env.update({k: v for k, v in step_env(bed, work, bed.issue_comment("/pilot fix the typo again")).items()
                    if k != "GITHUB_WORKSPACE"})
        schedule_step(env)
        env["PRPILOT_TASK_FILE"] = parse_command_file((work / "output").read_text())["task-file"]
        bed.model.script(
            tool("write_file", {"path": "NOTES.md", "content": "notes\n"}),
            text("Added notes."),
            text("Add notes"),
        )
        trips["TaskEngine.run"] = trip(engine, inside="TaskEngine.run")
    return trips


def main() -> int:
    """Print each measured trip."""
    with tempfile.TemporaryDirectory(prefix="prpilot-trips-") as work:
        trips = measure(Path(work))
    for name, (modules, climbs) in trips.items():
        print(f"{name}: {len(modules)} modules, {climbs} climbs back up")
        if "--list" in sys.argv:
            print("\n".join(f"  {module}" for module in modules))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
