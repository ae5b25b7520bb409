"""Where an admitted task runs. Each strategy is a function that takes the scheduled task.

- ``actions`` (default): the next step of this job runs the engine; the task goes to a file in
  RUNNER_TEMP that the step's output ``task-file`` names.
- ``thread``: the engine runs in a background thread of this process (library use).
- ``log``: the task is only recorded (tests, dry runs).
- ``redis``: the task is queued for a ``prpilot worker`` fleet.
- ``dispatch``: a workflow_dispatch run of a worker workflow (bigger or self-hosted runners) gets it.
- ``kubernetes``: one Job per task (``prpilot run-task`` in the given image), through the official
  client, configured from KUBECONFIG or the in-cluster service account.

:data:`STRATEGIES` at the end is the one map from a strategy's name (the ``strategy`` input) to how
it hands tasks on and how ``/pilot stop`` reaches them.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prpilot.errors import ConfigError
from prpilot.settings import Settings
from prpilot.task import Task

if TYPE_CHECKING:  # a type only: the port's models load with the GitHub adapter
    from prpilot.github.port import GitHubPort

log = logging.getLogger(__name__)

Strategy = Callable[[Task], None]


def task_file(directory: Path, task: Task) -> Path:
    """The file the ``actions`` strategy writes ``task`` to."""
    return directory / f"prpilot-task-{task.id}.json"


def write_task_file(path: Path, task: Task) -> None:
    """Write ``task`` to ``path`` whole or not at all: a process killed mid-write leaves the last version."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(task.model_dump_json(), encoding="utf-8")
    partial.replace(path)


def actions_strategy(directory: Path) -> Strategy:
    """Write the task where the engine step will read it."""

    def schedule(task: Task) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        write_task_file(task_file(directory, task), task)

    return schedule


def log_strategy(records: list[Task] | None = None) -> Strategy:
    """Record the task (in ``records`` when given) and run nothing."""

    def schedule(task: Task) -> None:
        log.info("scheduled task %s: %s", task.id, json.dumps(task.user_request[:200]))
        if records is not None:
            records.append(task.model_copy(deep=True))

    return schedule


def thread_strategy(run: Callable[[Task], object]) -> Strategy:
    """Run the engine in a daemon thread; returns at once."""

    def schedule(task: Task) -> None:
        threading.Thread(target=run, args=(task,), name=f"prpilot-{task.id}", daemon=True).start()

    return schedule


def redis_strategy(redis_url: str, queue_name: str = "prpilot") -> Strategy:
    """Queue the task for ``prpilot worker`` processes."""
    if not redis_url:
        raise ConfigError("the redis strategy needs the redis-url input")

    def schedule(task: Task) -> None:
        from prpilot.worker.queue import RedisTaskQueue  # redis is only imported when this strategy runs

        RedisTaskQueue(redis_url, name=queue_name).enqueue(task)

    return schedule


def dispatch_strategy(github: GitHubPort, workflow: str, ref: str | None = None) -> Strategy:
    """Start the worker workflow (on ``ref``, else the default branch) with the task as its ``task`` input."""
    if not workflow:
        raise ConfigError("the dispatch strategy needs the worker-workflow input (a workflow file name)")

    def schedule(task: Task) -> None:
        # The default branch is looked up only now, after the acknowledgement, not before it.
        github.dispatch_workflow(workflow, ref or github.default_branch(), {"task": task.model_dump_json()})

    return schedule


def kubernetes_strategy(image: str, namespace: str, *, secret: str | None = None, api: Any = None) -> Strategy:
    """Submit one Kubernetes Job per task; its container gets the settings from ``secret`` (env)."""
    if not image:
        raise ConfigError("the kubernetes strategy needs the kubernetes-image input (an image with prpilot)")

    def schedule(task: Task) -> None:
        from prpilot.worker.kubernetes import build_job, submit_job

        manifest = build_job(task, image, namespace, env_from_secret=secret or None)
        submit_job(api if api is not None else batch_api(), manifest, namespace)

    return schedule


# --- stopping a task where its strategy runs it (``/pilot stop``) ----------------------------------

Stopper = Callable[[Task], bool]  # False: the task had ended already


def run_id_of(task: Task) -> str:
    """The workflow run the task's engine runs in: its own run, else the run that admitted it."""
    engine_run = task.context.get("run_id")
    return str(engine_run) if engine_run else task.installation_id


def run_stopper(github: GitHubPort) -> Stopper:
    """Cancel the task's workflow run: the runner signals the engine, which pushes the work and settles."""

    def stop(task: Task) -> bool:
        run_id = run_id_of(task)
        if not run_id.isdigit():
            raise ConfigError(f"task {task.id} names no workflow run to cancel ({run_id or 'none'})")
        return github.cancel_run(int(run_id))

    return stop


def redis_stopper(redis_url: str, queue_name: str = "prpilot") -> Stopper:
    """Raise the task's stop flag in Redis; the worker running it checks the flag between agent steps."""
    if not redis_url:
        raise ConfigError("the redis strategy needs the redis-url input")

    def stop(task: Task) -> bool:
        from prpilot.worker.queue import RedisTaskQueue

        RedisTaskQueue(redis_url, name=queue_name).request_stop(task.id)
        return True

    return stop


def kubernetes_stopper(namespace: str, *, api: Any = None) -> Stopper:
    """Delete the task's Job: Kubernetes sends its container SIGTERM, which the engine ends on like a cancel."""

    def stop(task: Task) -> bool:
        from prpilot.worker.kubernetes import delete_job, job_name

        return delete_job(api if api is not None else batch_api(), job_name(task), namespace)

    return stop


def batch_api() -> Any:
    """The BatchV1Api of the cluster KUBECONFIG (or the pod's service account) points at."""
    try:
        from kubernetes import client, config
    except ImportError as exc:
        raise ConfigError("the kubernetes strategy needs the extra: pip install 'prpilot[kubernetes]'") from exc
    try:
        config.load_incluster_config()  # type: ignore[no-untyped-call]
    except config.ConfigException:
        try:
            config.load_kube_config()  # type: ignore[no-untyped-call]
        except (config.ConfigException, OSError) as exc:
            raise ConfigError(f"no Kubernetes configuration: set KUBECONFIG or run in a cluster ({exc})") from exc
    return client.BatchV1Api()


# --- the one map from a strategy's name to its scheduler and stopper ------------------------------


@dataclass(frozen=True)
class StrategyKind:
    """A strategy's scheduler (from the settings, RUNNER_TEMP and the repository) and its stopper."""

    schedule: Callable[[Settings, Path, GitHubPort], Strategy]
    stop: Callable[[Settings, GitHubPort], Stopper]


def _run_stopper(settings: Settings, github: GitHubPort) -> Stopper:
    return run_stopper(github)  # the task runs in a workflow run: cancelling it stops the task


STRATEGIES: dict[str, StrategyKind] = {
    "actions": StrategyKind(lambda settings, temp, github: actions_strategy(temp), _run_stopper),
    "log": StrategyKind(lambda settings, temp, github: log_strategy(), _run_stopper),
    "redis": StrategyKind(
        lambda settings, temp, github: redis_strategy(settings.redis_url),
        lambda settings, github: redis_stopper(settings.redis_url),
    ),
    "dispatch": StrategyKind(
        lambda settings, temp, github: dispatch_strategy(github, settings.worker_workflow), _run_stopper
    ),
    "kubernetes": StrategyKind(
        lambda settings, temp, github: kubernetes_strategy(
            settings.kubernetes_image, settings.kubernetes_namespace, secret=settings.kubernetes_secret
        ),
        lambda settings, github: kubernetes_stopper(settings.kubernetes_namespace),
    ),
}

# Always offered, whatever the input says: the engine step's file and a dry run's record cost nothing.
_ALWAYS = ("actions", "log")


def strategies_for(settings: Settings, temp: Path, github: GitHubPort) -> dict[str, Strategy]:
    """The strategies a schedule step offers: the default two and the one the settings name."""
    names = dict.fromkeys((*_ALWAYS, settings.strategy))
    return {name: STRATEGIES[name].schedule(settings, temp, github) for name in names if name in STRATEGIES}


def stopper_for(settings: Settings, github: GitHubPort) -> Stopper:
    """How ``/pilot stop`` reaches a task where the settings' strategy runs it (else: its workflow run)."""
    kind = STRATEGIES.get(settings.strategy)
    return kind.stop(settings, github) if kind is not None else run_stopper(github)
