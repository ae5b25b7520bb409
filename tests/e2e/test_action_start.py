"""End to end on a fresh runner: no prebuilt interpreter, the install step really installs the lock.

👀 and the status comment are on GitHub before the install step starts; the task then completes as
always. One test (the install takes tens of seconds with a cold cache, a few with a warm one).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prpilot.testing import openai_replies as say
from prpilot.testing.scenario import Bed

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _runner_python_dir() -> str:
    """Where a hosted runner's python3 (3.11 or newer) is: this interpreter's base, not the project's venv."""
    base = Path(sys.base_prefix) / "bin"
    found = base if (base / "python3").exists() else Path(shutil.which("python3") or sys.executable).parent
    return str(found)


def test_the_request_is_heard_before_anything_is_installed(bed: Bed) -> None:
    bed.runner.env.pop("PRPILOT_PYTHON")  # a fresh runner: the action installs its own set
    bed.runner.base_env["PATH"] = f"{_runner_python_dir()}:/usr/local/bin:/usr/bin:/bin"
    bed.runner.base_env.pop("VIRTUAL_ENV", None)
    bed.model.set_policy(lambda request, index: say.text("Nothing to change: the README is fine."))
    event = bed.issue_comment("/pilot look at the README")
    mark = bed.github.mark()

    result = bed.run("issue_comment", event)

    assert result.ok, result.logs
    assert result.outputs["status"] == "completed"
    install = result.step("install")
    assert install.outcome == "success"
    python = install.outputs["python"]
    assert python.startswith(str(result.runner_temp))  # installed here, from the lock
    rest = [r for r in bed.github.since(mark) if r.kind == "rest"]
    [reaction] = [r for r in rest if r.path.endswith("/reactions")]
    comments = f"/issues/{event['issue']['number']}/comments"
    posted = next(r for r in rest if r.method == "POST" and r.path.endswith(comments))
    assert reaction.at < install.started
    assert posted.at < install.started
    assert rest.index(posted) == 2  # the permission, 👀, the status comment: nothing before them
    # The venv holds exactly locked versions, nothing else.
    listing = "import importlib.metadata as m; print('\\n'.join(f'{d.name}=={d.version}' for d in m.distributions()))"
    installed = subprocess.run([python, "-c", listing], capture_output=True, text=True, check=True).stdout.split()
    lock = (Path(__file__).resolve().parents[2] / "requirements" / "action.txt").read_text()
    pinned = {line.split(" ")[0].lower().replace("_", "-") for line in lock.splitlines() if "==" in line}
    # pip's fallback venv brings pip itself; uv's brings nothing.
    unlocked = {pin for pin in installed if pin.lower().replace("_", "-") not in pinned and not pin.startswith("pip==")}
    assert "pydantic==" in " ".join(installed)
    assert unlocked == set()
