"""The HTTP tuning the entry point reads: tests shorten timeouts and backoffs, production keeps the defaults."""

from __future__ import annotations

import pytest

from prpilot.errors import ConfigError
from prpilot.tuning import HttpTuning, from_env


def test_unset_keeps_the_defaults_and_set_values_are_seconds() -> None:
    assert from_env({}) == HttpTuning(timeout=20.0, backoff=1.0)
    assert from_env({"PRPILOT_HTTP_TIMEOUT": "0.5", "PRPILOT_HTTP_BACKOFF": "0"}) == HttpTuning(0.5, 0.0)


@pytest.mark.parametrize(("name", "value"), [("PRPILOT_HTTP_TIMEOUT", "0"), ("PRPILOT_HTTP_TIMEOUT", "soon"),
                                             ("PRPILOT_HTTP_BACKOFF", "-1"), ("PRPILOT_HTTP_BACKOFF", "nan")])
def test_a_value_that_is_no_duration_is_a_clear_error(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"{name} must be a number of seconds"):
        from_env({name: value})
