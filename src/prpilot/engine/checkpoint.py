"""The engine's checkpoint: the task as it stands, kept where the finish step finds it.

A killed engine cannot end its task; :mod:`prpilot.actions.finish_step` does, from the last checkpoint: the
status, the usage of every model call the API answered, and (once the working branch exists) a
note of the branch, the title and the paths touched, so the work can still be pushed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prpilot.engine.working_branch import RESUME_KEY, WorkingBranch, resume_info
from prpilot.task import Task, Usage

if TYPE_CHECKING:
    from prpilot.agent.model import ChatModel

log = logging.getLogger(__name__)
# Under this key a checkpoint carries who pays for each model ({model: "copilot"}), as the engine's meter had it.
BILLED_TO_KEY = "billed_to"


def billed_to(kept: object) -> dict[str, str]:
    """Read :data:`BILLED_TO_KEY` back: {} when it is missing or not what it should be."""
    if not isinstance(kept, dict):
        return {}
    return {model: payer for model, payer in kept.items() if isinstance(model, str) and isinstance(payer, str)}


@dataclass
class Checkpoint:
    """Write ``task`` snapshots through ``write``; ``touched`` names the paths the agent changed so far."""

    write: Callable[[Task], None]
    touched: Callable[[], list[str] | None]
    working: tuple[WorkingBranch, str] | None = None  # the branch and the title, once set up
    billed_to: Mapping[str, str] = field(default_factory=dict)  # who pays for which model: the finish step
    # bills a killed engine's calls so without the model's key, which it is never given
    failed: bool = False  # a write failed: said once

    def keep(self, task: Task, usage: Usage) -> None:
        """Write the task as it stands, with ``usage`` as everything it used so far; never raises.

        A checkpoint that cannot be written (a full disk, an unwritable RUNNER_TEMP) must not cost the
        task a call the API answered: the engine goes on, and says once that a kill could not be recovered.
        """
        snapshot: dict[str, object] = {"usage": usage}
        try:
            if not task.is_final:
                kept: dict[str, object] = {BILLED_TO_KEY: dict(self.billed_to)}
                if self.working is not None:
                    kept[RESUME_KEY] = resume_info(*self.working, self.touched())
                snapshot["context"] = {**task.context, **kept}
            self.write(task.model_copy(update=snapshot))
        except Exception as exc:  # OSError mostly; anything else is no reason to fail the task either
            if not self.failed:
                log.warning("could not keep the task's checkpoint (%s: %s): if this run is killed, the finish "
                            "step cannot end the task", type(exc).__name__, exc)
            self.failed = True

    def counted(self, model: ChatModel, task: Task) -> ChatModel:
        """``model``, keeping the checkpoint after every answered call (before its tools run)."""
        from prpilot.agent.counting import CountingModel

        return CountingModel(model, lambda used: self.keep(task, used))
