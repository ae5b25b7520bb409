"""A run reading its inputs: every secret masked in the log, a placeholder key warned about."""

from __future__ import annotations

import re

import pytest

from prpilot.actions.runner_commands import ActionsRunner
from prpilot.settings import Settings, Step
from prpilot.wiring.run import Run


def read_settings(env: dict[str, str], step: Step, runner: ActionsRunner) -> Settings:
    """The settings half of the run a step reads (its context needs only the repository here)."""
    return Run.read({"GITHUB_REPOSITORY": "octo/repo", **env}, step, runner).settings


def test_a_placeholder_key_is_masked_in_the_log_and_warned_about(capsys: pytest.CaptureFixture[str]) -> None:
    env = {"GITHUB_ACTIONS": "true", "INPUT_OPENAI-API-KEY": "x", "INPUT_GITHUB-TOKEN": "ghs_realtoken0123"}

    settings = read_settings(env, Step.ENGINE, ActionsRunner(env))

    out = capsys.readouterr().out
    assert "::add-mask::x\n" in out  # the log still hides it
    assert "::add-mask::ghs_realtoken0123\n" in out
    warnings = [line for line in out.splitlines() if line.startswith("::warning::")]
    assert len(warnings) == 1
    assert "openai-api-key" in warnings[0]
    assert "placeholder" in warnings[0]
    assert settings.openai_api_key == "x"


def test_outside_actions_no_mask_command_prints_the_secret(capsys: pytest.CaptureFixture[str]) -> None:
    # A Redis worker or a Kubernetes Job reads the same inputs; no runner there reads ::add-mask::.
    env = {"INPUT_GITHUB-TOKEN": "ghs_realtoken0123", "INPUT_OPENAI-API-KEY": "sk-proj-abc123def456"}

    read_settings(env, Step.ENGINE, ActionsRunner(env))

    captured = capsys.readouterr()
    assert "ghs_realtoken0123" not in captured.out + captured.err
    assert "sk-proj-abc123def456" not in captured.out + captured.err


def test_real_keys_and_the_schedule_step_give_no_placeholder_warning(capsys: pytest.CaptureFixture[str]) -> None:
    env = {"GITHUB_ACTIONS": "true", "INPUT_OPENAI-API-KEY": "sk-proj-0123456789", "INPUT_BILLING-TOKEN": "tok"}

    read_settings(env, Step.ENGINE, ActionsRunner(env))
    read_settings({**env, "INPUT_OPENAI-API-KEY": "x"}, Step.SCHEDULE, ActionsRunner(env))

    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if "openai-api-key" in line] == []
    assert "billing-token" in out  # a short billing token is a placeholder too


def test_the_tool_profile_comes_from_prpilot_tool_profile_and_a_wrong_one_is_named() -> None:
    from prpilot.errors import ConfigError

    env = {"GITHUB_ACTIONS": "true"}
    assert read_settings(env, Step.ENGINE, ActionsRunner(env)).tool_profile == "standard"
    chosen = {**env, "PRPILOT_TOOL_PROFILE": "baseline"}
    assert read_settings(chosen, Step.ENGINE, ActionsRunner(chosen)).tool_profile == "baseline"
    wrong = {**env, "PRPILOT_TOOL_PROFILE": "everything"}
    with pytest.raises(ConfigError, match="PRPILOT_TOOL_PROFILE must be one of standard, baseline"):
        read_settings(wrong, Step.ENGINE, ActionsRunner(wrong))


@pytest.mark.parametrize(
    ("env", "api"),
    [
        ({}, "https://api.githubcopilot.com"),
        ({"GITHUB_SERVER_URL": "https://octocorp.ghe.com"}, "https://copilot-api.octocorp.ghe.com"),
        ({"GITHUB_SERVER_URL": "https://git.example.com"}, "https://api.enterprise.githubcopilot.com"),
        ({"GITHUB_SERVER_URL": "https://octocorp.ghe.com", "PRPILOT_COPILOT_API_URL": "http://127.0.0.1:9"},
         "http://127.0.0.1:9"),
    ],
)
def test_the_copilot_api_is_the_instances_unless_prpilot_copilot_api_url_says(env: dict[str, str], api: str) -> None:
    env = {"GITHUB_ACTIONS": "true", **env}
    assert read_settings(env, Step.ENGINE, ActionsRunner(env)).copilot_api_url == api


def test_the_model_inputs_are_read_and_a_wrong_one_is_named() -> None:
    from prpilot.errors import ConfigError

    env = {"GITHUB_ACTIONS": "true", "INPUT_MODEL-API": "responses", "INPUT_MAX-OUTPUT-TOKENS": "4096",
           "INPUT_REASONING-EFFORT": "high"}
    settings = read_settings(env, Step.ENGINE, ActionsRunner(env))
    assert (settings.model, settings.model_api, settings.max_output_tokens, settings.reasoning_effort) == (
        "gpt-5-mini", "responses", 4096, "high")
    for name, value, said in [("MODEL-API", "graphql", "model-api must be one of auto, chat-completions, responses"),
                              ("MAX-OUTPUT-TOKENS", "0", "max-output-tokens must be a positive whole number"),
                              ("REASONING-EFFORT", "very high", "reasoning-effort must be one word")]:
        wrong = {**env, f"INPUT_{name}": value}
        with pytest.raises(ConfigError, match=said):
            read_settings(wrong, Step.ENGINE, ActionsRunner(wrong))


@pytest.mark.parametrize(("name", "value", "said"), [
    ("INPUT_MAX-MINUTES", "soon", "input max-minutes must be a number, not 'soon'"),
    ("INPUT_OPENAI-BASE-URL", "not a url", "input openai-base-url must be an http(s) URL such as "
                                           "https://api.openai.com/v1, not 'not a url'"),
    ("INPUT_FALLBACK-BASE-URL", "ftp://models", "input fallback-base-url must be an http(s) URL"),
    ("INPUT_DRAFT", "maybe", "input draft must be true or false, not 'maybe'"),
    ("INPUT_VERIFY-ROUNDS", "-1", "input verify-rounds must be a positive whole number"),
])
def test_the_schedule_step_checks_the_engines_inputs_before_admission(name: str, value: str, said: str) -> None:
    from prpilot.errors import ConfigError

    env = {"GITHUB_ACTIONS": "true", name: value}
    with pytest.raises(ConfigError, match=re.escape(said)):
        read_settings(env, Step.SCHEDULE, ActionsRunner(env))


@pytest.mark.parametrize("value", ["ghp_0123456789abcdefghijABCDEFGHIJ012345", "sk-proj-abc123",
                                   "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
                                   "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA=="])
def test_a_message_about_a_malformed_input_never_repeats_a_secret_looking_value(value: str) -> None:
    from prpilot.errors import ConfigError
    from prpilot.settings import parse_settings

    for name in ("max-minutes", "openai-base-url", "draft", "strategy", "monthly-budget"):
        with pytest.raises(ConfigError) as raised:
            parse_settings({name: value})
        assert value not in raised.value.message
        assert "looks like a secret (not shown)" in raised.value.message
