"""The fault sweep: each GitHub request of a whole task fails in turn, and every promise must still hold.

A whole issue task and a whole pull-request task are run once to record their requests (REST and
git smart HTTP alike), then once per request position and fault kind with exactly that request
failing. After each run the invariants of ``prpilot.testing.fault_sweep.check`` are checked: no
traceback, a ``status`` output, the thread's last word the outcome (in words when it failed), no
lost work, no lost bill, a ledger that only grew, no secret anywhere, at most one pull request and
the default branch untouched; and after a fault a retry gets past (5xx once, a timeout), nothing the
user can tell (``prpilot.testing.fault_sweep.unchanged``): completed, delivered, one status comment.

By default (CI, ``scripts/dev.sh test``) each flow runs the subset of
``prpilot.testing.fault_plan.ci_runs``: every write position fails once, with 500, 404 and both
kinds of timeout in turn, each distinct read once, and every write is also held past the client's
timeout and applied late (``late``, issue #29). ``PRPILOT_FAULT_SWEEP=full`` runs the whole grid
instead: every position with every kind that applies to it, 502 and 403 too. To keep that within
minutes on two cores:

- runs go in parallel threads, each on its own bed (``PRPILOT_FAULT_SWEEP_WORKERS``, default 3);
- each step is still a process of its own, run by the composite action from ``action.yml`` with its
  own environment, output files and exit code, but forked from a server that imported prpilot
  once (``prpilot.testing.runner.prefork``) instead of a fresh interpreter: the recording runs
  use the real interpreter, so both ways are seen to agree;
- client timeouts are half a second and retry backoffs 10 ms (PRPILOT_HTTP_TIMEOUT and
  PRPILOT_HTTP_BACKOFF, read by the entry point), so a timed-out request costs under a second.
"""

from __future__ import annotations

import os
import resource
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from prpilot.testing.fault_plan import ci_runs, full_runs
from prpilot.testing.fault_sweep import SCENARIOS, Run, Scenario, run_once
from prpilot.testing.github.recording import FAULT_KINDS
from prpilot.testing.runner.prefork import Prefork

# Minutes of runs: slow, so pytest-xdist starts it first and `scripts/dev.sh check` leaves it out.
pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CI_KINDS = ("500", "404", "timeout-applied", "timeout-not-applied", "late")
FULL = os.environ.get("PRPILOT_FAULT_SWEEP", "") == "full"
KINDS = FAULT_KINDS if FULL else CI_KINDS
WORKERS = int(os.environ.get("PRPILOT_FAULT_SWEEP_WORKERS", "3"))


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _faulted(root: Path, python: str, scenario: Scenario, position: int, kind: str) -> Run:
    where = root / f"{scenario.name}-{position}-{kind}"
    try:
        return run_once(where, scenario, position, kind, python=python)[0]
    finally:
        shutil.rmtree(where, ignore_errors=True)  # hundreds of beds: keep the disk free


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_request_of_a_task_may_fail_once_and_every_promise_holds(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One test per flow, so pytest-xdist runs the flows side by side.
    scenario = SCENARIOS[name]
    started, cpu_before = time.monotonic(), _cpu_seconds()
    with Prefork(tmp_path / "prefork") as prefork, ThreadPoolExecutor(max_workers=WORKERS) as pool:
        python = str(prefork.python)
        recorded, arrivals = run_once(tmp_path / f"{scenario.name}-recording", scenario, python=python)
        assert recorded.result.outputs.get("status") == "completed", recorded.result.logs
        assert recorded.violations == [], recorded.violations
        # The second flow starts the kinds' turn half-way round: a step both flows make fails differently.
        offset = list(SCENARIOS).index(name) * len(KINDS) // len(SCENARIOS)
        planned = full_runs(arrivals, KINDS) if FULL else ci_runs(arrivals, KINDS, offset)
        assert {kind for _, kind in planned} == set(KINDS), planned
        jobs = [(scenario, position, kind) for position, kind in planned]

        runs = list(pool.map(lambda job: _faulted(tmp_path, python, *job), jobs))
        steps_cpu = prefork.cpu_seconds()
        bed_cpu = _cpu_seconds() - cpu_before  # while the server runs: its steps are not in it yet

    held = [run for run in runs if not run.violations]
    lines = [f"{run.where}: {problem}" for run in runs for problem in run.violations]
    # Wall time depends on what else the machine runs; CPU time says what the sweep itself costs.
    lines.append(f"({name}: {len(KINDS)} fault kinds, {len(runs)} faulted runs, {WORKERS} at a time: "
                 f"{time.monotonic() - started:.0f}s wall, {steps_cpu + bed_cpu:.0f} CPU-seconds "
                 f"({steps_cpu:.0f} in the steps, {bed_cpu:.0f} in the test bed); "
                 f"load average {os.getloadavg()[0]:.1f})")
    lines.append(f"{len(held)} of {len(runs)} faulted runs held every invariant")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert len(held) == len(runs), "\n".join(lines)
