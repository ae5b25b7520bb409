#!/usr/bin/env python3
"""The release workflow's steps (.github/workflows/release.yml), and a dry run of them that needs no network.

    python3 scripts/release.py check TAG            the tag is v<the version in pyproject.toml>, or exit 1
    python3 scripts/release.py tags TAG             the git tags the release leaves: v1.0.0 and v1
    python3 scripts/release.py image-tags TAG NAME  the image's tags: NAME:v1.0.0 and NAME:v1
    python3 scripts/release.py build OUT            the sdist and the wheel into OUT (uv build)
    python3 scripts/release.py dry-run TAG OUT      all of the above into OUT, offline, and what it made

A pre-release (v1.3.0-rc.1) keeps its own tag only: it never moves v1. The standard library only: the
workflow runs it on the runner's python3 before anything is installed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_TAG = re.compile(r"^v(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$")


class ReleaseError(Exception):
    """The tag or the tree cannot be released as it is."""


def version(root: Path = ROOT) -> str:
    """The version in pyproject.toml."""
    with (root / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def check(tag: str, root: Path = ROOT) -> None:
    """Raise ReleaseError unless ``tag`` is a version tag naming pyproject.toml's version."""
    if not _TAG.match(tag):
        raise ReleaseError(f"the tag {tag} is not a version tag such as v1.0.0")
    if tag != f"v{version(root)}":
        raise ReleaseError(f"the tag {tag} is not v{version(root)}, the version in pyproject.toml")


def tags(tag: str) -> list[str]:
    """The tags a release of ``tag`` leaves: itself and, unless it is a pre-release, its moving major tag."""
    found = _TAG.match(tag)
    if not found:
        raise ReleaseError(f"the tag {tag} is not a version tag such as v1.0.0")
    return [tag] if found[4] else [tag, f"v{found[1]}"]


def build(out: Path, *, offline: bool = False, root: Path = ROOT) -> list[Path]:
    """Build the sdist and the wheel into ``out`` with uv ($UV, else uv on PATH); return the files made.

    ``offline`` builds with the setuptools installed beside this interpreter instead of fetching it into
    an isolated environment, as the dry run must.
    """
    uv = os.environ.get("UV") or shutil.which("uv") or "uv"
    command = [uv, "build", "--out-dir", str(out), str(root)]
    if offline:
        command[2:2] = ["--offline", "--no-build-isolation", "--python", sys.executable]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ReleaseError(f"uv build failed: {done.stderr.strip().splitlines()[-1:] or done.returncode}")
    return sorted(path for path in out.iterdir() if path.suffix in (".whl", ".gz"))


def image_context(out: Path, root: Path = ROOT) -> list[str]:
    """Copy what the Dockerfile's COPY lines take into ``out``, beside the Dockerfile; return the paths copied."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / "Dockerfile", out / "Dockerfile")
    copied = []
    for line in (root / "Dockerfile").read_text(encoding="utf-8").splitlines():
        words = line.split()
        if not words or words[0] != "COPY" or any(word.startswith("--") for word in words):
            continue
        for source in words[1:-1]:
            path = root / source
            if not path.exists():
                raise ReleaseError(f"the Dockerfile copies {source}, which is not in the tree")
            if path.is_dir():
                shutil.copytree(path, out / source, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
            else:
                shutil.copy2(path, out / source)
            copied.append(source)
    return copied


def dry_run(tag: str, out: Path, root: Path = ROOT) -> dict[str, object]:
    """Everything the workflow makes before it publishes, into ``out``, offline; what it made, as a dict."""
    check(tag, root)
    dist = build(out / "dist", offline=True, root=root)
    context = image_context(out / "image", root)
    return {"version": version(root), "tags": tags(tag), "dist": [path.name for path in dist],
            "image_context": context, "image_tags": [f"ghcr.io/prpilot/action:{name}" for name in tags(tag)]}


def main(argv: list[str]) -> int:
    """Run one of the verbs above; a problem is one ::error line and exit 1, bad usage exit 2."""
    verbs = {"check": 1, "tags": 1, "image-tags": 2, "build": 1, "dry-run": 2}
    if not argv or argv[0] not in verbs or len(argv) != verbs[argv[0]] + 1:
        print(__doc__, file=sys.stderr)
        return 2
    verb, args = argv[0], argv[1:]
    try:
        if verb == "check":
            check(args[0])
        elif verb == "tags":
            print("\n".join(tags(args[0])))
        elif verb == "image-tags":
            print("\n".join(f"{args[1]}:{name}" for name in tags(args[0])))
        elif verb == "build":
            print("\n".join(path.name for path in build(Path(args[0]))))
        else:
            print(json.dumps(dry_run(args[0], Path(args[1])), indent=2))
    except ReleaseError as exc:
        print(f"::error title=release::{exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
