"""Which model the tasks are run against: the action's model inputs, decided from the eval's options.

The rules are the action's: a key or a base URL means that OpenAI-compatible endpoint; neither means
the Copilot API, with a GitHub token as the key (in the action the workflow's own; here the test bed's
GitHub is a fake one, so the token comes from the environment, never from the bed, and goes in as the
key of the Copilot API's base URL, which gets its Copilot-Integration-Id header by its host).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from prpilot.errors import ConfigError, UsageError
from prpilot.settings import COPILOT_API_URL

Scripted = Literal["right", "wrong"]


class Target(BaseModel):
    """The model inputs every task's run gets, and how the report names the endpoint."""

    model_config = ConfigDict(frozen=True)

    model: str
    endpoint: str  # for the report: a base URL, "OpenAI", "Copilot" or "scripted (right)"
    inputs: dict[str, str]  # openai-api-key, openai-base-url, model, fallback-*: as the action takes them
    fallback_model: str = ""
    scripted: Scripted | None = None


def scripted_target(which: Scripted, *, base_url: str, api_key: str, model: str, model_api: str = "auto") -> Target:
    """The test bed's scripted server, answering each task's ``which`` script."""
    inputs = {"openai-api-key": api_key, "openai-base-url": base_url, "model": model, "model-api": model_api}
    return Target(model=model, endpoint=f"scripted ({which})", inputs=inputs, scripted=which)


def endpoint_target(
    *,
    model: str,
    base_url: str = "",
    api_key: str = "",
    github_token: str = "",
    copilot_api: str = "",
    model_api: str = "auto",
    fallback_model: str = "",
    fallback_base_url: str = "",
    fallback_api_key: str = "",
) -> Target:
    """The endpoint the options name, as the action would call it."""
    if base_url or api_key:
        inputs = {"openai-api-key": api_key, "openai-base-url": base_url, "model": model}
        endpoint, on_copilot = base_url or "OpenAI", False
    elif github_token:
        inputs = {"openai-api-key": github_token, "openai-base-url": copilot_api or COPILOT_API_URL, "model": model}
        endpoint, on_copilot = "Copilot", True
    else:
        raise ConfigError(
            "no model endpoint: pass --base-url and/or --api-key-env NAME for an OpenAI-compatible endpoint, set "
            "GITHUB_TOKEN (a token that may make Copilot requests) for the Copilot API, or use --scripted"
        )
    inputs["model-api"] = model_api
    if fallback_model:
        same_host = not fallback_base_url or fallback_base_url.rstrip("/") == inputs["openai-base-url"].rstrip("/")
        if on_copilot and not same_host and not fallback_api_key:
            raise ConfigError("--fallback-base-url points away from the Copilot API, so --fallback-api-key-env must "
                              "name the fallback's key: the GitHub token goes to the Copilot API only")
        inputs |= {"fallback-model": fallback_model, "fallback-base-url": fallback_base_url,
                   "fallback-api-key": fallback_api_key}
    return Target(model=model, endpoint=endpoint, inputs=inputs, fallback_model=fallback_model)


def reach(target: Target, *, timeout: float = 5.0) -> None:
    """List the endpoint's models once; UsageError naming the URL when it cannot be reached or refuses the key.

    Any other answer (a 404 from a server without ``/models``, a 5xx, a 200 that is no model list)
    lets the suite run: only the tasks can tell, and their rows say what happened.
    """
    import openai

    from prpilot.agent.openai_model import tls_context_for

    base_url = target.inputs.get("openai-base-url", "")
    context = tls_context_for(base_url)
    client = openai.OpenAI(api_key=target.inputs.get("openai-api-key") or "no-key", base_url=base_url or None,
                           timeout=timeout, max_retries=0,
                           http_client=None if context is None else openai.DefaultHttpxClient(verify=context))
    url = str(client.base_url).rstrip("/")
    try:
        client.models.list()
    except openai.APITimeoutError:
        raise UsageError(f"the model endpoint {url} did not answer within {timeout:g} s; check --base-url") from None
    except openai.APIConnectionError as exc:
        cause = exc.__cause__ or exc
        raise UsageError(f"the model endpoint {url} could not be reached ({type(cause).__name__}: {cause}); "
                         "check --base-url") from None
    except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
        which = ("GITHUB_TOKEN (in a workflow it needs permissions: copilot-requests: write)"
                 if target.endpoint == "Copilot" else "--api-key-env")
        raise UsageError(f"the model endpoint {url} refused the key (HTTP {exc.status_code}); check {which}") from None
    except openai.APIStatusError:
        return
    except (openai.APIError, ValueError, TypeError, AttributeError):
        # A 200 that is no model list (a web page, say): the openai client fails inside its own parsing.
        return
