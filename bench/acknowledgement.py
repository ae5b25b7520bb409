"""Time to acknowledgement: from starting the schedule step to the status comment existing on GitHub.

    python bench/acknowledgement.py [--repeat 7] [--latency 0.05]

The fake GitHub answers every REST request after ``--latency`` seconds (a realistic round trip).
Each run posts a new ``/pilot`` comment on a new issue and starts ``python entrypoint.py schedule``
as the runner would (same variables, inputs as ``INPUT_*``). The fake stamps each request it records
with ``time.monotonic()``, the same clock the parent read just before starting the process, so the
time to acknowledgement is "stamp of POST .../issues/N/comments − process start". Also counted: the
REST requests made before that comment (target ≤ 3) and the whole step until the process exits
(target ≤ 1.5 s). Baseline: a process that only starts Python and runs ``import prpilot.actions.schedule_step``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import RequestClock, Target, host_env, median, schedule_command, schedule_env, step_outputs

ACK_REQUESTS = 3
TOTAL_SECONDS = 1.5


def baseline_seconds() -> float:
    """Wall time of a process that starts Python and imports prpilot.actions.schedule_step, nothing else."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import prpilot.actions.schedule_step"], env=host_env(), check=True)
    return time.monotonic() - started


def one_run(bed: Any, clock: RequestClock, workdir: Path) -> dict[str, Any]:
    payload = bed.issue_comment("/pilot fix the typo in README.md")
    number = payload["issue"]["number"]
    env = schedule_env(bed, payload, workdir)
    comments = re.compile(rf"^/repos/{re.escape(bed.repo)}/issues/{number}/comments$")
    started = time.monotonic()
    done = subprocess.run(schedule_command(), env=env, capture_output=True, text=True, check=False)
    ended = time.monotonic()
    if done.returncode != 0:
        raise RuntimeError(f"the schedule step failed ({done.returncode}): {done.stderr or done.stdout}")
    requests = [(at, r) for at, r in clock.since(started) if r.kind == "rest"]
    ack = next(((i, at) for i, (at, r) in enumerate(requests) if r.method == "POST" and comments.match(r.path)),
               None)
    if ack is None:
        raise RuntimeError("the schedule step posted no status comment")
    index, at = ack
    outputs = step_outputs(workdir)
    return {
        "ack_s": at - started,
        "total_s": ended - started,
        "requests_before_ack": index,  # requests answered before the status comment's POST
        "requests_total": len(requests),
        "first_requests": [f"{r.method} {r.path}" for _, r in requests[: index + 1]],
        "admitted": outputs.get("admitted"),
    }


def run(repeat: int = 7, latency: float = 0.05) -> dict[str, Any]:
    """Measure and return the figures (seconds) and the targets."""
    from prpilot.testing.scenario import start_bed

    with tempfile.TemporaryDirectory(prefix="bench-ack-") as tmp, start_bed(Path(tmp)) as bed:
        clock = RequestClock(bed.github)
        bed.github.latency = latency
        one_run(bed, clock, Path(tmp) / "warm-up")  # first run pays for cold caches on both sides
        runs, baselines = [], []
        for n in range(repeat):
            runs.append(one_run(bed, clock, Path(tmp) / f"run-{n}"))
            baselines.append(baseline_seconds())
    ack = median([r["ack_s"] for r in runs])
    total = median([r["total_s"] for r in runs])
    base = median(baselines)
    before = max(r["requests_before_ack"] for r in runs)
    return {
        "repeat": repeat,
        "latency_s": latency,
        "ack_s": ack,
        "ack_min_s": min(r["ack_s"] for r in runs),
        "ack_max_s": max(r["ack_s"] for r in runs),
        "total_s": total,
        "baseline_s": base,
        "ack_over_baseline": ack / base,
        "ack_minus_baseline_s": ack - base,
        "requests_before_ack": before,
        "requests_total": median([r["requests_total"] for r in runs]),
        "first_requests": runs[-1]["first_requests"],
        "admitted": all(r["admitted"] == "true" for r in runs),
        "targets": [
            Target("REST requests up to the status comment (included)", before + 1, ACK_REQUESTS, "requests").row(),
            Target("schedule step, start to exit", total, TOTAL_SECONDS, "s").row(),
        ],
    }


def report(f: dict[str, Any]) -> None:
    print(f"latency {f['latency_s'] * 1000:.0f} ms per REST request, {f['repeat']} runs")
    print(f"time to acknowledgement  median {f['ack_s'] * 1000:.0f} ms "
          f"(min {f['ack_min_s'] * 1000:.0f}, max {f['ack_max_s'] * 1000:.0f})")
    print(f"baseline (python + import prpilot.actions.schedule_step)  {f['baseline_s'] * 1000:.0f} ms  "
          f"-> ratio {f['ack_over_baseline']:.2f}x, ours {f['ack_minus_baseline_s'] * 1000:.0f} ms")
    print(f"whole schedule step  median {f['total_s'] * 1000:.0f} ms, {f['requests_total']:g} REST requests")
    print(f"REST requests up to and including the status comment: {f['requests_before_ack'] + 1}")
    for line in f["first_requests"]:
        print(f"  {line}")


def markdown(f: dict[str, Any]) -> str:
    """The bench/README.md section body for these figures."""
    ms = 1000
    requests = "; ".join(f"`{r}`" for r in f["first_requests"])
    return (
        f"Fake GitHub with {f['latency_s'] * ms:.0f} ms added to every REST request; `python entrypoint.py "
        "schedule` started as a subprocess with the runner's variables for an `issue_comment` event. The fake "
        "stamps each recorded request with `time.monotonic()` (one clock for both processes); time to "
        "acknowledgement = stamp of the status comment's `POST` − process start. Baseline: `python -c \"import "
        "prpilot.actions.schedule_step\"` in a process of its own. "
        f"Medians of {f['repeat']} runs after one warm-up.\n\n"
        "| figure | median |\n|---|---:|\n"
        f"| time to acknowledgement (status comment on GitHub) | {f['ack_s'] * ms:.0f} ms "
        f"(min {f['ack_min_s'] * ms:.0f}, max {f['ack_max_s'] * ms:.0f}) |\n"
        f"| baseline: interpreter start + `import prpilot.actions.schedule_step` | {f['baseline_s'] * ms:.0f} ms |\n"
        f"| ratio to the baseline | {f['ack_over_baseline']:.2f}x |\n"
        f"| beyond the baseline (imports of PyGithub, parsing, 3 requests x {f['latency_s'] * ms:.0f} ms) | "
        f"{f['ack_minus_baseline_s'] * ms:.0f} ms |\n"
        f"| REST requests up to and including the status comment | {f['requests_before_ack'] + 1} |\n"
        f"| whole schedule step, start to exit (ledger admission included) | {f['total_s'] * ms:.0f} ms, "
        f"{f['requests_total']:g} REST requests |\n\n"
        f"The requests before the acknowledgement: {requests}.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    report(run(args.repeat, args.latency))


if __name__ == "__main__":
    main()
