"""Checks on account input."""

import re

_USER_ID = re.compile(r"^u[0-9]{6}$")


def check_user_id(user_id: str) -> None:
    """Raise ValueError for a malformed user id."""
    if not _USER_ID.match(user_id):
        raise ValueError("Invalid user id")
