from __future__ import annotations

import os
from pathlib import Path

import pytest

from prpilot.engine.structured_output import check_answer, load_schema
from prpilot.errors import ConfigError

SCHEMA = {"type": "object", "required": ["label"], "properties": {"label": {"enum": ["bug", "feature"]}},
          "additionalProperties": False}


@pytest.mark.parametrize(("text", "line"), [
    ('{"label": "bug"}', '{"label":"bug"}'),
    ('I think:\n```json\n{"label": "feature"}\n```', '{"label":"feature"}'),
    ('It is {"label": "bug"}.', '{"label":"bug"}'),
])
def test_a_valid_answer_becomes_one_line_of_json(text: str, line: str) -> None:
    assert check_answer(text, SCHEMA) == (line, [])


@pytest.mark.parametrize(("text", "error"), [
    ('{"label": "question"}', "label: 'question' is not one of ['bug', 'feature']"),
    ('{"kind": "bug"}', "(root): 'label' is a required property"),
    ("a bug, clearly", "the answer holds no JSON"),
])
def test_an_invalid_answer_names_what_is_wrong(text: str, error: str) -> None:
    line, errors = check_answer(text, SCHEMA)
    assert line == ""
    assert error in errors


def test_the_schema_comes_inline_or_from_a_file_in_the_repository(tmp_path: Path) -> None:
    (tmp_path / "schema.json").write_text('{"type": "object"}')
    assert load_schema('{"type": "string"}', tmp_path) == {"type": "string"}
    assert load_schema("schema.json", tmp_path) == {"type": "object"}
    assert load_schema("", tmp_path) is None


@pytest.mark.parametrize(("value", "message"), [
    ("{not json", "input output-schema is not valid JSON"),
    ('{"type": 12}', "is not a valid JSON Schema"),
    ("../outside.json", "neither JSON nor a file in the repository"),
    ("missing.json", "neither JSON nor a file in the repository"),
])
def test_a_bad_schema_is_a_clear_configuration_error(tmp_path: Path, value: str, message: str) -> None:
    (tmp_path.parent / "outside.json").write_text("{}")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load_schema(value, tmp_path)


def test_an_answer_nested_past_the_parser_fails_validation_not_the_step() -> None:
    text = "{" + '"a":[' * 100_000 + "]" * 100_000 + "}"

    _, errors = check_answer(text, {"type": "object"})

    assert errors


def test_a_schema_nested_past_the_parser_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not valid JSON"):
        load_schema("{" + '"a":[' * 100_000 + "]" * 100_000 + "}", tmp_path)


@pytest.mark.parametrize("kind", ["link-into-git", "fifo", "link-out"])
def test_a_schema_file_is_read_only_as_a_regular_file_of_the_checkout(tmp_path: Path, kind: str) -> None:
    """An earlier task may have committed the schema's path as a link (into .git, out of the checkout) or a
    command left a FIFO there: refused in words, never read, never waited on."""
    root = tmp_path / "work"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "config").write_text('{"type": "object"}')
    (tmp_path / "outside.json").write_text('{"type": "object"}')
    schema = root / "schema.json"
    if kind == "fifo":
        os.mkfifo(schema)
    else:
        schema.symlink_to(".git/config" if kind == "link-into-git" else "../outside.json")

    with pytest.raises(ConfigError, match="neither JSON nor a file in the repository"):
        load_schema("schema.json", root)

