"""CI's subset of the fault sweep: every write once, each kind in each flow, each distinct read once."""

from __future__ import annotations

import pytest

from prpilot.testing.fault_plan import ci_runs, full_runs
from prpilot.testing.fault_sweep import is_write
from prpilot.testing.github.recording import FAULT_KINDS, WRITE_ONLY_KINDS, Arrival

KINDS = ("500", "404", "timeout-applied", "timeout-not-applied")
SHA = "b42635e200039d86d014baa1b89f8124e786691a"

# A short flow as the fake records it: the simulated checkout's fetch first, then prpilot's requests.
FLOW = [
    Arrival("git", "GET", "/o/r/info/refs?service=git-upload-pack"),  # the checkout: never failed
    Arrival("git", "POST", "/o/r/git-upload-pack"),
    Arrival("rest", "GET", "/repos/o/r/collaborators/alice/permission"),  # 2
    Arrival("rest", "POST", "/repos/o/r/issues/1/comments"),  # 3
    Arrival("rest", "GET", "/repos/o/r/git/ref/prpilot/ledger"),  # 4
    Arrival("rest", "GET", f"/repos/o/r/git/commits/{SHA}"),  # 5
    Arrival("rest", "PATCH", "/repos/o/r/git/refs/prpilot/ledger"),  # 6
    Arrival("git", "GET", "/o/r/info/refs?service=git-receive-pack"),  # 7
    Arrival("git", "POST", "/o/r/git-receive-pack"),  # 8
    Arrival("rest", "GET", "/repos/o/r/git/ref/prpilot/ledger"),  # 9: a read seen before
    Arrival("rest", "GET", f"/repos/o/r/git/commits/{SHA[::-1]}"),  # 10: the same read, another commit
    Arrival("rest", "PATCH", "/repos/o/r/git/refs/prpilot/ledger"),  # 11: a write seen before
    Arrival("rest", "PATCH", "/repos/o/r/issues/comments/7"),  # 12
]


@pytest.mark.parametrize(
    ("arrival", "write"),
    [
        (Arrival("rest", "GET", "/repos/o/r/pulls/1"), False),
        (Arrival("rest", "POST", "/repos/o/r/pulls"), True),
        (Arrival("rest", "PATCH", "/repos/o/r/issues/comments/7"), True),
        (Arrival("rest", "PUT", "/repos/o/r/contents/a"), True),
        (Arrival("rest", "DELETE", "/repos/o/r/git/refs/heads/x"), True),
        (Arrival("git", "GET", "/o/r/info/refs?service=git-upload-pack"), False),
        (Arrival("git", "POST", "/o/r/git-upload-pack"), False),
        # The push's advertisement changes nothing: held and applied late, it is a read.
        (Arrival("git", "GET", "/o/r/info/refs?service=git-receive-pack"), False),
        (Arrival("git", "POST", "/o/r/git-receive-pack"), True),
    ],
)
def test_a_write_is_a_rest_call_other_than_get_or_part_of_a_push(arrival: Arrival, write: bool) -> None:
    assert is_write(arrival) is write


def test_ci_fails_every_write_and_each_distinct_read_once_with_the_kinds_in_turn() -> None:
    assert ci_runs(FLOW, KINDS) == [
        (2, "500"), (3, "404"), (4, "timeout-applied"), (5, "timeout-not-applied"),
        (6, "500"), (7, "404"), (8, "timeout-applied"), (11, "timeout-not-applied"), (12, "500"),
    ]  # fmt: skip


def test_a_second_flow_starts_its_turn_further_on() -> None:
    first, second = ci_runs(FLOW, KINDS), ci_runs(FLOW, KINDS, offset=2)

    assert [position for position, _ in second] == [position for position, _ in first]
    assert all(a != b for (_, a), (_, b) in zip(first, second, strict=True))
    assert second[0] == (2, "timeout-applied")


def test_every_write_position_and_every_kind_is_in_the_subset() -> None:
    runs = ci_runs(FLOW, KINDS)
    writes = {position for position, arrival in enumerate(FLOW) if position >= 2 and is_write(arrival)}

    assert writes <= {position for position, _ in runs}
    assert {kind for _, kind in runs} == set(KINDS)
    assert len(runs) == len({position for position, _ in runs})  # each position once


def test_ci_holds_every_write_late_on_top_of_its_turn() -> None:
    runs = ci_runs(FLOW, (*KINDS, "late"))
    writes = [position for position, arrival in enumerate(FLOW) if position >= 2 and is_write(arrival)]

    assert [position for position, kind in runs if kind == "late"] == writes
    assert [run for run in runs if run[1] != "late"] == ci_runs(FLOW, KINDS)


def test_the_full_sweep_is_every_position_with_every_kind() -> None:
    runs = full_runs(FLOW, FAULT_KINDS)

    writes = sum(1 for arrival in FLOW[2:] if is_write(arrival))
    # ``late`` (held, then applied) only changes something on a write.
    assert len(runs) == (len(FLOW) - 2) * (len(FAULT_KINDS) - len(WRITE_ONLY_KINDS)) + writes * len(WRITE_ONLY_KINDS)
    assert runs[:2] == [(2, "500"), (2, "502")]
