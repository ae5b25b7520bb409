"""What the action's first step did before the install (``PRPILOT_ACKNOWLEDGED``: its file), read back."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from prpilot.errors import ConfigError

if TYPE_CHECKING:  # the scheduler loads only in the schedule step
    from prpilot.scheduler.task_scheduler import Acknowledged


def read_acknowledged(env: Mapping[str, str]) -> Acknowledged | None:
    """The first step's acknowledgement, or None when it left all to this step."""
    path = env.get("PRPILOT_ACKNOWLEDGED", "")
    if not path:
        return None
    from prpilot.scheduler.task_scheduler import Acknowledged

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Acknowledged(
            task_id=str(data["task_id"]), created_at=datetime.fromisoformat(data["created_at"]),
            permission=data["permission"], status_comment_id=data["status_comment_id"],
            acknowledged=bool(data["acknowledged"]),
        )
    except OSError as exc:
        raise ConfigError(f"cannot read the first step's file {path}: {exc.strerror}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"the first step's file {path} is damaged ({type(exc).__name__}: {exc})") from exc
