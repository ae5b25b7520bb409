"""The Job manifest (pure) and its submission through the real kubernetes client to a local HTTP server."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from prpilot.errors import PrpilotError
from prpilot.task import Task
from prpilot.testing._http import HTTPRequest, HTTPResponse, LocalServer
from prpilot.worker.kubernetes import TASK_ENV, build_job, delete_job, job_name, submit_job

kubernetes = pytest.importorskip("kubernetes")


def make_task(task_id: str = "a1b2c3d4e5f6") -> Task:
    return Task(id=task_id, github_user="octocat", github_project="octo/repo", user_request="Fix the bug")


@pytest.mark.parametrize(
    ("task_id", "expected"),
    [("a1b2c3d4e5f6", "prpilot-a1b2c3d4e5f6"), ("Run_42_x", "prpilot-run-42-x"), ("-" * 5, "prpilot-task")],
)
def test_job_name_is_dns_safe(task_id: str, expected: str) -> None:
    assert job_name(make_task(task_id)) == expected
    assert len(job_name(make_task("x" * 128))) == 63


def test_build_job_shape() -> None:
    task = make_task()
    manifest = build_job(task, "ghcr.io/o/prpilot:1", "agents", env_from_secret="prpilot-secrets")
    assert manifest["apiVersion"] == "batch/v1"
    assert manifest["kind"] == "Job"
    assert manifest["metadata"]["labels"]["prpilot.dev/task-id"] == task.id
    spec = manifest["spec"]
    assert (spec["backoffLimit"], spec["ttlSecondsAfterFinished"]) == (0, 3600)
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["automountServiceAccountToken"] is False
    [container] = pod["containers"]
    assert container["resources"]["limits"] == {"cpu": "2", "memory": "4Gi"}
    assert container["envFrom"] == [{"secretRef": {"name": "prpilot-secrets"}}]
    [env] = container["env"]
    assert env["name"] == TASK_ENV
    assert Task.model_validate_json(env["value"]) == task


def test_build_job_refuses_unknown_resource_kinds() -> None:
    with pytest.raises(ValueError, match="unknown keys"):
        build_job(make_task(), "img", "ns", resources={"limit": {"cpu": "1"}})


@dataclass
class _Response:
    """What ApiClient.deserialize reads from an HTTP response."""

    data: str


def test_the_manifest_round_trips_through_the_client_models() -> None:
    manifest = build_job(
        make_task(), "img:1", "ns", {"limits": {"memory": "1Gi"}}, 60, 2, "sec", active_deadline_seconds=900
    )
    client = kubernetes.client.ApiClient()
    # Newer clients (pydantic-generated) take the text and a content type, older ones a response.
    if "content_type" in inspect.signature(client.deserialize).parameters:
        job = client.deserialize(json.dumps(manifest), "V1Job", "application/json")
    else:
        job = client.deserialize(_Response(json.dumps(manifest)), "V1Job")
    assert isinstance(job, kubernetes.client.V1Job)
    assert job.spec.template.spec.containers[0].resources.limits == {"memory": "1Gi"}
    # Any key the models do not know would be dropped here, so equality proves every field is valid.
    assert client.sanitize_for_serialization(job) == manifest


@pytest.fixture
def apiserver() -> Iterator[tuple[LocalServer, list[HTTPRequest]]]:
    seen: list[HTTPRequest] = []

    def handle(request: HTTPRequest) -> HTTPResponse:
        seen.append(request)
        if request.json()["metadata"]["name"].endswith("taken"):
            return HTTPResponse.json(409, {"kind": "Status", "reason": "AlreadyExists", "code": 409})
        return HTTPResponse.json(201, request.json())

    server = LocalServer(handle)
    server.start()
    yield server, seen
    server.stop()


def batch_api(server: LocalServer) -> Any:
    configuration = kubernetes.client.Configuration(host=server.url)
    return kubernetes.client.BatchV1Api(kubernetes.client.ApiClient(configuration))


def test_submit_job_posts_the_manifest(apiserver: tuple[LocalServer, list[HTTPRequest]]) -> None:
    server, seen = apiserver
    manifest = build_job(make_task(), "img:1", "agents")
    assert submit_job(batch_api(server), manifest, "agents") == "prpilot-a1b2c3d4e5f6"
    [request] = seen
    assert (request.method, request.path) == ("POST", "/apis/batch/v1/namespaces/agents/jobs")
    assert request.json() == manifest


def test_submit_job_reports_a_refusal(apiserver: tuple[LocalServer, list[HTTPRequest]]) -> None:
    server, _ = apiserver
    manifest = build_job(make_task("taken"), "img:1", "agents")
    with pytest.raises(PrpilotError, match="Kubernetes refused Job prpilot-taken in agents: 409"):
        submit_job(batch_api(server), manifest, "agents")


@pytest.fixture
def deletions() -> Iterator[tuple[LocalServer, list[HTTPRequest]]]:
    seen: list[HTTPRequest] = []

    def handle(request: HTTPRequest) -> HTTPResponse:
        seen.append(request)
        path = request.path.split("?", 1)[0]
        if path.endswith("-gone"):
            return HTTPResponse.json(404, {"kind": "Status", "reason": "NotFound", "code": 404})
        if path.endswith("-locked"):
            return HTTPResponse.json(403, {"kind": "Status", "reason": "Forbidden", "code": 403})
        return HTTPResponse.json(200, {"kind": "Status", "status": "Success"})

    server = LocalServer(handle)
    server.start()
    yield server, seen
    server.stop()


def test_stop_deletes_the_tasks_job_and_its_pods(deletions: tuple[LocalServer, list[HTTPRequest]]) -> None:
    from prpilot.scheduler.strategies import kubernetes_stopper

    server, seen = deletions

    assert kubernetes_stopper("agents", api=batch_api(server))(make_task()) is True

    [request] = seen
    path, _, query = request.path.partition("?")
    assert (request.method, path) == ("DELETE", "/apis/batch/v1/namespaces/agents/jobs/prpilot-a1b2c3d4e5f6")
    assert query == "propagationPolicy=Background"  # the pods go too: their containers get SIGTERM


def test_stop_of_a_job_already_gone_says_it_had_ended(deletions: tuple[LocalServer, list[HTTPRequest]]) -> None:
    server, _ = deletions
    assert delete_job(batch_api(server), "prpilot-gone", "agents") is False
    with pytest.raises(PrpilotError, match="Kubernetes refused to delete Job prpilot-locked in agents: 403"):
        delete_job(batch_api(server), "prpilot-locked", "agents")
