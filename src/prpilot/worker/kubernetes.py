"""The ``kubernetes`` strategy: one batch/v1 Job per task.

``build_job`` is pure (a manifest as a plain dict); ``submit_job`` is the thin adapter over the
official client, imported lazily because it is the optional ``kubernetes`` extra. The task travels
as JSON in the ``PRPILOT_TASK`` environment variable of the container.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from prpilot.errors import PrpilotError
from prpilot.task import Task

__all__ = ["DEFAULT_RESOURCES", "TASK_ENV", "TASK_ID_LABEL", "build_job", "delete_job", "job_name", "submit_job"]

TASK_ENV = "PRPILOT_TASK"
TASK_ID_LABEL = "prpilot.dev/task-id"
DEFAULT_RESOURCES: Mapping[str, Mapping[str, str]] = {
    "requests": {"cpu": "500m", "memory": "1Gi"},
    "limits": {"cpu": "2", "memory": "4Gi"},
}


def job_name(task: Task, prefix: str = "prpilot-") -> str:
    """A DNS-1123 name for the task's Job (lower case, at most 63 characters)."""
    slug = re.sub(r"[^a-z0-9-]+", "-", task.id.lower()).strip("-") or "task"
    return f"{prefix}{slug}"[:63].rstrip("-")


def _label_value(value: str) -> str:
    """A valid label value: at most 63 of [A-Za-z0-9._-], alphanumeric at both ends."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", value)[:63].strip("-_.")


def build_job(
    task: Task,
    image: str,
    namespace: str,
    resources: Mapping[str, Mapping[str, str]] = DEFAULT_RESOURCES,
    ttl_seconds_after_finished: int = 3600,
    backoff_limit: int = 0,
    env_from_secret: str | None = None,
    *,
    command: Sequence[str] = ("prpilot", "run-task"),
    active_deadline_seconds: int | None = None,
    service_account: str | None = None,
) -> dict[str, Any]:
    """The batch/v1 Job manifest that runs ``task`` once in ``image``."""
    unknown = set(resources) - {"requests", "limits"}
    if unknown:
        raise ValueError(f"resources: unknown keys {sorted(unknown)}; expected requests and/or limits")
    labels = {
        "app.kubernetes.io/name": "prpilot",
        "app.kubernetes.io/component": "task",
        TASK_ID_LABEL: _label_value(task.id),
    }
    container: dict[str, Any] = {
        "name": "prpilot",
        "image": image,
        "command": list(command),
        "env": [{"name": TASK_ENV, "value": task.model_dump_json()}],
        "resources": {kind: dict(amounts) for kind, amounts in resources.items()},
    }
    if env_from_secret:
        container["envFrom"] = [{"secretRef": {"name": env_from_secret}}]
    pod_spec: dict[str, Any] = {
        "restartPolicy": "Never",
        # The agent runs untrusted code; it has no business with the cluster's API.
        "automountServiceAccountToken": False,
        "containers": [container],
    }
    if service_account:
        pod_spec["serviceAccountName"] = service_account
    spec: dict[str, Any] = {
        "backoffLimit": backoff_limit,
        "ttlSecondsAfterFinished": ttl_seconds_after_finished,
        "template": {"metadata": {"labels": labels}, "spec": pod_spec},
    }
    if active_deadline_seconds is not None:
        spec["activeDeadlineSeconds"] = active_deadline_seconds
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": job_name(task), "namespace": namespace, "labels": labels},
        "spec": spec,
    }


def submit_job(api: Any, manifest: Mapping[str, Any], namespace: str) -> str:
    """Create the Job through ``api`` (a ``kubernetes.client.BatchV1Api``); return its name."""
    from kubernetes.client.exceptions import ApiException

    name = manifest["metadata"]["name"]
    try:
        created = api.create_namespaced_job(namespace=namespace, body=dict(manifest))
    except ApiException as exc:
        raise PrpilotError(f"Kubernetes refused Job {name} in {namespace}: {exc.status} {exc.reason}") from exc
    return str(created.metadata.name) if created is not None and created.metadata else str(name)


def delete_job(api: Any, name: str, namespace: str) -> bool:
    """Delete Job ``name`` and its pods (their containers get SIGTERM, then the grace period); False if gone."""
    from kubernetes.client.exceptions import ApiException

    try:
        api.delete_namespaced_job(name=name, namespace=namespace, propagation_policy="Background")
    except ApiException as exc:
        if exc.status == 404:
            return False
        why = f"{exc.status} {exc.reason}"
        raise PrpilotError(f"Kubernetes refused to delete Job {name} in {namespace}: {why}") from exc
    return True
