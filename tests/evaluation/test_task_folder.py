"""Task folders: the built-in suite's shape, and a clear line for whatever is wrong with a user's task."""

from __future__ import annotations

from pathlib import Path

import pytest

from prpilot.errors import ConfigError
from prpilot.evaluation.scripted import load_script
from prpilot.evaluation.task_folder import BUILTIN_SUITE, load_suite, load_task

KINDS = ("typo", "rename", "parameter", "failing test", "unit test", "docs", "2,000-line", "search", "config",
         "question", "refuse", "refactor")


def test_the_built_in_suite_has_a_task_of_every_kind_the_issue_lists() -> None:
    tasks = load_suite(BUILTIN_SUITE)
    assert len(tasks) >= 12
    for kind in KINDS:
        assert any(kind in task.spec.kind for task in tasks), kind
    large = next(t for t in tasks if t.name == "large-file").files()["legacy_billing.py"]
    assert len(large.splitlines()) == 2000
    for task in tasks:
        assert task.check.stat().st_mode & 0o111, f"{task.name}/check is not executable"
        assert "check" not in task.files()  # the check is never in the agent's repository
        assert load_script(task.script("right"))
        assert load_script(task.script("wrong"))


def _task(root: Path, spec: str, *, repo: bool = True, check: bool = True) -> Path:
    folder = root / "mine"
    folder.mkdir()
    (folder / "task.yml").write_text(spec)
    if repo:
        (folder / "repo").mkdir()
        (folder / "repo" / "README.md").write_text("# mine\n")
    if check:
        (folder / "check").write_text("#!/bin/sh\ntrue\n")
    return folder


@pytest.mark.parametrize(("spec", "repo", "check", "said"), [
    ("kind: typo\n", True, True, "task mine: task.yml request: Field required"),
    ("request: x\nlimits: {max-steps: 0}\n", True, True, "task.yml limits.max-steps"),
    ("request: x\nmax_steps: 3\n", True, True, "task.yml max_steps: Extra inputs are not permitted"),
    ("request: [unclosed\n", True, True, "task mine: task.yml is not YAML"),
    ("request: x\n", False, True, "there is no repo/ folder"),
    ("request: x\n", True, False, "there is no check"),
])
def test_a_broken_task_folder_is_said_in_one_line(tmp_path: Path, spec: str, repo: bool, check: bool,
                                                  said: str) -> None:
    folder = _task(tmp_path, spec, repo=repo, check=check)
    with pytest.raises(ConfigError, match=said.replace("(", r"\(")):
        load_task(folder)


def test_a_folder_of_tasks_or_one_task_and_only_the_named_ones(tmp_path: Path) -> None:
    folder = _task(tmp_path, "request: fix it\nlimits: {max-steps: 3, max-cost: '0.05'}\n")
    [task] = load_suite(folder)
    assert (task.name, task.issue_title, task.spec.limits.max_steps) == ("mine", "fix it", 3)
    assert [t.name for t in load_suite(tmp_path)] == ["mine"]
    with pytest.raises(ConfigError, match="no task named other"):
        load_suite(tmp_path, ("other",))
    with pytest.raises(ConfigError, match="no task folders"):
        load_suite(tmp_path / "mine" / "repo")
    with pytest.raises(ConfigError, match="no such folder"):
        load_suite(tmp_path / "nowhere")


def test_a_script_must_be_a_list_of_assistant_messages(tmp_path: Path) -> None:
    script = tmp_path / "right.yml"
    script.write_text('[{"tool_calls": [{"type": "function", "function": {"name": "read_file", '
                      '"arguments": "{\\"path\\": \\"a\\"}"}}]}, {"content": "done"}]')
    [call, answer] = load_script(script)
    assert (call.tool_calls[0].name, call.tool_calls[0].arguments) == ("read_file", '{"path": "a"}')
    assert answer.text == "done"
    script.write_text("- {role: user, content: hi}\n")
    with pytest.raises(ConfigError, match="role"):
        load_script(script)
    script.write_text("content: hi\n")
    with pytest.raises(ConfigError, match=r"right\.yml: Input should be a valid list"):
        load_script(script)
    script.write_text("")
    with pytest.raises(ConfigError, match=r"right\.yml: Input should be a valid list"):
        load_script(script)
    script.write_text("- {content: [unclosed\n")
    with pytest.raises(ConfigError, match=r"right\.yml is not YAML"):
        load_script(script)


def test_bytecode_caches_in_a_tasks_repository_are_not_its_files(tmp_path: Path) -> None:
    folder = _task(tmp_path, "request: fix it\n")
    cache = folder / "repo" / "__pycache__"
    cache.mkdir()
    (cache / "mine.cpython-311.pyc").write_bytes(b"\xa7\r\r\n\x00binary")
    (folder / "repo" / "mine.py").write_text("x = 1\n")

    assert load_task(folder).files() == {"README.md": "# mine\n", "mine.py": "x = 1\n"}


def test_an_eval_task_yml_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    """read_yaml_model catches OSError and YAMLError, not UnicodeDecodeError: ``prpilot eval --tasks`` with a
    Latin-1 task.yml says "prpilot: internal error (UnicodeDecodeError: ...)"."""
    from prpilot.evaluation.task_folder import load_suite

    task = tmp_path / "t1"
    (task / "repo").mkdir(parents=True)
    (task / "repo" / "a.txt").write_text("hi\n")
    (task / "check").write_text("#!/bin/sh\nexit 0\n")
    (task / "task.yml").write_bytes('request: "caf\u00e9"\n'.encode("latin-1"))

    with pytest.raises(ConfigError, match="task t1"):
        load_suite(tmp_path)
