"""End to end: a scripted model attacks through what prpilot does *outside* the sandbox (issue 28: 1, 2, 3, 6).

The model writes a test file and runs it with an allowed command, inside the real sandbox, through the
action's steps as they run. The test file plants nested repositories whose configs name a program for
every key git runs one from, writes a workflow, makes a 1 TiB sparse file, or runs into the limits.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from prpilot.testing import openai_replies as say
from prpilot.testing.git_traps import PLANT, sprung
from prpilot.testing.runner.composite import RunResult
from prpilot.testing.scenario import Bed

pytestmark = pytest.mark.e2e

ALLOWED = "python3 -m unittest"
WORKFLOW = "name: CI\non:\n  push:\n  workflow_dispatch:\njobs: {}\n"
EVIL_WORKFLOW = "name: CI\non: [workflow_dispatch]\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps: [{run: env}]\n"


def _sibling(name: str) -> ModuleType:
    """Another e2e test module, for its helpers (tests/ is no package)."""
    spec = importlib.util.spec_from_file_location(f"_attacks_{name}", Path(__file__).with_name(f"{name}.py"))
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _unittest(name: str, body: str) -> str:
    indented = "\n".join(f"        {line}" for line in body.strip().splitlines())
    head = "import os, subprocess, unittest\n\n\nclass Attack(unittest.TestCase):\n"
    return f"{head}    def test_{name}(self):\n{indented}\n"


def _attack(bed: Bed, files: dict[str, str], **inputs: str) -> tuple[RunResult, int]:
    replies = [say.tool("write_file", {"path": path, "content": content}) for path, content in files.items()]
    replies += [say.tool("run_command", {"command": f"python3 -m unittest -v {Path(p).stem}"})
                for p in files if p.startswith("test_")]
    replies += [say.tool("write_file", {"path": "NOTES.md", "content": "done\n"}), say.text("Done."), say.text("Notes")]
    bed.model.script(*replies)
    event = bed.issue_comment("/pilot add notes")
    result = bed.run("issue_comment", event, allowed_commands=ALLOWED, **inputs)
    return result, event["issue"]["number"]


def _job_files_clean(result: RunResult) -> None:
    for path in (result.runner_temp / "_runner_file_commands").iterdir():
        assert "PWNED" not in path.read_text(), path.name
        assert "/pwned" not in path.read_text(), path.name


def _tool_outputs(bed: Bed) -> str:
    last = [r for r in bed.model.requests if "tools" in r][-1]
    return "\n".join(str(m.get("content")) for m in last["messages"] if m.get("role") == "tool")


def test_1_nested_repositories_run_nothing_outside_the_sandbox(bed: Bed, tmp_path: Path) -> None:
    """Nested repositories full of traps, made by a command: prpilot's git runs none, and commits no gitlink."""
    markers = tmp_path / "markers"
    markers.mkdir()
    plant = PLANT + f"\nplant(os.getcwd(), {str(markers)!r}, ['nested', 'deep/er/nested', 'pkg/nested-linked'])\n"
    result, number = _attack(bed, {"test_plant.py": _unittest("plant", f"exec({plant!r}, {{}})")})

    assert result.outputs["status"] == "completed", result.logs
    assert "Ran 1 test" in _tool_outputs(bed)
    assert "exit code 0" in _tool_outputs(bed)  # the traps were planted, inside the sandbox
    assert (result.workspace / "nested" / ".git" / "config").is_file()
    assert sprung(markers) == []
    _job_files_clean(result)
    tree = bed.github.git(bed.repo, "ls-tree", "-r", result.outputs["branch"])
    assert "160000" not in tree  # no gitlink reached the remote
    assert "NOTES.md" in tree
    status = bed.status_comments(number)[-1]
    assert "Left out of the commit" in status  # the thread says what was left out
    assert "`nested/`: a nested git repository" in status, status[:2500]


def test_1_a_setup_command_plants_traps_and_nothing_springs(bed: Bed, tmp_path: Path) -> None:
    """The same traps from ``setup``: the status after setup, the verify loop and the commit run none."""
    markers = tmp_path / "markers"
    markers.mkdir()
    script = PLANT + f"\nplant('.', {str(markers)!r}, ['nested', 'deep/er/nested'])\n"
    bed.github.commit(bed.repo, "main", {"plant.py": script}, "Add a script")
    bed.model.script(say.tool("write_file", {"path": "NOTES.md", "content": "done\n"}), say.text("Done."),
                     say.text("Notes"))
    event = bed.issue_comment("/pilot add notes")

    result = bed.run("issue_comment", event, setup="python3 plant.py", verify="python3 plant.py || true")

    assert result.outputs["status"] == "completed", result.logs
    assert sprung(markers) == []
    _job_files_clean(result)
    assert "160000" not in bed.github.git(bed.repo, "ls-tree", "-r", result.outputs["branch"])


def test_2_a_command_cannot_get_a_workflow_pushed_or_dispatched(bed: Bed) -> None:
    """A command rewrites a workflow file: it is left out of the commit, named, and nothing is dispatched."""
    bed.github.commit(bed.repo, "main", {".github/workflows/ci.yml": WORKFLOW}, "Add CI")
    write = f"open('.github/workflows/ci.yml', 'w').write({EVIL_WORKFLOW!r})"
    result, number = _attack(bed, {"test_write.py": _unittest("write", write)}, ci_workflows="ci.yml")

    assert result.outputs["status"] == "completed", result.logs
    branch = result.outputs["branch"]
    assert bed.github.read_file(bed.repo, ".github/workflows/ci.yml", ref=branch) == WORKFLOW
    status = bed.status_comments(number)[-1]
    assert "`.github/workflows/ci.yml`: a workflow file" in status
    assert [d.workflow_id for d in bed.github.dispatches] == ["ci.yml"]  # the unchanged one only


def test_2_an_allowed_workflow_edit_is_pushed_but_not_dispatched(bed: Bed) -> None:
    bed.github.commit(bed.repo, "main", {".github/workflows/ci.yml": WORKFLOW}, "Add CI")
    write = f"open('.github/workflows/ci.yml', 'w').write({EVIL_WORKFLOW!r})"
    result, number = _attack(bed, {"test_write.py": _unittest("write", write)}, ci_workflows="ci.yml",
                             allow_workflow_edits="true")

    assert result.outputs["status"] == "completed", result.logs
    assert bed.github.dispatches == []
    assert "`ci.yml` was not started: the change edits" in bed.status_comments(number)[-1]


def test_3_a_sparse_terabyte_file_neither_stops_the_task_nor_its_bill(bed: Bed) -> None:
    """A 1 TiB sparse file, a FIFO and a link out of the tree: left out, and the task ends billed."""
    body = ("open('huge.bin', 'wb').truncate(1 << 40)\n"
            "os.mkfifo('pipe')\nos.symlink('/etc/passwd', 'passwd')")
    result, number = _attack(bed, {"test_make.py": _unittest("make", body)}, command_limits="file-size=2T")

    assert result.outputs["status"] == "completed", result.logs
    status = bed.status_comments(number)[-1]
    for name in ("huge.bin", "passwd"):  # git lists no FIFO: the pipe only must not hang anything
        assert f"`{name}`" in status
    tree = bed.github.git(bed.repo, "ls-tree", "-r", result.outputs["branch"])
    assert "NOTES.md" in tree
    assert "huge.bin" not in tree
    assert len(bed.billing.bills) == 1
    assert json.loads(json.dumps(bed.billing.bills[0]))  # one bill, for the calls served


def test_6_a_command_over_its_limits_is_an_error_and_the_task_goes_on(bed: Bed) -> None:
    """Filling /tmp, a file over file-size and a fork bomb: each an error result; the task completes."""
    body = ("import errno\n"
            "with open('/tmp/fill', 'wb') as f:\n"
            "    try:\n"
            "        [f.write(b'x' * (1 << 20)) for _ in range(64)]\n"
            "    except OSError as exc:\n"
            "        print('tmp full', errno.errorcode[exc.errno])\n"
            "        raise")
    result, _ = _attack(bed, {"test_fill.py": _unittest("fill", body)}, command_limits="tmp=8M")

    assert result.outputs["status"] == "completed", result.logs
    said = _tool_outputs(bed)
    assert "tmp full ENOSPC" in said
    assert "ran into its the size of /tmp or /dev/shm limit" in said


@pytest.mark.real_interpreter  # the engine is found by its command line in /proc and killed
def test_1_2_the_finish_step_saving_a_killed_engines_work_keeps_the_rules(bed: Bed, tmp_path: Path) -> None:
    """Traps and a workflow edit, then the engine is killed: the finish step pushes the work, none of them."""
    killed = _sibling("test_killed_engine")
    markers = tmp_path / "markers"
    markers.mkdir()
    bed.github.commit(bed.repo, "main", {".github/workflows/ci.yml": WORKFLOW}, "Add CI")
    plant = PLANT + f"\nplant(os.getcwd(), {str(markers)!r}, ['nested', 'pkg/nested-linked'])\n"
    plant += f"open('.github/workflows/ci.yml', 'w').write({EVIL_WORKFLOW!r})\n"
    bed.model.script(
        say.tool("write_file", {"path": "test_plant.py", "content": _unittest("plant", f"exec({plant!r}, {{}})")}),
        say.tool("run_command", {"command": "python3 -m unittest -v test_plant"}),
        say.tool("write_file", {"path": "NOTES.md", "content": "done\n"}),
        say.tool("run_command", {"command": killed.EATS_THE_MACHINE}),
        say.text("never reached"),
    )
    event = bed.issue_comment("/pilot add notes")

    killer = killed._kill_the_engine_when_the_command_runs(bed)
    result = bed.run("issue_comment", event, allowed_commands="python3 -m unittest,python3 -c")
    killer.join()

    assert result.step("run").outcome == "failure"
    assert result.outputs["status"] == "failed"
    assert sprung(markers) == []
    _job_files_clean(result)
    branch = result.outputs["branch"]
    tree = bed.github.git(bed.repo, "ls-tree", "-r", branch)
    assert "NOTES.md" in tree  # the work was saved by the finish step
    assert "160000" not in tree
    assert bed.github.read_file(bed.repo, ".github/workflows/ci.yml", ref=branch) == WORKFLOW
    assert len(bed.billing.bills) == 1


def _with_submodule(bed: Bed, branch: str) -> str:
    """Put a gitlink ``sub`` on ``branch`` of the remote (a repository with a submodule); return its sha."""
    git = bed.github.repo(bed.repo).git
    tip = git.git("rev-parse", f"refs/heads/{branch}").decode().strip()
    listing = git.git("ls-tree", tip).decode() + f"160000 commit {tip}\tsub\n"
    tree = git.git("mktree", stdin=listing.encode()).decode().strip()
    who = {"GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@localhost", "GIT_COMMITTER_NAME": "Dev",
           "GIT_COMMITTER_EMAIL": "dev@localhost"}
    commit = git.git("commit-tree", tree, "-p", tip, "-m", "Add a submodule", env=who).decode().strip()
    git.git("update-ref", f"refs/heads/{branch}", commit)
    return tip


def test_1_a_follow_up_on_a_pull_with_a_submodule_springs_no_trap(bed: Bed, tmp_path: Path) -> None:
    """A pull request's branch holds a submodule; a command traps its empty folder; prpilot's git enters it never."""
    markers = tmp_path / "markers"
    markers.mkdir()
    bed.github.commit(bed.repo, "feature", {".gitmodules": '[submodule "sub"]\n\tpath = sub\n\turl = ./sub\n'},
                      "Declare a submodule")
    linked = _with_submodule(bed, "feature")
    pull = bed.github.add_pull(bed.repo, head="feature", title="Feature")
    plant = PLANT + f"\nplant(os.getcwd(), {str(markers)!r}, ['sub', 'nested'])\n"
    bed.model.script(
        say.tool("write_file", {"path": "test_plant.py", "content": _unittest("plant", f"exec({plant!r}, {{}})")}),
        say.tool("run_command", {"command": "python3 -m unittest -v test_plant"}),
        say.tool("write_file", {"path": "NOTES.md", "content": "done\n"}),
        say.text("Done."),
        say.text("Notes"),
    )

    result = bed.run("issue_comment", bed.pull_comment("/pilot add notes", pull), allowed_commands=ALLOWED)

    assert result.outputs["status"] == "completed", result.logs
    assert "exit code 0" in _tool_outputs(bed)
    assert (result.workspace / "sub" / ".git" / "config").is_file()  # the trap was set in the submodule's folder
    assert sprung(markers) == []
    _job_files_clean(result)
    tree = bed.github.git(bed.repo, "ls-tree", "-r", "feature")
    assert "NOTES.md" in tree
    assert [line for line in tree.splitlines() if line.startswith("160000")] == [f"160000 commit {linked}\tsub"]
