"""The ChatModel adapter for OpenAI-compatible endpoints (OpenAI, Azure, vLLM...), over the ``openai`` client.

``openai`` is imported inside the functions that use it, so importing this module stays cheap and
nothing on the scheduler's path pulls the client in.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from prpilot.agent.endpoint_errors import phrase, retry_after, server_text
from prpilot.agent.model import ModelReply, assistant_message, reported_usage, sent_call, sent_text
from prpilot.agent.model_api import CHAT_COMPLETIONS, RESPONSES, says_only_responses
from prpilot.agent.responses_api import ResponseFailed, parse_response, responses_request
from prpilot.agent.text_tool_calls import native_or_text_calls
from prpilot.errors import ModelError
from prpilot.task import Usage

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletion

_RETRY_STATUSES = frozenset({408, 409, 429})
# What reading a body that is not the API's reply raises (pydantic's ValidationError is a ValueError).
_UNREADABLE = (AttributeError, TypeError, ValueError, KeyError, IndexError)
_MAX_BACKOFF = 30.0
_TIMES = {1: "once", 2: "twice", 3: "three times", 4: "four times", 5: "five times"}


class _Attempt(Exception):
    """One failed call: ``retry`` says whether trying again can help; ``what`` describes it.

    ``said`` is the server's own error text (empty when it gave none), so the final message can
    quote it whatever the status.
    """

    def __init__(
        self, what: str, *, retry: bool, wait: float | None = None, said: str = "", to_responses: bool = False
    ) -> None:
        super().__init__(what)
        self.what, self.retry, self.wait, self.said = what, retry, wait, said
        self.to_responses = to_responses  # the endpoint said the model is on /responses only
        self.unknown = False  # sent, then no answer: the endpoint may have generated and billed a reply


def tls_context_for(base_url: str) -> ssl.SSLContext | None:
    """The TLS context for ``base_url``: None (the client's default, verifying) unless it is plain http.

    A plain-http endpoint (a model server on the private network) uses no TLS, so loading the CA
    bundle (~17 ms per engine start) buys nothing. The context still demands a verified certificate
    and has no CA to verify against: a redirect to https fails closed, it is never sent unverified.
    """
    if urlparse(base_url).scheme != "http":
        return None
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class OpenAIChatModel:
    """Chat completions with tools; retries rate limits, server errors and timeouts with backoff.

    ``max_retries`` is how many times a failed call is tried again; ``retry_delay`` is the first
    backoff in seconds (doubled each time, or the server's ``retry-after``). Empty ``base_url``
    means OpenAI's own endpoint. ``api`` is chat-completions or responses; an endpoint that says the
    model is on /responses only moves it there once, for the rest of the task, and ``say`` logs it.
    ``max_output_tokens`` bounds every reply; ``headers`` go with every request.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        model: str,
        *,
        max_retries: int = 3,
        timeout: float = 60,
        retry_delay: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        api: str = CHAT_COMPLETIONS,
        max_output_tokens: int | None = None,
        reasoning_effort: str = "",
        headers: Mapping[str, str] | None = None,
        say: Callable[[str], None] | None = None,
    ) -> None:
        import openai

        if not api_key and not base_url:
            raise ModelError("No OpenAI API key was given; set the openai-api-key input from a repository secret.")
        self.model = model
        self.max_retries = max_retries
        self._api_key = api_key
        self.timeout = timeout
        self.retry_delay = retry_delay
        self._sleep = sleep
        self.api, self.max_output_tokens, self.reasoning_effort = api, max_output_tokens, reasoning_effort
        self._say = say
        self.host = urlparse(base_url).netloc or "api.openai.com"
        # Retries are ours (below), so the message can say plainly what happened each time.
        context = tls_context_for(base_url)
        self._client = openai.OpenAI(
            # A self-hosted endpoint may need no key, but the client insists on one.
            api_key=api_key or "no-key",
            base_url=base_url or None,
            timeout=timeout,
            max_retries=0,
            default_headers=dict(headers or {}),
            http_client=None if context is None else openai.DefaultHttpxClient(verify=context),
        )

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
        """Ask the model once (retrying transient failures); raise ModelError when it cannot answer."""
        attempts = self.max_retries + 1
        attempt = unknown = 0
        while attempt < attempts:
            attempt += 1
            try:
                reply = self._call(messages, tools)
                return replace(reply, usage=reply.usage + Usage(unknown_calls=unknown)) if unknown else reply
            except _Attempt as failed:
                unknown += failed.unknown
                if failed.to_responses and self.api == CHAT_COMPLETIONS:
                    self.api, attempt = RESPONSES, attempt - 1  # a move, not a retry
                    if self._say is not None:
                        self._say(f"prpilot: {self.host} serves {self.model} on /responses only; "
                                  "using the Responses API for the rest of the task.")
                    continue
                if not failed.retry or attempt == attempts:
                    message = _gave_up(self.host, failed, attempts) if failed.retry else (
                        f"The model endpoint ({self.host}) {failed.what}.")
                    error = ModelError(message)
                    error.unknown_calls = unknown
                    raise error from failed.__cause__
                backoff = min(self.retry_delay * 2 ** (attempt - 1), _MAX_BACKOFF)
                self._sleep(failed.wait if failed.wait is not None else backoff)
        raise AssertionError("unreachable")

    def _call(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> ModelReply:
        import openai

        names = [tool["function"]["name"] for tool in tools if "function" in tool]
        try:
            if self.api == RESPONSES:
                answer: Any = self._client.responses.create(**responses_request(
                    self.model, messages, tools, max_output_tokens=self.max_output_tokens,
                    reasoning_effort=self.reasoning_effort))
            else:
                answer = self._client.chat.completions.create(**self._chat_request(messages, tools))
        except openai.APIError as exc:
            raise self._explain(exc) from exc
        except _UNREADABLE as exc:  # the SDK could not read the body as a reply (an HTML page, say)
            raise self._unreadable(exc) from exc
        try:
            return parse_response(answer, names) if self.api == RESPONSES else parse_completion(answer, names)
        except ResponseFailed as exc:
            failed = _Attempt(f"answered that the response failed: {exc.said}", retry=False)
            failed.unknown = True  # it may have generated (and billed) part of a reply
            raise failed from exc
        except _UNREADABLE as exc:
            raise self._unreadable(exc) from exc

    def _unreadable(self, exc: Exception) -> _Attempt:
        """An answer that is not the API's reply: said in words, and counted as a call of unknown usage."""
        said = str(exc) if type(exc) is ValueError else f"{type(exc).__name__}: {exc}"  # our own words, else its kind
        failed = _Attempt(f"answered something that is not a {self.api} reply ({said[:300]})", retry=False)
        failed.unknown = True  # answered: it may have been billed, with a usage that cannot be read
        return failed

    def _chat_request(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self.model, "messages": messages}
        if tools:  # an empty list is an error for some endpoints
            request["tools"] = tools
            # OpenAI's own default, sent explicitly: some servers (llama-cpp-python's function-calling
            # format) read a missing tool_choice as "no tools" and never call one.
            request["tool_choice"] = "auto"
        if self.max_output_tokens:
            request["max_completion_tokens"] = self.max_output_tokens
        if self.reasoning_effort:
            request["reasoning_effort"] = self.reasoning_effort
        return request

    def _explain(self, exc: openai.APIError) -> _Attempt:
        import openai

        if isinstance(exc, openai.APITimeoutError):
            timed_out = _Attempt(f"did not answer within {self.timeout:g} s", retry=True)
            timed_out.unknown = True
            return timed_out
        if isinstance(exc, openai.APIConnectionError):
            return _Attempt("could not be reached (connection failed)", retry=True)
        if not isinstance(exc, openai.APIStatusError):
            return _Attempt(f"answered something unexpected: {exc.message}", retry=False)
        status = exc.status_code
        said = f"{status} {phrase(status)}"
        detail = server_text(exc, self._api_key)
        quoted = f": {detail}" if detail else ""
        if status == 401:
            what = f"answered {said}: the OpenAI API key was refused; check the openai-api-key secret"
            what += f" (the server said: {detail})" if detail else ""
            return _Attempt(what, retry=False, said=detail)
        if status == 403:
            return _Attempt(f"refused access ({said}){quoted}", retry=False, said=detail)
        if status == 410:
            return _Attempt(
                f"answered {said}: this endpoint is retired and gone; use another one (with openai-api-key and "
                "openai-base-url both empty, prpilot uses Copilot requests with the workflow's token)",
                retry=False,
                said=detail,
            )
        if status == 400 and says_only_responses(detail):
            return _Attempt(f"rejected the request ({said}){quoted}", retry=False, said=detail, to_responses=True)
        if status == 404:
            return _Attempt(
                f"has no model {self.model!r} or no {self.api} route ({said}{quoted}); "
                "check the model and openai-base-url inputs",
                retry=False,
                said=detail,
            )
        if status == 429 and exc.code == "insufficient_quota":
            return _Attempt(f"says the account's quota is used up ({said}){quoted}", retry=False, said=detail)
        if status in _RETRY_STATUSES or status >= 500:
            return _Attempt(f"answered {said}", retry=True, wait=retry_after(exc), said=detail)
        return _Attempt(f"rejected the request ({said}){quoted}", retry=False, said=detail)


def _gave_up(host: str, failed: _Attempt, attempts: int) -> str:
    """The message after the last retry: what happened how often, and the server's own words if any."""
    times = _TIMES.get(attempts, f"{attempts} times")
    message = f"The model endpoint ({host}) {failed.what} {times}; giving up."
    if failed.said:
        return f"{message} The server said: {failed.said}"
    return f"{message} It may be overloaded or down: try again later."


def parse_completion(response: ChatCompletion, tool_names: Collection[str] = ()) -> ModelReply:
    """Turn a chat completion into a ModelReply, with the usage exactly as the API reported it.

    A reply without native tool calls, to a request that offered ``tool_names``, may carry its
    calls as text (:mod:`prpilot.agent.text_tool_calls`): they are taken as the calls they are.
    """
    if not response.choices:
        raise ValueError("no choice: it may not support this request")
    message = response.choices[0].message
    if message is None:
        raise ValueError("a choice without a message")
    calls = []
    for call in message.tool_calls or []:
        function = getattr(call, "function", None)
        if function is not None:
            calls.append(sent_call(call.id, function.name, function.arguments))
    # A refusal (OpenAI's own field) is the model's answer: without it the reply would read as empty.
    content = sent_text(message.content) or sent_text(getattr(message, "refusal", None))
    message_content = content
    calls, content = native_or_text_calls(calls, content, tool_names)
    return ModelReply(
        message=assistant_message(message_content, calls),
        content=content,
        tool_calls=calls,
        usage=_usage(response),
        truncated=response.choices[0].finish_reason == "length",
    )


def _usage(response: ChatCompletion) -> Usage:
    # Tokens come from the API's own `usage` only; an endpoint that sends none is billed zero tokens.
    usage = response.usage
    if usage is None:
        return Usage(calls=1)
    details = getattr(usage, "prompt_tokens_details", None)
    return reported_usage(getattr(usage, "prompt_tokens", None), getattr(details, "cached_tokens", None),
                          getattr(usage, "completion_tokens", None))


def endpoint_unavailable(error: ModelError) -> bool:
    """Whether ``error`` says the endpoint or its model is unavailable, so that another model may answer.

    Server errors, timeouts, failed connections, rate limits, an unknown model (404) and answers that
    are no reply qualify; a refused key or a rejected request does not: the fallback would fail the
    same way, or should not try.
    """
    import openai

    cause = error.__cause__
    if isinstance(cause, openai.APIConnectionError):  # timeouts included
        return True
    if isinstance(cause, _UNREADABLE):  # it answers, but nothing a model says (a proxy's sign-in page, say)
        return True
    if isinstance(cause, openai.APIStatusError):
        return cause.status_code >= 500 or cause.status_code in _RETRY_STATUSES | {404}
    return False
