"""The image runs the same entry point, in exec form, and trusts the mounted workspace."""

from __future__ import annotations

import json
import re
from pathlib import Path

DOCKERFILE = (Path(__file__).resolve().parents[1] / "Dockerfile").read_text()


def test_entrypoint_is_exec_form_running_entrypoint_py() -> None:
    match = re.search(r"^ENTRYPOINT\s+(\[.*\])\s*$", DOCKERFILE, re.MULTILINE)
    assert match, "ENTRYPOINT must be in exec (JSON array) form: /bin/sh drops INPUT_ names with dashes"
    argv = json.loads(match.group(1))
    assert argv[0] == "python"
    assert argv[1].endswith("entrypoint.py")


def test_git_trusts_the_mounted_workspace() -> None:
    assert "safe.directory /github/workspace" in DOCKERFILE
