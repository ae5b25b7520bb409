"""The inputs of issue 15: setup, verify, verify-rounds and ci-workflows."""

from __future__ import annotations

import pytest

from prpilot.errors import ConfigError
from prpilot.settings import parse_settings


def test_commands_are_one_per_line_and_rounds_default_to_two() -> None:
    settings = parse_settings({"setup": "pip install -e .[test]\n\n# a comment\nnpm ci\n",
                               "verify": "pytest -q\nruff check .", "ci-workflows": "ci.yml, lint.yaml"})
    assert settings.setup == ("pip install -e .[test]", "npm ci")
    assert settings.verify == ("pytest -q", "ruff check .")
    assert settings.verify_rounds == 2
    assert settings.ci_workflows == ("ci.yml", "lint.yaml")


@pytest.mark.parametrize(("raw", "rounds"), [("0", 0), ("5", 5), ("", 2)])
def test_verify_rounds(raw: str, rounds: int) -> None:
    assert parse_settings({"verify-rounds": raw}).verify_rounds == rounds


@pytest.mark.parametrize(("name", "value", "said"), [
    ("verify-rounds", "-1", "verify-rounds"),
    ("verify-rounds", "two", "verify-rounds"),
    ("ci-workflows", ".github/workflows/ci.yml", "ci-workflows"),
    ("ci-workflows", "ci", "ci-workflows"),
])
def test_bad_values_name_the_input(name: str, value: str, said: str) -> None:
    with pytest.raises(ConfigError, match=said):
        parse_settings({name: value})
