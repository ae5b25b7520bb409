"""Which endpoint the eval calls: the action's rules, with the GitHub token from the environment."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from prpilot.errors import ConfigError
from prpilot.evaluation.endpoint import endpoint_target, reach
from prpilot.settings import COPILOT_API_URL


def test_a_base_url_or_a_key_is_that_endpoint_as_given() -> None:
    local = endpoint_target(model="qwen", base_url="http://127.0.0.1:8080/v1", github_token="ghp_x")
    assert local.inputs == {"openai-api-key": "", "openai-base-url": "http://127.0.0.1:8080/v1", "model": "qwen",
                            "model-api": "auto"}
    assert local.endpoint == "http://127.0.0.1:8080/v1"
    openai = endpoint_target(model="gpt-4.1-mini", api_key="sk-1")
    assert openai.endpoint == "OpenAI"
    assert (openai.inputs["openai-api-key"], openai.inputs["openai-base-url"]) == ("sk-1", "")


def test_neither_is_the_copilot_api_with_the_token_and_the_names_as_given() -> None:
    target = endpoint_target(model="gpt-5-mini", github_token="ghp_token", fallback_model="gpt-5-nano",
                             model_api="responses")
    assert target.endpoint == "Copilot"
    assert target.inputs["openai-base-url"] == COPILOT_API_URL
    assert target.inputs["openai-api-key"] == "ghp_token"
    assert target.inputs["model-api"] == "responses"
    assert (target.model, target.inputs["fallback-model"]) == ("gpt-5-mini", "gpt-5-nano")
    assert endpoint_target(model="m", github_token="t", copilot_api="http://proxy").inputs[
        "openai-base-url"] == "http://proxy"


def test_no_endpoint_and_a_fallback_away_from_copilot_without_a_key_are_refused() -> None:
    with pytest.raises(ConfigError, match="no model endpoint"):
        endpoint_target(model="m")
    with pytest.raises(ConfigError, match="--fallback-api-key-env"):
        endpoint_target(model="m", github_token="t", fallback_model="f", fallback_base_url="http://elsewhere/v1")
    elsewhere = endpoint_target(model="m", github_token="t", fallback_model="f",
                                fallback_base_url="http://elsewhere/v1", fallback_api_key="k")
    assert elsewhere.inputs["fallback-model"] == "f"


@pytest.fixture
def answering_200() -> Iterator[dict[str, Any]]:
    """A server whose GET answers 200 with ``page["body"]`` as ``page["type"]``; its URL in ``page["url"]``."""
    page: dict[str, Any] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = page["body"].encode()
            self.send_response(200)
            self.send_header("content-type", page["type"])
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page["url"] = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield page
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("body", "kind"), [
    ("<html>a web page</html>", "text/html"),
    ("[1, 2]", "application/json"),
    ("not json", "application/json"),
])
def test_a_200_that_is_no_model_list_lets_the_suite_run(answering_200: dict[str, Any], body: str, kind: str) -> None:
    answering_200 |= {"body": body, "type": kind}
    reach(endpoint_target(model="m", base_url=answering_200["url"], api_key="k"))  # no traceback: the tasks tell
