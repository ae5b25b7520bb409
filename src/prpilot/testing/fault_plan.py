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

from prpilot.testing.fault_sweep import applies, describe, is_write, positions
from prpilot.testing.github.recording import WRITE_ONLY_KINDS, Arrival

__all__ = ["ci_runs", "full_runs"]


def full_runs(arrivals: Sequence[Arrival], kinds: Sequence[str]) -> list[tuple[int, str]]:
    """Every (position, kind) worth a run: each request prpilot made, failed in every way that applies to it."""
    return [(position, kind) for position in positions(list(arrivals)) for kind in kinds
            if applies(kind, arrivals[position])]


def ci_runs(arrivals: Sequence[Arrival], kinds: Sequence[str], offset: int = 0) -> list[tuple[int, str]]:
    """CI's (position, kind) runs: every write and each distinct read once, the kinds in turn from ``offset``.

    A write-only kind (``late``: held past the client's timeout, then applied) is what issue #29 is
    about, so every write gets it, on top of its turn.
    """
    turn_kinds = [kind for kind in kinds if kind not in WRITE_ONLY_KINDS]
    late_kinds = [kind for kind in kinds if kind in WRITE_ONLY_KINDS]
    runs: list[tuple[int, str]] = []
    reads: set[str] = set()
    turn = offset
    for position in positions(list(arrivals)):
        arrival = arrivals[position]
        write = is_write(arrival)
        if not write:
            shape = f"{arrival.kind} {describe(arrival)}"
            if shape in reads:
                continue
            reads.add(shape)
        if turn_kinds:
            runs.append((position, turn_kinds[turn % len(turn_kinds)]))
            turn += 1
        if write:
            runs += [(position, kind) for kind in late_kinds]
    return runs
