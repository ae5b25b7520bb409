"""Run a task's hidden check, in the sandbox, on what the agent left: the branch it pushed, or the unchanged tree.

The check runs from a scratch folder that holds ``repo/`` (the result's files, its working directory),
``base/`` (the files the agent started from), ``answer.md`` (the agent's answer on the thread) and the
check itself. It sees them through ``EVAL_BASE``, ``EVAL_ANSWER`` and ``EVAL_STATUS`` (the action's
status), and nothing of the runner's: the same bubblewrap sandbox as the agent's commands, without network.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import tarfile
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from prpilot.agent.checks import tail
from prpilot.agent.sandbox import sandbox_for

CHECK_SECONDS = 120.0


class CheckOutcome(BaseModel):
    """Whether the check passed, the end of its output, and why it could not run ("" when it ran)."""

    passed: bool
    output: str = ""
    problem: str = ""


def unpack(archive: bytes, into: Path) -> None:
    """Write the files of a ``git archive`` tar into ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: no links out, no special files
            tar.extractall(into, filter="data")
        else:  # pragma: no cover - git archive of a repository's own tree names only paths inside it
            tar.extractall(into)  # noqa: S202


def run_check(
    check: Path, scratch: Path, *, result: bytes, base: bytes, answer: str, status: str, env: Mapping[str, str]
) -> CheckOutcome:
    """Lay out ``scratch`` and run ``check`` there in the sandbox; ``result``/``base`` are tar archives."""
    unpack(result, scratch / "repo")
    unpack(base, scratch / "base")
    (scratch / "answer.md").write_text(answer, encoding="utf-8")
    shutil.copyfile(check, scratch / "check")
    (scratch / "check").chmod(0o755)
    sandbox = sandbox_for(scratch, env, network=False)
    if sandbox.problem:
        return CheckOutcome(passed=False, problem=f"the check could not run: {sandbox.problem}")
    root = sandbox.workspace
    sandbox = dataclasses.replace(sandbox, env={
        **sandbox.env,
        "EVAL_BASE": str(root / "base"),
        "EVAL_ANSWER": str(root / "answer.md"),
        "EVAL_STATUS": status,
    })
    ran = sandbox.run(["/bin/sh", "-c", 'cd repo && exec "$0"', str(root / "check")], timeout=CHECK_SECONDS)
    output = tail(ran.output.decode("utf-8", "replace"), lines=30, chars=2000)
    if ran.timed_out:
        return CheckOutcome(passed=False, output=output, problem=f"the check ran out of its {CHECK_SECONDS:g} s")
    return CheckOutcome(passed=ran.exit_code == 0, output=output)
