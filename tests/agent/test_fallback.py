"""The fallback model takes over from where the primary failed, and each model's usage is kept apart."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from prpilot.agent.fallback import FallbackChatModel
from prpilot.agent.model import ModelReply
from prpilot.agent.openai_model import OpenAIChatModel, endpoint_unavailable
from prpilot.agent.scripted_model import ScriptedChatModel
from prpilot.billing.meter import Meter
from prpilot.billing.pricing import DEFAULT_PRICES
from prpilot.errors import ModelError
from prpilot.task import Task, Usage
from prpilot.testing.openai_server import OpenAIServer, error, text

MESSAGES = [{"role": "user", "content": "fix it"}]


class Scripted:
    """A ChatModel answering from a list: a ModelError instance is raised, a string is the answer."""

    def __init__(self, *answers: str | ModelError, tokens: int = 10) -> None:
        self.answers = list(answers)
        self.seen: list[list[dict[str, Any]]] = []
        self.tokens = tokens

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
        self.seen.append(list(messages))
        answer = self.answers.pop(0)
        if isinstance(answer, ModelError):
            raise answer
        usage = Usage(prompt_tokens=self.tokens, completion_tokens=1, calls=1)
        return ModelReply({"role": "assistant", "content": answer}, answer, usage=usage)


def _down(_error: ModelError) -> bool:
    return True


def test_the_fallback_continues_from_the_same_messages_and_stays() -> None:
    primary = Scripted("first", ModelError("The model endpoint (a) answered 500 Internal Server Error four times."))
    fallback = Scripted("second", "third", tokens=100)
    switches: list[str] = []
    model = FallbackChatModel(primary, fallback, "big", "small", _down, on_switch=switches.append)

    assert model.complete(MESSAGES, []).content == "first"
    later = [*MESSAGES, {"role": "assistant", "content": "first"}]
    assert model.complete(later, []).content == "second"
    assert model.complete(later, []).content == "third"

    assert fallback.seen[0] == later  # from where it was: the same conversation
    assert len(primary.seen) == 2  # never asked again once it failed for good
    assert switches == [model.notice]
    assert "`big` failed (The model endpoint (a) answered 500 Internal Server Error four times)" in model.notice
    assert "`small` took over" in model.notice
    assert model.usage_by_model == {
        "big": Usage(prompt_tokens=10, completion_tokens=1, calls=1),
        "small": Usage(prompt_tokens=200, completion_tokens=2, calls=2),
    }


def test_a_failure_the_fallback_would_share_is_not_handed_over() -> None:
    refused = ModelError("The model endpoint (a) answered 401 Unauthorized.")
    model = FallbackChatModel(Scripted(refused), Scripted("never"), "big", "small", lambda _e: False)
    with pytest.raises(ModelError, match="401"):
        model.complete(MESSAGES, [])
    assert model.notice == ""


@pytest.mark.parametrize(
    ("status", "unavailable"), [(500, True), (503, True), (429, True), (404, True), (401, False), (400, False)]
)
def test_which_endpoint_failures_let_the_fallback_answer(
    openai_server: OpenAIServer, status: int, unavailable: bool
) -> None:
    openai_server.set_policy(lambda _request, _index: error(status))
    model = OpenAIChatModel(openai_server.base_url, "sk-test-key", "gpt-4.1", max_retries=0, retry_delay=0.0)
    with pytest.raises(ModelError) as failed:
        model.complete(MESSAGES, [])
    assert endpoint_unavailable(failed.value) is unavailable


def test_an_unreachable_endpoint_lets_the_fallback_answer() -> None:
    model = OpenAIChatModel("http://127.0.0.1:9/v1", "sk-test-key", "gpt-4.1", max_retries=0, timeout=2)
    with pytest.raises(ModelError) as failed:
        model.complete(MESSAGES, [])
    assert endpoint_unavailable(failed.value)
    assert not endpoint_unavailable(ModelError("The model endpoint answered without any choice."))


def test_the_meter_prices_each_models_share_and_the_totals_are_their_sums(openai_server: OpenAIServer) -> None:
    openai_server.script(text("fine", prompt_tokens=1_000_000, completion_tokens=0))
    primary = Scripted(ModelError("down"))
    fallback = OpenAIChatModel(openai_server.base_url, "sk-test-key", "gpt-4.1-mini")
    model = FallbackChatModel(primary, fallback, "gpt-4.1", "gpt-4.1-mini", _down)
    meter = Meter("gpt-4.1", DEFAULT_PRICES, by_model=lambda: model.usage_by_model)
    meter.usage = Usage(prompt_tokens=1_000, completion_tokens=100, calls=1)  # a call made before the wrapper saw any

    reply = model.complete(MESSAGES, [])
    meter.usage += reply.usage
    task = Task(github_user="alice", github_project="o/r", user_request="x")
    bill = meter.bill(task)

    assert [(share.model, share.prompt_tokens, share.completion_tokens) for share in bill.models] == [
        ("gpt-4.1-mini", 1_000_000, 0),
        ("gpt-4.1", 1_000, 100),  # what no model's record holds is the primary's
    ]
    # $0.40 for the fallback's million prompt tokens; $0.002 + $0.0008 for the primary's call.
    assert [share.cost_usd for share in bill.models] == [Decimal("0.4"), Decimal("0.0028")]
    assert bill.cost_usd == task.cost_usd == Decimal("0.4028") == meter.cost()
    assert bill.prompt_tokens == sum(share.prompt_tokens for share in bill.models)
    assert [share.model for share in task.model_usage] == ["gpt-4.1-mini", "gpt-4.1"]
    assert "gpt-4.1-mini, gpt-4.1" in meter.cost_line()


def test_without_a_switch_the_bill_has_one_model() -> None:
    meter = Meter("gpt-4.1-mini", DEFAULT_PRICES, by_model=dict)
    meter.usage = Usage(prompt_tokens=100, completion_tokens=10, calls=2)
    bill = meter.bill(Task(github_user="alice", github_project="o/r", user_request="x"))
    [share] = bill.models
    assert (share.model, share.prompt_tokens, share.cost_usd) == ("gpt-4.1-mini", 100, bill.cost_usd)


def _timed_out(times: int) -> ModelError:
    error = ModelError(f"The model endpoint (x) did not answer within 60 s {times} times; giving up.")
    error.unknown_calls = times
    return error


def test_the_primarys_unknown_calls_survive_a_fallback_that_fails_too() -> None:
    """The primary timed out three times, then the fallback refuses: the error raised carries the primary's
    three calls of unknown usage too (once only the fallback's, none)."""
    refused = ModelError("The model endpoint (y) answered 401 Unauthorized: the key was refused.")
    model = FallbackChatModel(ScriptedChatModel(_timed_out(3)), ScriptedChatModel(refused), "a", "b",
                              gives_way=lambda _exc: True)

    with pytest.raises(ModelError) as caught:
        model.complete(MESSAGES, [])

    assert caught.value.unknown_calls == 3

