"""Actions routes: workflow dispatch (recorded), runs, cancel, repository variables."""

from __future__ import annotations

import zlib
from typing import Any

import yaml

from prpilot.testing.github.router import Api, ApiError, Call, Reply, Route, paginate
from prpilot.testing.github.state import Dispatch, Repo, WorkflowRun, now

R = "/repos/{owner}/{repo}"


def workflow_path(workflow_id: str) -> tuple[int, str]:
    """Return ``(numeric id, path)`` for a workflow given by file name or id."""
    if workflow_id.isdigit():
        return int(workflow_id), f".github/workflows/{workflow_id}.yml"
    path = f".github/workflows/{workflow_id.rsplit('/', 1)[-1]}"
    return zlib.crc32(path.encode()) % 10**8, path


def start_run(api: Api, repo: Repo, workflow_id: str, ref: str, event: str, actor: str) -> WorkflowRun:
    """Queue a workflow run on ``ref`` and return it."""
    sha = repo.git.resolve(ref)
    if sha is None:
        raise ApiError(422, f"No ref found for: {ref}")
    number, path = workflow_path(workflow_id)
    branch = ref.removeprefix("refs/heads/")
    with api.state.lock:
        run_number = 1 + sum(1 for r in api.state.runs.values() if r.repo == repo.full_name and r.path == path)
        run = WorkflowRun(api.state.next_id(), repo.full_name, number, path, branch, sha, event, actor,
                          run_number, display_title=path.rsplit("/", 1)[-1])
        api.state.runs[run.id] = run
    return run


def dispatch(api: Api, call: Call) -> Reply:
    """POST actions/workflows/{workflow_id}/dispatches — records the dispatch and queues a run."""
    repo = api.repo(call)
    ref, inputs = call.field("ref"), call.field("inputs") or {}
    if not isinstance(ref, str) or not isinstance(inputs, dict):
        raise ApiError(422, "Invalid request.\n\n\"ref\" wasn't supplied.")
    if len(inputs) > 25:
        raise ApiError(422, "you may only define up to 25 `inputs` for a `workflow_dispatch` event")
    _check_dispatch_trigger(repo, call.params["workflow_id"], ref)
    run = start_run(api, repo, call.params["workflow_id"], ref, "workflow_dispatch", call.token.login)
    with api.state.lock:
        api.state.dispatches.append(
            Dispatch(repo.full_name, call.params["workflow_id"], ref, dict(inputs), call.token.login, run.id))
    if call.field("return_run_details"):
        url = f"{api.urls.repo_api(repo.full_name)}/actions/runs/{run.id}"
        html = f"{api.urls.repo_html(repo.full_name)}/actions/runs/{run.id}"
        return Reply(200, {"workflow_run_id": run.id, "run_url": url, "html_url": html})
    return Reply(204)


def _check_dispatch_trigger(repo: Repo, workflow_id: str, ref: str) -> None:
    """GitHub reads the workflow file at ``ref``: 422 when it has no ``workflow_dispatch`` trigger.

    A workflow the repository does not hold is let through (tests dispatch workers they never commit).
    """
    sha = repo.git.resolve(ref)
    found = repo.git.read_path(sha, workflow_path(workflow_id)[1]) if sha else None
    if found is None or not isinstance(found[2], bytes):
        return
    try:
        document = yaml.safe_load(found[2].decode("utf-8", "replace"))
    except yaml.YAMLError:
        raise ApiError(422, "Workflow does not have 'workflow_dispatch' trigger") from None
    if "workflow_dispatch" not in _events(document):
        raise ApiError(422, "Workflow does not have 'workflow_dispatch' trigger")


def _events(document: Any) -> list[str]:
    """The events of a workflow's ``on:`` (YAML 1.1 reads the key ``on`` as True)."""
    if not isinstance(document, dict):
        return []
    on = document.get("on", document.get(True))
    if isinstance(on, str):
        return [on]
    if isinstance(on, list):
        return [str(event) for event in on]
    if isinstance(on, dict):
        return [str(event) for event in on]
    return []


def list_runs(api: Api, call: Call) -> Reply:
    """GET actions/runs — newest first, filtered by branch/event/status/head_sha/actor."""
    repo = api.repo(call)
    with api.state.lock:
        runs = [r for r in api.state.runs.values() if r.repo == repo.full_name]
    q = call.query
    runs = [
        r for r in runs
        if q.get("branch", r.head_branch) == r.head_branch and q.get("event", r.event) == r.event
        and q.get("status") in (None, r.status, r.conclusion) and q.get("head_sha", r.head_sha) == r.head_sha
        and q.get("actor", r.actor) == r.actor
    ]
    runs.sort(key=lambda r: r.id, reverse=True)
    page, headers = paginate(api, call, runs)
    return Reply(200, {"total_count": len(runs), "workflow_runs": [api.view.run(repo, r) for r in page]}, headers)


def cancel_run(api: Api, call: Call) -> Reply:
    """POST actions/runs/{run_id}/cancel — 409 when the run already completed."""
    repo = api.repo(call)
    with api.state.lock:
        run = api.state.runs.get(call.int_param("run_id"))
        if run is None or run.repo != repo.full_name:
            raise ApiError(404, "Not Found")
        if run.status == "completed":
            raise ApiError(409, "Cannot cancel a workflow run that is completed.")
        run.status, run.conclusion, run.updated_at = "completed", "cancelled", now()
    return Reply(202, {})


def get_variable(api: Api, call: Call) -> Reply:
    """GET actions/variables/{name}."""
    repo = api.repo(call)
    with api.state.lock:
        variable = repo.variables.get(call.params["name"].upper())
    if variable is None:
        raise ApiError(404, "Not Found")
    return Reply(200, api.view.variable(variable))


def list_variables(api: Api, call: Call) -> Reply:
    """GET actions/variables (paginated)."""
    repo = api.repo(call)
    with api.state.lock:
        variables = sorted(repo.variables.values(), key=lambda v: v.name)
    page, headers = paginate(api, call, variables)
    return Reply(200, {"total_count": len(variables), "variables": [api.view.variable(v) for v in page]}, headers)


ROUTES = [
    Route("POST", R + "/actions/workflows/{workflow_id}/dispatches", dispatch),
    Route("GET", R + "/actions/runs", list_runs),
    Route("POST", R + "/actions/runs/{run_id}/cancel", cancel_run),
    Route("GET", R + "/actions/variables/{name}", get_variable),
    Route("GET", R + "/actions/variables", list_variables),
]
