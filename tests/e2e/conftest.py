"""The end-to-end tests share one fixture: a started test bed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from prpilot.testing.scenario import Bed, start_bed


@pytest.fixture
def bed(tmp_path: Path) -> Iterator[Bed]:
    with start_bed(tmp_path) as started:
        yield started
