"""One run, read once: the settings and the context in one value, GitHub and the ledger opened once."""

from __future__ import annotations

import pytest

from prpilot.billing.bill import create_bill
from prpilot.billing.pricing import DEFAULT_PRICES
from prpilot.errors import ConfigError
from prpilot.settings import Step
from prpilot.task import Task, Usage
from prpilot.testing.github import FakeGitHub
from prpilot.testing.notices import RecordedNotices
from prpilot.wiring.run import Run

RUNNER = {"GITHUB_REPOSITORY": "octo/hello", "GITHUB_RUN_ID": "77", "RUNNER_TEMP": "/tmp/runner"}


def test_a_run_opens_its_github_and_its_ledger_once_and_shares_them(fake_github: FakeGitHub) -> None:
    fake_github.add_repo("octo/hello", files={"README.md": "hi\n"})
    env = {**RUNNER, "GITHUB_API_URL": fake_github.api_url, "INPUT_GITHUB-TOKEN": fake_github.issue_token("bot")}
    run = Run.read(env, Step.SCHEDULE, RecordedNotices())

    assert run.github is run.github
    assert run.ledger is run.ledger
    assert run.scheduler().github is run.github
    assert run.scheduler().ledger is run.ledger
    assert run.ledger.records() == []  # the run's ledger reads the repository the run names


def test_the_engine_of_the_run_step_works_over_what_its_scheduling_opened(fake_github: FakeGitHub) -> None:
    fake_github.add_repo("octo/hello", files={"README.md": "hi\n"})
    env = {**RUNNER, "GITHUB_API_URL": fake_github.api_url, "INPUT_GITHUB-TOKEN": fake_github.issue_token("bot")}
    scheduling = Run.read(env, Step.SCHEDULE, RecordedNotices())
    task = Task(github_user="alice", github_project="octo/hello", user_request="fix it")
    assert scheduling.ledger.admit(task, lambda records: None) is None

    engine = Run.read(env, Step.ENGINE, RecordedNotices())
    engine.adopt(scheduling)
    mark = fake_github.mark()
    engine.ledger.settle(create_bill(task, Usage(), "gpt-4o", DEFAULT_PRICES, "77"))

    assert engine.github is scheduling.github
    assert engine.ledger is scheduling.ledger
    # The ref, then the tree, the commit and the ref: the admission's commit and month file are not asked for.
    assert [r.method for r in fake_github.since(mark) if r.kind == "rest"] == ["GET", "POST", "POST", "PATCH"]


def test_a_run_adopts_only_what_the_other_opened() -> None:
    engine, scheduling = Run.read(RUNNER, Step.ENGINE, RecordedNotices()), Run.read(RUNNER, Step.SCHEDULE,
                                                                                    RecordedNotices())
    engine.adopt(scheduling)  # nothing opened there: nothing opened here either, and no request made

    assert "github" not in engine.__dict__
    assert "ledger" not in engine.__dict__


def test_a_run_without_a_token_says_which_input_is_empty_when_it_needs_github() -> None:
    run = Run.read(RUNNER, Step.SCHEDULE, RecordedNotices())

    assert run.settings.github_token == ""
    with pytest.raises(ConfigError, match="the github-token input is empty"):
        _ = run.github


def test_the_essentials_of_a_run_stand_when_another_input_is_wrong() -> None:
    env = {**RUNNER, "INPUT_GITHUB-TOKEN": "ghs_token", "INPUT_TRIGGER": "/bot", "INPUT_MAX-MINUTES": "soon"}
    with pytest.raises(ConfigError, match="max-minutes"):
        Run.read(env, Step.SCHEDULE, RecordedNotices())

    run = Run.essentials(env, Step.SCHEDULE, RecordedNotices(), ("github-token", "trigger"))

    assert run is not None
    assert (run.settings.github_token, run.settings.trigger, run.context.run_id) == ("ghs_token", "/bot", "77")


def test_no_essentials_without_the_runners_variables_or_with_a_wrong_essential_input() -> None:
    env = {"INPUT_GITHUB-TOKEN": "ghs_token"}
    assert Run.essentials(env, Step.SCHEDULE, RecordedNotices(), ("github-token",)) is None  # no GITHUB_REPOSITORY
    wrong = {**RUNNER, "INPUT_ALLOW-EDITED": "perhaps"}
    assert Run.essentials(wrong, Step.SCHEDULE, RecordedNotices(), ("allow-edited",)) is None


def test_every_secret_is_masked_before_the_settings_are_parsed() -> None:
    notices = RecordedNotices()
    env = {**RUNNER, "INPUT_GITHUB-TOKEN": "ghs_token0123", "INPUT_MAX-MINUTES": "soon"}

    with pytest.raises(ConfigError):
        Run.read(env, Step.SCHEDULE, notices)

    assert "ghs_token0123" in notices.masks  # masked although the inputs were refused
