"""Releases that resolve: the tags a release leaves, its dry run, and one version everywhere a user reads it."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

import prpilot

ROOT = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def _release() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release", ROOT / "scripts" / "release.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("tag", "tags"), [
    ("v1.0.0", ["v1.0.0", "v1"]),
    ("v1.2.3", ["v1.2.3", "v1"]),
    ("v2.0.0", ["v2.0.0", "v2"]),
    ("v1.3.0-rc.1", ["v1.3.0-rc.1"]),  # a pre-release never moves v1
])
def test_a_release_tag_yields_itself_and_its_moving_major_tag(tag: str, tags: list[str]) -> None:
    assert _release().tags(tag) == tags


@pytest.mark.parametrize("tag", ["1.0.0", "v1", "v1.0", "latest", "v1.0.0.0"])
def test_anything_else_is_not_a_release_tag(tag: str) -> None:
    release = _release()
    with pytest.raises(release.ReleaseError, match="is not a version tag"):
        release.tags(tag)


def test_only_the_tag_of_pyprojects_version_can_be_released() -> None:
    release = _release()
    release.check(f"v{VERSION}")
    with pytest.raises(release.ReleaseError, match=f"the tag v0.1.0 is not v{VERSION}"):
        release.check("v0.1.0")


@pytest.mark.slow
def test_the_dry_run_builds_the_sdist_wheel_and_image_context_and_names_v1(tmp_path: Path) -> None:
    uv = Path(sys.executable).with_name("uv")
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "release.py"), "dry-run", "v1.0.0", str(tmp_path)],
                          cwd=tmp_path, env={**os.environ, "UV": str(uv)}, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    made = json.loads(done.stdout)
    assert made["tags"] == ["v1.0.0", "v1"]
    assert made["image_tags"] == ["ghcr.io/prpilot/action:v1.0.0", "ghcr.io/prpilot/action:v1"]
    assert sorted(made["dist"]) == ["prpilot-1.0.0-py3-none-any.whl", "prpilot-1.0.0.tar.gz"]
    assert all((tmp_path / "dist" / name).stat().st_size > 0 for name in made["dist"])
    image = tmp_path / "image"
    for path in ("Dockerfile", "entrypoint.py", "requirements/image.txt", "src/prpilot/cli.py", "pyproject.toml"):
        assert (image / path).is_file(), path
    assert not list(image.rglob("__pycache__"))


def test_the_workflow_runs_the_steps_the_dry_run_tests() -> None:
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    for verb in ("check", "build", "image-tags", "tags"):
        assert f'scripts/release.py {verb} ' in workflow, verb


def test_the_version_is_one_everywhere_a_user_reads_it() -> None:
    assert prpilot.__version__ == VERSION
    major = f"v{VERSION.split('.')[0]}"
    files = [ROOT / "README.md", ROOT / "action.yml", *(ROOT / "docs").rglob("*.md"),
             *(ROOT / "examples").rglob("*.y*ml")]
    uses = {(path.relative_to(ROOT).as_posix(), ref) for path in files if path.is_file()
            for ref in re.findall(r"prpilot/action@(v\d+(?:\.\d+\.\d+)?)\b", path.read_text())}
    assert uses, "the README names no `uses: prpilot/action@v...` line"
    assert {(name, ref) for name, ref in uses if ref.split(".")[0] != major} == set()


def test_the_packages_metadata_names_the_actions_repository() -> None:
    urls = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]
    assert urls["Source"] == "https://github.com/prpilot/action"
