"""What the benchmarks share: statistics, the scheduler's environment, and the 20,000-file repository.

Benchmarks are measurements, not timed tests: every figure is a median of repeated runs, and every
target is a ratio against a baseline measured in the same run on the same machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
ENTRYPOINT = ROOT / "entrypoint.py"
CACHE = Path(os.environ.get("PRPILOT_BENCH_CACHE") or BENCH / ".cache")


def compile_source() -> None:
    """Bring prpilot's bytecode, and its venv's, up to date before anything is timed, as after a first import.

    Where PYTHONDONTWRITEBYTECODE is set (this machine sets it), a .pyc left stale by an edit is never
    rewritten, so every later import would compile that module from source again and be timed doing so.
    The same holds for the venv: ``uv pip install`` writes no bytecode, so in a venv it made here pydantic
    and PyGithub were compiled on every import the benchmarks timed (pydantic alone went from 6 to 13
    interpreter starts). Up to date, both cost a stat per module.
    """
    import compileall
    import sysconfig

    compileall.compile_dir(ROOT / "src", quiet=1)
    for folder in {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}:
        compileall.compile_dir(folder, quiet=1, workers=0)


compile_source()


# --- statistics ----------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between the closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def timed(action: Callable[[], object]) -> float:
    """Seconds one call of ``action`` took."""
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def interleaved(actions: Mapping[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Time each action ``rounds`` times, alternating them so machine noise hits all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(rounds):
        for name, action in actions.items():
            times[name].append(timed(action))
    return times


@dataclass(frozen=True)
class Target:
    """One target of the issues: the figure, the bound, and whether the figure is within it."""

    name: str
    value: float
    bound: float
    unit: str
    shown: str = ""  # how to show the value when a number says it badly (yes/no targets)
    retired: str = ""  # why this is no longer a target: the figure stays, for information, with no verdict

    @property
    def met(self) -> bool:
        return self.value <= self.bound

    def row(self) -> dict[str, Any]:
        return {"target": self.name, "value": self.value, "bound": self.bound, "unit": self.unit,
                "met": None if self.retired else self.met, "retired": self.retired,
                "shown": self.shown or fmt(self.value, self.unit),
                "bound_shown": f"≤ {fmt(self.bound, self.unit)}" if not self.shown and not self.retired else ""}


def verdict(target: dict[str, Any]) -> str:
    """A summary row's verdict: met, missed, or why the figure is no longer held to a target."""
    if target.get("retired"):
        return f"no target (retired: {target['retired']})"
    return "met" if target["met"] else "**missed**"


def repeat_main(doc: str, run: Callable[[int], Any], report: Callable[[Any], None], repeat: int) -> None:
    """The command line of a benchmark whose only knob is how many times to repeat it."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=repeat)
    report(run(parser.parse_args().repeat))


def fmt(value: float, unit: str) -> str:
    """A figure for a table: ms with no decimals, ratios as x or %, the rest with 2 decimals."""
    if unit == "ms":
        return f"{value:,.0f} ms"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "%":
        return f"{value:.1f} %"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:,.0f} {unit}".strip()




# --- running the scheduler step like the runner does ---------------------------------------------


def host_env() -> dict[str, str]:
    """The host environment minus what the runner owns (``INPUT_*``, ``GITHUB_*``)."""
    from prpilot.testing.runner.env import strip_runner_vars

    return strip_runner_vars(os.environ)


def schedule_env(bed: Any, payload: Mapping[str, Any], workdir: Path, **inputs: str) -> dict[str, str]:
    """The variables the schedule step gets for an issue_comment event, with ``inputs`` (dashes as ``_``)."""
    workdir.mkdir(parents=True, exist_ok=True)
    event = workdir / "event.json"
    event.write_text(json.dumps(payload))
    output = workdir / "output"
    output.touch()
    env = host_env()
    env.update({
        "GITHUB_EVENT_NAME": "issue_comment",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": bed.repo,
        "GITHUB_API_URL": bed.github.api_url,
        "GITHUB_SERVER_URL": bed.github.server_url,
        "GITHUB_RUN_ID": "1",
        "GITHUB_ACTOR": payload["comment"]["user"]["login"],
        "RUNNER_TEMP": str(workdir),
        "GITHUB_OUTPUT": str(output),
        "INPUT_GITHUB-TOKEN": bed.github.token,
    })
    env.update({"INPUT_" + name.replace("_", "-").upper(): value for name, value in inputs.items()})
    return env


def schedule_command() -> list[str]:
    return [sys.executable, str(ENTRYPOINT), "schedule"]


def step_outputs(workdir: Path) -> dict[str, str]:
    """The outputs a step wrote to its ``GITHUB_OUTPUT`` file."""
    from prpilot.testing.runner.env import parse_command_file

    return parse_command_file((workdir / "output").read_text())


class RequestClock:
    """Stamp every request the fake GitHub records with ``time.monotonic()`` (one clock for all processes).

    The fake records a request after it has answered it in its state (the comment exists from then
    on) and just before it sends the response, so the stamp is when GitHub "has" the comment.
    """

    def __init__(self, github: Any) -> None:
        self.stamps: list[tuple[float, Any]] = []
        recorder = github.recorder
        original = recorder.record

        def record(request: Any) -> None:
            original(request)
            self.stamps.append((time.monotonic(), request))  # list.append is atomic under the GIL

        recorder.record = record

    def since(self, started: float) -> list[tuple[float, Any]]:
        return sorted((s for s in self.stamps if s[0] >= started), key=lambda s: s[0])


# --- the 20,000-file repository ------------------------------------------------------------------

BIG_FILES = 20_000
BIG_VERSION = "bigrepo-v2"  # change when the generator changes, so the cache is rebuilt
NEEDLE = "bench_needle_7f3a"  # in exactly 3 files
TARGET_FILE = "app/pricing.py"

PRICING = '''"""Prices, discounts and rounding."""

from decimal import ROUND_HALF_UP, Decimal


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def apply_discount(price: Decimal, percent: int) -> Decimal:
    """Return ``price`` reduced by ``percent`` percent."""
    discount = price * percent / 100
    return price - discount


def total(prices: list[Decimal]) -> Decimal:
    return to_cents(sum(prices, Decimal(0)))
'''

_WORDS = ("value", "index", "count", "name", "items", "total", "result", "config", "buffer", "token", "user",
          "repo", "branch", "commit", "path", "limit", "offset", "cache", "state", "event", "record", "queue")


def _vocabulary(rng: random.Random, size: int = 8192) -> list[str]:
    lines = []
    for n in range(size):
        a, b, c = rng.sample(_WORDS, 3)
        k = rng.randrange(1000)
        lines.append(rng.choice((
            f"def {a}_{b}_{n}({c}, {a}=None):",
            f"    {a} = {b}.get({c!r}, {k})",
            f"    return {a} + {b} * {k}",
            f"    if {a} is None or {b} > {k}:",
            f"        {c}.append({a}[{k}])",
            f"# {a} {b} {c}: keep the {c} in step with the {a} ({k})",
            f"class {a.title()}{b.title()}{n}:",
            f"    {a}_{b}: int = {k}",
            f"    for {a} in {b}[{k}:]:",
            f"        raise ValueError(f\"bad {a}: {{{c}}}\")",
            "",
        )))
    return lines


def _git(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@localhost", "GIT_COMMITTER_NAME": "Bench",
                "GIT_COMMITTER_EMAIL": "bench@localhost", "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z",
                "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z"}


def big_repo(log: Callable[[str], None] = print) -> Path:
    """A git repository of 20,000 text files (~200 MB) in one commit on ``main``; built once, then cached.

    Deterministic: the same seed gives the same files and the same commit. Returns its work tree.
    """
    root = CACHE / BIG_VERSION
    done = root / ".git" / "bench-complete"
    if done.exists():
        return root
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / ".gitignore").write_text("*\n")  # generated data: never part of the project
    if root.exists():
        shutil.rmtree(root)
    log(f"building the {BIG_FILES:,}-file repository in {root} (once)...")
    started = time.perf_counter()
    rng = random.Random(20_000)
    vocabulary = _vocabulary(rng)
    needles = {1234, 9876, 15_001}
    size = 0
    for i in range(BIG_FILES):
        folder = root / f"pkg{i % 200:03d}" / f"sub{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        lines = rng.choices(vocabulary, k=rng.randint(70, 520))
        if i in needles:
            lines.insert(len(lines) // 2, f"    # {NEEDLE}: the line search_code must find")
        text = f"# module {i}\n" + "\n".join(lines) + "\n"
        (folder / f"mod{i}.py").write_text(text)
        size += len(text)
    (root / "app").mkdir()
    (root / TARGET_FILE).write_text(PRICING)
    (root / "README.md").write_text("# Synthetic repository for prpilot's benchmarks\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "gc.auto", "0")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Synthetic repository", env=GIT_IDENTITY)
    # One pack, as a clone from GitHub has; no delta search (it would take minutes and buys nothing here).
    _git(root, "repack", "-a", "-d", "-q", "--window=0")
    _git(root, "prune-packed")
    done.write_text(json.dumps({"files": BIG_FILES + 2, "bytes": size}))
    log(f"built in {time.perf_counter() - started:.0f} s ({size / 1e6:.0f} MB of text)")
    return root


def big_repo_bytes(root: Path) -> int:
    return int(json.loads((root / ".git" / "bench-complete").read_text())["bytes"])


def host_big_repo(github: Any, full_name: str, source: Path) -> str:
    """Serve ``source``'s main from the fake GitHub as ``full_name``; return the commit sha.

    The fake's bare repository borrows the cached objects through ``objects/info/alternates`` instead
    of receiving a 200 MB push each run: the remote side is not what is measured, and git serves a
    repository with alternates exactly like one holding its own objects.
    """
    repo = github.add_repo(full_name)
    bare = Path(repo.git.path) if hasattr(repo.git, "path") else github.root / f"{full_name}.git"
    alternates = bare / "objects" / "info" / "alternates"
    alternates.parent.mkdir(parents=True, exist_ok=True)
    alternates.write_text(str((source / ".git" / "objects").resolve()) + "\n")
    sha = _git(source, "rev-parse", "HEAD").strip()
    _git(bare, "update-ref", "refs/heads/main", sha)
    return sha


def clone_workspace(source: Path, target: Path, server_url: str, full_name: str) -> None:
    """A checkout of the hosted repository as actions/checkout leaves it (origin = the fake GitHub).

    Cloned from the local cache (objects hard-linked) rather than over HTTP: same result, seconds faster.
    """
    if target.exists():
        shutil.rmtree(target)
    _git(source.parent, "clone", "-q", "--local", str(source), str(target))
    _git(target, "remote", "set-url", "origin", f"{server_url}/{full_name}")
    _git(target, "config", "gc.auto", "0")
