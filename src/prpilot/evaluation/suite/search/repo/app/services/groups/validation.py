"""Checks on group input."""

import re

_GROUP_ID = re.compile(r"^g[0-9]{4}$")


def check_group_id(group_id: str) -> None:
    """Raise ValueError for a malformed group id."""
    if not _GROUP_ID.match(group_id):
        raise ValueError("Invalid group id")
