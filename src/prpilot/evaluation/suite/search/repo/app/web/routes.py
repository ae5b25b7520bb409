"""HTTP routes: each turns a ValueError into a 400 with its message."""

from app.services.accounts.validation import check_user_id
from app.services.groups.validation import check_group_id


def get_user(user_id: str) -> tuple[int, str]:
    try:
        check_user_id(user_id)
    except ValueError as exc:
        return 400, str(exc)
    return 200, user_id


def get_group(group_id: str) -> tuple[int, str]:
    try:
        check_group_id(group_id)
    except ValueError as exc:
        return 400, str(exc)
    return 200, group_id
