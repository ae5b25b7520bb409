"""prpilot: hand coding work to an AI agent from inside GitHub.

Importing the package stays light (no openai, no git): the scheduler path must start fast.
"""

from __future__ import annotations

from prpilot.task import Task, TaskStatus, Usage

__all__ = ["Task", "TaskStatus", "Usage", "__version__"]
__version__ = "0.1.0"
