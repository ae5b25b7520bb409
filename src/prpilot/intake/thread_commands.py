"""What a request says besides the work: ``stop``, and a budget such as ``--max-cost 2``. Pure, standard library only.

``/pilot stop`` (the word alone on the trigger's line) stops the tasks running on the thread;
``/pilot --max-cost 2 add tests`` (also ``--max-cost=2``, ``--max-cost $2``, ``--max-cost 2.50``)
caps what this one task may spend. The options lead the request, before the words of the work.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

STOP_WORD = "stop"
REVIEW_WORD = "review"
MAX_COST_FLAG = "--max-cost"
_FLAG = re.compile(r"^--max-cost(?:=(\S*)|(?=\s|$))")
_AMOUNT = re.compile(r"^\$?(\d{1,9}(?:\.\d{1,6})?|\.\d{1,6})$")


class RequestOptions(NamedTuple):
    """A request split into its options and the work it asks for (no pydantic: the first step has none)."""

    work: str
    max_cost_usd: Decimal | None = None
    error: str = ""  # set when an option is malformed: the answer the requester gets, in words


def is_stop(request: str) -> bool:
    """Whether ``request`` (what follows the trigger) is ``stop``: the word alone on the trigger's line."""
    first = request.split("\n", 1)[0].strip()
    return first.lower() == STOP_WORD


def is_review(request: str) -> bool:
    """Whether ``request`` asks for a review: it starts with the word ``review`` (``/pilot review [focus]``)."""
    words = request.split(None, 1)
    return bool(words) and words[0].lower().rstrip(":,") == REVIEW_WORD


def _bad_amount(value: str) -> str:
    shown = value if len(value) <= 20 else value[:19] + "…"
    return (f"`{MAX_COST_FLAG}` takes an amount in USD greater than zero, such as `{MAX_COST_FLAG} 2` or "
            f"`{MAX_COST_FLAG} 2.50`, not `{shown.replace('`', '')}`. Ask again with a valid amount.")


def read_options(request: str) -> RequestOptions:
    """Take the leading ``--max-cost`` option off ``request``; a malformed one sets ``error``."""
    text = request.lstrip()
    match = _FLAG.match(text)
    if match is None:
        return RequestOptions(work=request)
    rest = text[match.end():]
    value = match.group(1)
    if value is None:  # "--max-cost 2": the amount is the next word, on the same line
        rest = rest.lstrip(" \t")
        word = re.match(r"[^\s]+", rest)
        value, rest = (word.group(0), rest[word.end():]) if word else ("", rest)
    if not value:
        return RequestOptions(work=request, error=f"`{MAX_COST_FLAG}` needs an amount in USD, such as "
                                                  f"`{MAX_COST_FLAG} 2 add tests for the parser`.")
    amount = _AMOUNT.match(value)
    if amount is None or Decimal(amount.group(1)) <= 0:
        return RequestOptions(work=request, error=_bad_amount(value))
    return RequestOptions(work=rest.strip(), max_cost_usd=Decimal(amount.group(1)))


def effective_cap(requested: Decimal | None, workflow: Decimal | None) -> Decimal | None:
    """The task's cost cap: the request may lower the workflow's max-cost, never raise it."""
    caps = [cap for cap in (requested, workflow) if cap is not None]
    return min(caps) if caps else None
