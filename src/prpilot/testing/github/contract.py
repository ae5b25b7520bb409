"""Find GitHub's REST contract (shipped fixtures) and match requests to its operations."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CONTRACT_ENV = "PRPILOT_GITHUB_CONTRACT"
# Shipped with the test bed (MIT, see LICENSE beside it), so a clone or an install needs nothing beside it.
_SHIPPED = Path(__file__).resolve().parents[1] / "fixtures" / "github-rest" / "contract.json"


def contract_path() -> Path:
    """Return contract.json: ``$PRPILOT_GITHUB_CONTRACT``, else the copy shipped in ``prpilot/testing/fixtures``."""
    override = os.environ.get(CONTRACT_ENV)
    return Path(override) if override else _SHIPPED


def load_contract(path: Path | None = None) -> dict[str, Any]:
    """Load contract.json."""
    loaded: dict[str, Any] = json.loads((path or contract_path()).read_text())
    return loaded


def _pattern(template: str) -> re.Pattern[str]:
    escaped = re.sub(r"\\\{(\w+)\\\}", r"{\1}", re.escape(template))
    spans = ("ref", "path", "branch")
    body = re.sub(r"\{(\w+)\}", lambda m: ".+" if m.group(1) in spans else "[^/]+", escaped)
    return re.compile(f"^{body}$")


class OperationIndex:
    """Maps ``(method, path)`` to the contract's operationId by path template."""

    def __init__(self, operations: dict[str, Any]) -> None:
        # fewer placeholders first, so /issues/comments/{id} wins over a looser template
        ordered = sorted(operations.items(), key=lambda kv: str(kv[1]["path"]).count("{"))
        self._index = [(op_id, str(op["method"]).upper(), _pattern(str(op["path"]))) for op_id, op in ordered]

    def match(self, method: str, path: str) -> str | None:
        """Return the operationId for a request, or None."""
        for op_id, op_method, pattern in self._index:
            if op_method == method.upper() and pattern.match(path):
                return op_id
        return None

    def ids(self) -> Iterable[str]:
        """Return every operationId."""
        return (op_id for op_id, _, _ in self._index)
