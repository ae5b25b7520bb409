"""The engine's checkpoint: the task as it stands, kept where the finish step finds it.

A killed engine cannot end its task; :mod:`prpilot.actions.finish_step` does, from the last checkpoint: the
status, the usage of every model call the API answered, and (once the working branch exists) a
note of the branch, the title and the paths touched, so the work can still be pushed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prpilot.engine.working_branch import RESUME_KEY, WorkingBranch, resume_info
from prpilot.task import Task, Usage

if TYPE_CHECKING:
    from prpilot.agent.model import ChatModel


@dataclass
class Checkpoint:
    """Write ``task`` snapshots through ``write``; ``touched`` names the paths the agent changed so far."""

    write: Callable[[Task], None]
    touched: Callable[[], list[str] | None]
    working: tuple[WorkingBranch, str] | None = None  # the branch and the title, once set up

    def keep(self, task: Task, usage: Usage) -> None:
        """Write the task as it stands, with ``usage`` as everything it used so far."""
        snapshot: dict[str, object] = {"usage": usage}
        if self.working is not None and not task.is_final:
            snapshot["context"] = {**task.context, RESUME_KEY: resume_info(*self.working, self.touched())}
        self.write(task.model_copy(update=snapshot))

    def counted(self, model: ChatModel, task: Task) -> ChatModel:
        """``model``, keeping the checkpoint after every answered call (before its tools run)."""
        from prpilot.agent.counting import CountingModel

        return CountingModel(model, lambda used: self.keep(task, used))
