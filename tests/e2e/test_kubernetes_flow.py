"""End to end: strategy kubernetes submits one Job per admitted task to the cluster KUBECONFIG names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from prpilot.testing._http import HTTPRequest, HTTPResponse, LocalServer
from prpilot.testing.scenario import Bed

pytestmark = pytest.mark.e2e


@pytest.fixture
def apiserver() -> Iterator[tuple[str, list[HTTPRequest]]]:
    seen: list[HTTPRequest] = []

    def handle(request: HTTPRequest) -> HTTPResponse:
        seen.append(request)
        return HTTPResponse.json(201, request.json())

    server = LocalServer(handle)
    server.start()
    yield server.url, seen
    server.stop()


def test_admitted_task_becomes_one_job(bed: Bed, apiserver: tuple[str, list[HTTPRequest]], tmp_path: Path) -> None:
    url, seen = apiserver
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "test", "cluster": {"server": url}}],
                "users": [{"name": "test", "user": {"token": "kube-token"}}],
                "contexts": [{"name": "test", "context": {"cluster": "test", "user": "test"}}],
                "current-context": "test",
            }
        )
    )
    bed.runner.env["KUBECONFIG"] = str(kubeconfig)
    event = bed.issue_comment("/pilot fix the typo in README.md")

    result = bed.run(
        "issue_comment",
        event,
        strategy="kubernetes",
        kubernetes_image="ghcr.io/acme/prpilot:1",
        kubernetes_namespace="agents",
        kubernetes_secret="prpilot-settings",
    )

    assert result.ok, result.logs
    assert result.outputs["status"] == "scheduled"
    assert "engine-started" not in result.step("run").outputs  # a Job runs it: no engine here
    [request] = seen
    assert (request.method, request.path) == ("POST", "/apis/batch/v1/namespaces/agents/jobs")
    job = request.json()
    container = job["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/acme/prpilot:1"
    task = json.loads(next(e["value"] for e in container["env"] if e["name"] == "PRPILOT_TASK"))
    assert task["id"] == result.outputs["task-id"]
    assert task["status"] == "scheduled"
    assert {"secretRef": {"name": "prpilot-settings"}} in container["envFrom"]
    assert bed.model.calls == []
