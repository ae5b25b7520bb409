"""Run every benchmark and rewrite the figures in bench/README.md.

    python bench/run_all.py [--quick] [--only NAME ...] [--no-readme]

``scripts/dev.sh bench`` runs this. The whole suite takes about two minutes on a 2-core machine (the
20,000-file repository is generated once into bench/.cache first, ~20 s more). Each benchmark runs
in turn, prints its figures and hands them back; a benchmark that fails is reported as failed and
the others still run. The raw figures also go to bench/results/latest.json (not committed).
Sections of bench/README.md that this script does not own (the Redis worker throughput, written by
bench/queue_throughput.py itself) are kept as they are.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import acknowledgement
import action_start
import admission
import engine_overhead
import search
import startup
import tokens
from _common import BENCH, fmt, verdict

README = BENCH / "README.md"
RESULTS = BENCH / "results" / "latest.json"
QUEUE_SECTION = "## Redis worker throughput"
BUDGET_SECONDS = 300


@dataclass(frozen=True)
class Benchmark:
    """One benchmark: its README heading, its module, and how to run it (full and quick)."""

    name: str
    heading: str
    module: ModuleType
    full: Callable[[], dict[str, Any]]
    quick: Callable[[], dict[str, Any]]


BENCHMARKS = [
    Benchmark("startup", "## Scheduler start-up", startup, lambda: startup.run(7), lambda: startup.run(3)),
    Benchmark("acknowledgement", "## Time to acknowledgement", acknowledgement,
              lambda: acknowledgement.run(9), lambda: acknowledgement.run(3)),
    Benchmark("action_start", "## The whole action on a fresh runner: heard before the install", action_start,
              lambda: action_start.run(3), lambda: action_start.run(1)),
    Benchmark("admission", "## Admission under contention", admission,
              lambda: admission.run(20, 2), lambda: admission.run(20, 1)),
    Benchmark("engine", "## Engine overhead on a 20,000-file repository", engine_overhead,
              lambda: engine_overhead.run(7), lambda: engine_overhead.run(2)),
    Benchmark("tokens", "## Prompt tokens: edit_file against a whole-file rewrite", tokens, tokens.run, tokens.run),
    Benchmark("search", "## search_code and list_files on 20,000 files", search,
              lambda: search.run(9), lambda: search.run(3)),
]
SCRIPTS = {b.name: f"bench/{Path(b.module.__file__ or '').name}" for b in BENCHMARKS}


def run_queue(quick: bool) -> dict[str, Any]:
    """bench/queue_throughput.py has no function returning its figures: run it, let it write its own
    README section, and read its table from its output."""
    tasks, repeat = ("300", "2") if quick else ("1000", "3")
    done = subprocess.run(
        [sys.executable, str(BENCH / "queue_throughput.py"), "--tasks", tasks, "--repeat", repeat, "--write-readme"],
        capture_output=True, text=True, check=False, cwd=BENCH.parent,
    )
    print(done.stdout, end="")
    if done.returncode != 0:
        raise RuntimeError(f"queue_throughput.py exited {done.returncode}: {done.stderr.strip()[-500:]}")
    rows = {}
    for line in done.stdout.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[1].replace(",", "").isdigit():
            rows[cells[0]] = float(cells[1].replace(",", ""))
    return {"tasks_per_second": rows, "tasks": int(tasks), "repeat": int(repeat), "targets": []}


def split_sections(text: str) -> list[tuple[str, str]]:
    """(heading, whole section text) for each ``## `` section of a Markdown file."""
    starts = [m.start() for m in re.finditer(r"^## ", text, re.MULTILINE)]
    return [(text[s:].split("\n", 1)[0].strip(), text[s:e].rstrip("\n") + "\n")
            for s, e in zip(starts, [*starts[1:], len(text)], strict=True)]


def summary(results: dict[str, dict[str, Any]], errors: dict[str, str]) -> str:
    rows = ["| benchmark | target | measured | verdict |", "|---|---|---:|---|"]
    for bench in BENCHMARKS:
        link = f"[{SCRIPTS[bench.name].removeprefix('bench/')}](#{_anchor(bench.heading)})"
        if bench.name in errors:
            rows.append(f"| {link} | — | — | **failed**: {errors[bench.name]} |")
            continue
        for target in results[bench.name]["targets"]:
            bound = f" {target['bound_shown']}" if target["bound_shown"] else ""
            rows.append(f"| {link} | {target['target']}{bound} | {target['shown']} | {verdict(target)} |")
    queue = results.get("queue")
    if queue:
        drained = ", ".join(f"{name}: {rate:,.0f}/s" for name, rate in queue["tasks_per_second"].items())
        rows.append(f"| [queue_throughput.py](#{_anchor(QUEUE_SECTION)}) | no target | {drained} | — |")
    elif "queue" in errors:
        rows.append(f"| [queue_throughput.py](#{_anchor(QUEUE_SECTION)}) | — | — | **failed**: {errors['queue']} |")
    return "## Summary\n\n" + "\n".join(rows) + "\n"


def _anchor(heading: str) -> str:
    words = heading.removeprefix("## ").lower()
    return re.sub(r"[^\w\- ]", "", words).replace(" ", "-")


def write_readme(results: dict[str, dict[str, Any]], errors: dict[str, str], machine: str) -> None:
    old = README.read_text() if README.exists() else ""
    ours = {b.heading for b in BENCHMARKS} | {"## Summary"}
    kept = [body for heading, body in split_sections(old) if heading not in ours]
    parts = [
        "# Benchmarks\n\n"
        "Measurements, not timed tests: every figure is a median of repeated runs (the machine is shared "
        "and noisy), and every target is judged against a baseline measured in the same run. "
        "`scripts/dev.sh bench` (= `python bench/run_all.py`) runs them all and rewrites this file; each "
        "script also runs alone (`python bench/startup.py`, ...) and prints its figures. The 20,000-file "
        "repository is generated once into `bench/.cache` (deterministic; `PRPILOT_BENCH_CACHE` moves it).\n\n"
        f"Last run: {machine}.\n",
        summary(results, errors),
    ]
    for bench in BENCHMARKS:
        script = SCRIPTS[bench.name]
        if bench.name in errors:
            body = f"Failed in the last run: {errors[bench.name]}\n"
        else:
            body = bench.module.markdown(results[bench.name])
        parts.append(f"{bench.heading}\n\n`{script}`. " + body)
    parts.extend(kept)
    README.write_text("\n".join(p.rstrip("\n") + "\n" for p in parts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run; figures are noisier)")
    parser.add_argument("--only", nargs="+", choices=[*(b.name for b in BENCHMARKS), "queue"], default=None)
    parser.add_argument("--no-readme", action="store_true", help="print the figures only")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    started = time.monotonic()
    results: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    timings: dict[str, float] = {}
    chosen = [b for b in BENCHMARKS if args.only is None or b.name in args.only]
    for bench in chosen:
        print(f"\n=== {bench.name} ({SCRIPTS[bench.name]}) ===", flush=True)
        began = time.monotonic()
        try:
            results[bench.name] = (bench.quick if args.quick else bench.full)()
            bench.module.report(results[bench.name])
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            errors[bench.name] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        timings[bench.name] = time.monotonic() - began
    if args.only is None or "queue" in args.only:
        print("\n=== queue (bench/queue_throughput.py) ===", flush=True)
        began = time.monotonic()
        try:
            results["queue"] = run_queue(args.quick or args.no_readme)
        except Exception as exc:
            errors["queue"] = f"{type(exc).__name__}: {exc}"
            print(errors["queue"], file=sys.stderr)
        timings["queue"] = time.monotonic() - began
    elapsed = time.monotonic() - started

    print("\n=== summary ===")
    for name, figures in results.items():
        for target in figures["targets"]:
            bound = f" (target {target['bound_shown']})" if target["bound_shown"] else ""
            word = "info  " if target.get("retired") else "met   " if target["met"] else "MISSED"
            print(f"{word} {name}: {target['target']}: {target['shown']}{bound}")
    for name, error in errors.items():
        print(f"FAILED {name}: {error}")
    print("time per benchmark: " + ", ".join(f"{n} {fmt(t, 's')}" for n, t in timings.items())
          + f"; total {elapsed:.0f} s" + (f" (over the {BUDGET_SECONDS} s budget)" if elapsed > BUDGET_SECONDS else ""))

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"date": date.today().isoformat(), "results": results, "errors": errors,
                                   "timings_s": timings}, indent=2, default=str))
    complete = args.only is None and not args.quick
    if args.no_readme or not complete:
        if not args.no_readme:
            print("bench/README.md left as it is: only a full run (no --only, no --quick) rewrites it")
        return 1 if errors else 0
    machine = (f"{date.today().isoformat()}, Python {platform.python_version()}, {platform.machine()}, "
               f"{multiprocessing.cpu_count()} CPUs, load average {load:.1f} when it started; the suite took "
               f"{elapsed:.0f} s")
    write_readme(results, errors, machine)
    print(f"wrote {README.relative_to(BENCH.parent)}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
