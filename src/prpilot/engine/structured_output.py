"""output-schema: the task's final answer must be JSON valid against the workflow's JSON Schema.

Only the final answer is checked, never the agent's messages on the way. An answer that does not
validate gets one repair turn with the validation errors; if it still does not, the task fails with
them. The schema is read with jsonschema (https://python-jsonschema.readthedocs.io/en/stable/validate/,
read 2026-12-07), in whichever draft its ``$schema`` names (2020-12 when it names none).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prpilot.agent.workspace import MAX_READ_BYTES, Workspace
from prpilot.errors import ConfigError, PrpilotError

if TYPE_CHECKING:
    from prpilot.agent.loop import AgentOutcome
    from prpilot.task import Task

_FENCE = re.compile(r"```(?:json)?\s*\n(.*?)\n\s*```", re.DOTALL)
MAX_ERRORS = 5
REPAIR = ("Your final answer must be only JSON that validates against this JSON Schema:\n```json\n{schema}\n```\n"
          "It does not: {errors}. Answer again with only the corrected JSON.")


def load_schema(value: str, root: Path) -> dict[str, Any] | None:
    """The schema ``value`` gives: inline JSON, or a JSON file's path in the repository; None when empty."""
    value = value.strip()
    if not value:
        return None  # before the import: jsonschema brings attrs, referencing and rpds, 0.2 s and more to import
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    if value.startswith("{"):
        text, where = value, "input output-schema"
    else:
        # The file tools' read: a regular file of the checkout, never through a link out or into .git, no FIFO.
        data = Workspace(root).read_regular(value, MAX_READ_BYTES + 1)
        if data is None or len(data) > MAX_READ_BYTES:
            raise ConfigError(f"input output-schema is neither JSON nor a file in the repository: {value!r}")
        text, where = data.decode("utf-8", "replace"), f"output-schema {value}"
    try:
        schema = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"{where} is not valid JSON: {exc}") from None
    if not isinstance(schema, dict):
        raise ConfigError(f"{where} must be a JSON Schema object")
    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        raise ConfigError(f"{where} is not a valid JSON Schema: {exc.message}") from None
    return schema


def check_answer(text: str, schema: dict[str, Any]) -> tuple[str, list[str]]:
    """The answer as one line of JSON and no errors, or "" and what is wrong with it."""
    from jsonschema.validators import validator_for

    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text.strip()]
    for opening, closing in ("{}", "[]"):
        start, end = text.find(opening), text.rfind(closing)
        if 0 <= start < end:
            candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except (ValueError, RecursionError):  # a model reply nested past the parser is no answer
            continue
        validator = validator_for(schema)(schema)
        found = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
        errors = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in found[:MAX_ERRORS]]
        if not errors:
            return json.dumps(data, separators=(",", ":"), ensure_ascii=False), []
        return "", errors
    return "", ["the answer holds no JSON"]


def settle(task: Task, schema: dict[str, Any], outcome: AgentOutcome, answer: str, *,
           repair: Callable[[str], AgentOutcome] | None, redact: Callable[[str], str]) -> tuple[AgentOutcome, str]:
    """Check the final answer; give the agent one repair turn; fail the task naming what is still wrong.

    ``repair`` continues the agent's conversation with a message (None: no model call is left for it);
    ``redact`` takes the secrets out of what reaches the thread and the outputs.
    """
    if outcome.stop_reason != "done":
        return outcome, answer  # cut short: there is no final answer to hold to the schema
    line, errors = check_answer(outcome.answer, schema)
    if errors and repair is not None:
        outcome = repair(REPAIR.format(schema=json.dumps(schema, indent=1)[:4000], errors="; ".join(errors)))
        answer = outcome.answer
        line, errors = check_answer(outcome.answer, schema) if outcome.stop_reason == "done" else ("", errors)
    if errors:
        raise PrpilotError("The answer does not match output-schema: " + "; ".join(redact(e) for e in errors))
    task.structured_output = redact(line)
    return outcome, answer
