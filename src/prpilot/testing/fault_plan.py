"""Which faulted runs the fault sweep makes: the whole grid, or CI's subset chosen for coverage per second.

The whole grid fails every request of a recorded task with every kind of fault (408 runs for the
two flows). Most of its cost buys little: a request read five times in a flow fails the same way
five times, and the same kind of fault on the next write of the same kind finds nothing new. CI's
subset keeps what a fault can break: every write position (a REST call that is not a GET, or any
part of a git push) fails once, the kinds taken in turn so that each flow sees every kind, and each
distinct read fails once at its first position. A second flow starts its turn further on, so a
step both flows make (the ledger's writes, the status comment) fails differently in each.
"""

from __future__ import annotations

from collections.abc import Sequence

from prpilot.testing.fault_sweep import describe, positions
from prpilot.testing.github.recording import Arrival

__all__ = ["ci_runs", "full_runs", "is_write"]


def is_write(arrival: Arrival) -> bool:
    """Whether ``arrival`` changes GitHub's state: a REST call other than GET, or any request of a git push."""
    if arrival.kind == "git":
        return "git-receive-pack" in arrival.path
    return arrival.method != "GET"


def full_runs(arrivals: Sequence[Arrival], kinds: Sequence[str]) -> list[tuple[int, str]]:
    """Every (position, kind): each request prpilot made, failed in every way."""
    return [(position, kind) for position in positions(list(arrivals)) for kind in kinds]


def ci_runs(arrivals: Sequence[Arrival], kinds: Sequence[str], offset: int = 0) -> list[tuple[int, str]]:
    """CI's (position, kind) runs: every write and each distinct read once, the kinds in turn from ``offset``."""
    runs: list[tuple[int, str]] = []
    reads: set[str] = set()
    turn = offset
    for position in positions(list(arrivals)):
        arrival = arrivals[position]
        if not is_write(arrival):
            shape = f"{arrival.kind} {describe(arrival)}"
            if shape in reads:
                continue
            reads.add(shape)
        runs.append((position, kinds[turn % len(kinds)]))
        turn += 1
    return runs
