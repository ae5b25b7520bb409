"""The suite's parallel run keeps each ``xdist_group`` on one worker, as scripts/dev.sh relies on.

The eval's module fixtures (tests/e2e/test_eval.py) and the real model server are built once only
because their tests share a worker. pytest 9.2 broke that silently (pytest-xdist #1386): every
worker then built its own, which doubled the suite's time and ran four llama servers at once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

GROUPED = '''
import os, pytest
pytestmark = pytest.mark.xdist_group("one")

@pytest.mark.parametrize("i", range(6))
def test_where(i):
    with open(os.environ["WORKERS_LOG"], "a") as log:
        log.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
'''


@pytest.mark.slow  # three interpreters load pytest and its plugins: seconds, so not in the unit layer
def test_an_xdist_group_runs_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    log = tmp_path / "workers.log"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(tmp_path / "test_grouped.py")],
        capture_output=True, text=True, timeout=120, env={"WORKERS_LOG": str(log), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    workers = log.read_text().split()
    assert len(workers) == 6
    assert len(set(workers)) == 1, f"the group ran on {sorted(set(workers))}: --dist loadgroup no longer groups"
