"""What every step reads first: its inputs, secrets masked, and the task the schedule step handed over."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from prpilot.actions.run_context import TOOL_PROFILE_VARIABLE, copilot_api_from
from prpilot.actions.runner_commands import ActionsRunner
from prpilot.errors import ConfigError
from prpilot.masking import is_placeholder, placeholder_warning, secret_forms
from prpilot.settings import SECRET_INPUTS, Settings, Step, parse_settings, raw_inputs
from prpilot.task import Task


def read_settings(env: Mapping[str, str], step: Step, runner: ActionsRunner) -> Settings:
    """Parse the step's inputs and mask every secret before anything can print it.

    The log masks every secret, however short; the engine step warns about one too short to be a
    key, which prpilot's own text does not redact.
    """
    raw = raw_inputs(env, step)
    for name in SECRET_INPUTS:
        for form in secret_forms(raw.get(name, "")):
            runner.mask(form)
        if step is Step.ENGINE and is_placeholder(raw.get(name, "")):
            runner.warning(placeholder_warning(name, raw[name]))
    return parse_settings(raw, copilot_api=copilot_api_from(env),
                          tool_profile=env.get(TOOL_PROFILE_VARIABLE, ""))


def load_task_file(env: Mapping[str, str]) -> Task:
    """Read the task the schedule step handed over."""
    path = env.get("PRPILOT_TASK_FILE", "")
    if not path:
        raise ConfigError("PRPILOT_TASK_FILE is not set: the engine step runs only after the schedule step")
    try:
        return Task.model_validate_json(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the task file {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise ConfigError(f"the task file {path} is damaged ({str(exc).splitlines()[0]})") from exc
