"""action.yml declares, and maps into each step, exactly the inputs and outputs the code uses."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml

from prpilot.settings import DEFAULTS, INPUTS, OUTPUTS, SCHEDULE_STEP_OUTPUTS, Step, env_name, parse_settings
from prpilot.task import Task, TaskStatus
from prpilot.thread.ending import task_outputs

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def _render() -> str:
    spec = importlib.util.spec_from_file_location("render_action_yml", ROOT / "scripts" / "render_action_yml.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text: str = module.render()
    return text


def _step(step_id: str) -> dict[str, object]:
    [found] = [step for step in ACTION["runs"]["steps"] if step["id"] == step_id]
    return found


def test_action_yml_is_the_rendering_of_the_registry() -> None:
    assert (ROOT / "action.yml").read_text() == _render(), "run: python scripts/render_action_yml.py"


def test_declared_inputs_are_the_registry_with_descriptions_and_defaults() -> None:
    assert set(ACTION["inputs"]) == set(INPUTS)
    for name, spec in ACTION["inputs"].items():
        assert spec["description"]
        assert spec["default"] == DEFAULTS[name]
    assert ACTION["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert ACTION["branding"]["icon"]
    assert ACTION["branding"]["color"]


def test_the_first_step_gets_exactly_the_inputs_it_reads() -> None:
    from prpilot.actions.acknowledge import INPUTS as FIRST_STEP_INPUTS

    env = _step("acknowledge")["env"]
    assert isinstance(env, dict)
    assert set(env) == {env_name(name) for name in FIRST_STEP_INPUTS}
    assert set(FIRST_STEP_INPUTS) <= set(INPUTS)
    steps = [step["id"] for step in ACTION["runs"]["steps"]]
    assert steps.index("acknowledge") == 0  # before the install: nothing installed yet
    for later in ("install", "sandbox", "run"):
        assert "steps.acknowledge.outputs.proceed == 'true'" in str(_step(later)["if"])


def test_each_step_gets_exactly_the_inputs_it_reads() -> None:
    # The run step schedules and then runs the engine, in one interpreter: it reads the inputs of both.
    reads = {"run": {Step.SCHEDULE, Step.ENGINE}, "finish": {Step.FINISH}}
    assert set().union(*reads.values()) == set(Step)
    for step_id, parts in reads.items():
        env = _step(step_id)["env"]
        assert isinstance(env, dict)
        mapped = {key for key in env if key.startswith("INPUT_")}
        assert mapped == {env_name(name) for name, (steps, _) in INPUTS.items() if parts & steps}
        for key in mapped:
            name = next(n for n in INPUTS if env_name(n) == key)
            assert env[key] == f"${{{{ inputs.{name} }}}}"


class _Recording(Mapping[str, str]):
    def __init__(self) -> None:
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        raise KeyError(key)

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.read.add(key)
        return default

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def test_the_code_reads_every_declared_input() -> None:
    raw = _Recording()
    parse_settings(raw)
    assert raw.read == set(INPUTS)


def test_declared_outputs_are_exactly_those_the_code_writes() -> None:
    task = Task(github_user="alice", github_project="o/r", user_request="x")
    task.transition(TaskStatus.SCHEDULED)
    task.transition(TaskStatus.RUNNING)
    task.transition(TaskStatus.COMPLETED, "done")
    assert set(task_outputs(task)) == set(OUTPUTS)
    assert set(ACTION["outputs"]) == set(OUTPUTS)
    for name, spec in ACTION["outputs"].items():
        assert spec["description"]
        assert f"steps.run.outputs.{name}" in spec["value"]
        assert spec["value"].startswith(f"${{{{ steps.finish.outputs.{name} || ")  # the finish step has the last word
    assert set(SCHEDULE_STEP_OUTPUTS) >= {"admitted", "task-file", "engine-started", "ended"}
    finish = _step("finish")
    assert finish["if"] == ("always() && steps.run.outputs.admitted == 'true' && steps.run.outputs.ended != 'true'")
    assert isinstance(finish["env"], dict)
    assert finish["env"]["PRPILOT_TASK_FILE"] == "${{ steps.run.outputs.task-file }}"
    assert "steps.run.outputs.engine-started" in finish["env"]["PRPILOT_ENGINE_OUTCOME"]


def test_composite_steps_use_bash_and_never_expand_untrusted_context_in_scripts() -> None:
    assert ACTION["runs"]["using"] == "composite"
    for step in ACTION["runs"]["steps"]:
        assert step["shell"] == "bash"  # dash would drop INPUT_GITHUB-TOKEN
        assert "${{" not in step["run"]
