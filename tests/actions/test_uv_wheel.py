"""Fetching the locked uv without pip: the lock read, the wheel chosen by platform and hash, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from prpilot.actions.uv_wheel import choose, read_lock
from prpilot.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
GOOD, OTHER = "a" * 64, "b" * 64


def test_the_lock_gives_one_version_and_its_hashes() -> None:
    version, hashes = read_lock((ROOT / "requirements" / "uv.txt").read_text())
    assert version.count(".") >= 1
    assert len(hashes) > 5  # one per platform wheel, and the sdist
    assert all(len(digest) == 64 for digest in hashes)


FILES = [
    {"filename": "uv-1.2.3-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "url": "https://x/a.whl",
     "hashes": {"sha256": OTHER}},  # not the locked bytes
    {"filename": "uv-1.2.3-py3-none-musllinux_1_1_x86_64.whl", "url": "https://x/m.whl", "hashes": {"sha256": GOOD}},
    {"filename": "uv-1.2.3-py3-none-manylinux_2_17_aarch64.whl", "url": "https://x/arm.whl",
     "hashes": {"sha256": GOOD}},
    {"filename": "uv-1.2.4-py3-none-manylinux_2_17_x86_64.whl", "url": "https://x/next.whl",
     "hashes": {"sha256": GOOD}},
    {"filename": "uv-1.2.3-py3-none-manylinux_2_17_x86_64.whl", "url": "https://x/good.whl",
     "hashes": {"sha256": GOOD}},
]


def test_the_wheel_is_this_platforms_with_a_locked_hash() -> None:
    assert choose(FILES, "1.2.3", frozenset({GOOD}), ("manylinux_", "x86_64")) == ("https://x/good.whl", GOOD)


def test_no_locked_wheel_for_the_platform_is_a_failure_pip_then_handles() -> None:
    with pytest.raises(ConfigError, match=r"no locked uv 1\.2\.3 wheel"):
        choose(FILES, "1.2.3", frozenset({GOOD}), ("win_", "amd64"))
