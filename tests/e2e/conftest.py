"""The end-to-end tests share one fixture: a started test bed, its steps forked from a warm interpreter.

Each step of the action (acknowledge, schedule, engine, finish) is a fresh ``python entrypoint.py``
that spends most of its CPU importing PyGithub, openai and prpilot, and the e2e tests run
hundreds of them. The ``bed`` fixture runs them through one :class:`Prefork` per pytest-xdist
worker instead: a process of its own for every step, with the step's exact environment, working
directory, stdin/stdout/stderr and exit code, only without the imports. A test that depends on the
step being a real interpreter of its own (a signal to the step's process: cancel, ``/pilot stop``,
a killed engine; ``/proc/<pid>/environ`` or ``/proc/<pid>/cmdline`` of the step) is marked
``real_interpreter`` and gets ``sys.executable``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from prpilot.testing.runner.prefork import Prefork
from prpilot.testing.scenario import Bed, start_bed


@pytest.fixture(scope="session")
def steps_python(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The ``$PRPILOT_PYTHON`` of the action's steps: a Prefork's client, one server per xdist worker."""
    with Prefork(tmp_path_factory.mktemp("prefork")) as prefork:
        yield str(prefork.python)


@pytest.fixture
def bed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bed]:
    real = request.node.get_closest_marker("real_interpreter") is not None
    python = sys.executable if real else request.getfixturevalue("steps_python")
    with start_bed(tmp_path, python=python) as started:
        yield started
