"""The hash locks the action and the image install are made from today's pyproject.toml (offline)."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
_PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^ ;\\]+)")


def _lock_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lock", ROOT / "scripts" / "lock.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LOCK = _lock_script()


def _pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        if match := _PIN.match(line):
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


@pytest.mark.parametrize(("name", "extras"), list(LOCK.LOCKS.items()))
def test_each_lock_is_made_from_todays_pyproject(name: str, extras: tuple[str, ...]) -> None:
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    wanted = LOCK.requirements_of(PYPROJECT, extras)
    assert f"# pyproject-digest: {LOCK.digest(wanted)}\n" in text, f"stale: run {LOCK.COMMAND}"
    pins = _pins(text)
    for requirement in map(Requirement, wanted):
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"{requirement.name} is not in requirements/{name}: run {LOCK.COMMAND}"
        assert requirement.specifier.contains(pinned, prereleases=True), (
            f"requirements/{name} pins {requirement.name}=={pinned}, outside {requirement}: run {LOCK.COMMAND}")


@pytest.mark.parametrize("name", [*LOCK.LOCKS, "uv.txt"])
def test_every_pin_is_exact_and_hashed(name: str) -> None:
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2].strip())
    assert entries
    for entry in entries:
        assert _PIN.match(entry), entry
        assert "--hash=sha256:" in entry, f"{entry.splitlines()[0]} has no hash"


def test_the_action_set_holds_no_workers_client() -> None:
    pins = _pins((ROOT / "requirements" / "action.txt").read_text(encoding="utf-8"))
    assert "redis" not in pins
    assert "kubernetes" not in pins
    assert "redis" in _pins((ROOT / "requirements" / "action-redis.txt").read_text(encoding="utf-8"))


def test_uv_is_locked_to_one_version() -> None:
    assert list(_pins((ROOT / "requirements" / "uv.txt").read_text(encoding="utf-8"))) == ["uv"]
