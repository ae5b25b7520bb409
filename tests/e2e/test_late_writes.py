"""Late writes (issue #29): a GitHub write that times out but lands later never leaves the thread wrong.

Each write of a whole issue task (S1) and a whole pull-request task (S8) is held past the client's
timeout and carried out only then, one at a time; and the final edit of the status comment is
refused once (403, 404). Every promise of :func:`prpilot.testing.fault_sweep.check` must hold, with
the late write landed: the outcome in a status comment, no comment still "Working" or "On it", one
outcome per task, the bill exact and single, and the run bounded in time.
"""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from prpilot.testing.fault_sweep import (
    SCENARIOS,
    TIMEOUT_DELAY,
    Run,
    Scenario,
    check,
    describe,
    is_write,
    positions,
    prepare,
    run_once,
)
from prpilot.testing.github.recording import Arrival
from prpilot.testing.runner.prefork import Prefork
from prpilot.testing.scenario import start_bed

pytestmark = pytest.mark.e2e

BOUND = 120.0  # seconds a faulted run may take at most: a held write costs about a second


def _final_edit(arrivals: list[Arrival]) -> int:
    """The position of the status comment's last edit: the task's answer."""
    edits = [i for i, a in enumerate(arrivals) if a.method == "PATCH" and a.path.startswith("/repos/")
             and "/issues/comments/" in a.path]
    assert edits, [describe(a) for a in arrivals]
    return edits[-1]


def _faulted(root: Path, python: str, scenario: Scenario, position: int, kind: str) -> tuple[Run, float]:
    where = root / f"{scenario.name}-{position}-{kind}"
    started = time.monotonic()
    try:
        return run_once(where, scenario, position, kind, python=python)[0], time.monotonic() - started
    finally:
        shutil.rmtree(where, ignore_errors=True)


@pytest.mark.slow  # a minute or more of faulted runs: handed out first (tests/conftest.py)
@pytest.mark.timeout(1800)
def test_every_write_landing_late_or_a_refused_final_edit_leaves_the_outcome_on_the_thread(tmp_path: Path) -> None:
    jobs: list[tuple[Scenario, int, str]] = []
    with Prefork(tmp_path / "prefork") as prefork, ThreadPoolExecutor(max_workers=2) as pool:
        python = str(prefork.python)
        for scenario in SCENARIOS.values():
            recorded, arrivals = run_once(tmp_path / f"{scenario.name}-recording", scenario, python=python)
            assert recorded.violations == [], recorded.violations
            writes = [p for p in positions(arrivals) if is_write(arrivals[p])]
            assert writes, "the recording made no write"
            final = _final_edit(arrivals)
            jobs += [(scenario, p, "late") for p in writes]
            jobs += [(scenario, final, "403"), (scenario, final, "404")]

        runs = list(pool.map(lambda job: _faulted(tmp_path, python, *job), jobs))

    broken = [f"{run.where}: {problem}" for run, _ in runs for problem in run.violations]
    broken += [f"{run.where}: took {seconds:.0f}s" for run, seconds in runs if seconds > BOUND]
    assert broken == [], "\n".join(broken)


@pytest.mark.timeout(600)
def test_an_old_status_comment_the_engine_could_not_reach_is_retired_by_the_finish_step(
    tmp_path: Path, steps_python: str
) -> None:
    scenario = SCENARIOS["issue"]
    _, arrivals = run_once(tmp_path / "recording", scenario, python=steps_python)
    with start_bed(tmp_path / "bed", python=steps_python) as bed:
        before = prepare(bed, scenario)
        # The final edit is refused for good (403); the engine's delete of the old comment is refused once too.
        bed.github.fail("DELETE", r"/issues/comments/\d+$", 403)
        bed.github.fail_at(_final_edit(arrivals), "403", delay=TIMEOUT_DELAY)
        result = scenario.start(bed)
        bed.github.settle()

        assert check(bed, scenario, result, before) == []
        deletes = [r.status for r in bed.github.rest() if r.method == "DELETE"]
        assert deletes == [403, 204]  # refused in the engine, done by the finish step
        assert "Working" not in "\n".join(bed.status_comments(scenario.thread(bed)))
