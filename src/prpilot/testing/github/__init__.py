"""A stateful fake GitHub (REST under ``/api/v3`` + git smart HTTP) on 127.0.0.1, for offline tests."""

from __future__ import annotations

from prpilot.testing.github.contract import OperationIndex, contract_path, load_contract
from prpilot.testing.github.fake import RATE_LIMIT_MESSAGE, FakeGitHub
from prpilot.testing.github.recording import RecordedRequest
from prpilot.testing.github.state import WORKFLOW_BOT

__all__ = [
    "RATE_LIMIT_MESSAGE",
    "WORKFLOW_BOT",
    "FakeGitHub",
    "OperationIndex",
    "RecordedRequest",
    "contract_path",
    "load_contract",
]
