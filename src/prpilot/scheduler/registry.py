"""The one map from a strategy's name (the ``strategy`` input) to how it hands tasks on and stops them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from prpilot.scheduler.strategies import (
    Stopper,
    Strategy,
    actions_strategy,
    dispatch_strategy,
    kubernetes_stopper,
    kubernetes_strategy,
    log_strategy,
    redis_stopper,
    redis_strategy,
    run_stopper,
)
from prpilot.settings import Settings

if TYPE_CHECKING:  # a type only: the port's models load with the GitHub adapter
    from prpilot.github.port import GitHubPort


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
