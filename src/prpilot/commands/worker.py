"""prpilot worker: run the tasks of a Redis queue, one at a time, until stopped (or the queue is empty, with --burst).

    prpilot worker --redis-url redis://queue:6379/0 [--burst] [--engine module:function]

The settings of each task come from this process's environment, in the action's INPUT_<NAME> form.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from prpilot.commands import parser as cli_parser
from prpilot.commands import seconds
from prpilot.errors import ConfigError, PrpilotError

if TYPE_CHECKING:  # the queue needs the redis extra: --help must answer without it
    from prpilot.worker.task_worker import RunTask


def load_engine(spec: str) -> RunTask:
    """Import ``module:function`` and return the function; ConfigError with a clear message if absent."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ConfigError(f"engine {spec!r}: expected module:function, e.g. prpilot.commands.run_task:run_queued_task")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(f"{exc.name}.")):
            raise ConfigError(f"engine {spec!r}: module {module_name} not found") from exc
        raise ConfigError(f"engine {spec!r}: importing {module_name} failed: {exc}") from exc
    engine = getattr(module, attribute, None)
    if not callable(engine):
        raise ConfigError(f"engine {spec!r}: module {module_name} has no function {attribute}")
    run_task: RunTask = engine
    return run_task


def _parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    parser = cli_parser("worker", __doc__)
    default_url = env.get("PRPILOT_REDIS_URL", "redis://127.0.0.1:6379/0")
    parser.add_argument("--redis-url", default=default_url, help="default: $PRPILOT_REDIS_URL or %(default)s")
    parser.add_argument("--queue", default="prpilot", help="queue name (default: %(default)s)")
    parser.add_argument("--burst", action="store_true", help="exit once no task is pending")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "prpilot-work")
    parser.add_argument("--engine", default="prpilot.commands.run_task:run_queued_task", help="module:function")
    parser.add_argument("--worker-id", default=None)
    parser.add_argument("--visibility-timeout", type=seconds, default=60.0, help="seconds (default: %(default)s)")
    parser.add_argument("--heartbeat-interval", type=seconds, default=None, help="default: a third of the above")
    parser.add_argument("--grace-period", type=seconds, default=25.0, help="seconds (default: %(default)s)")
    parser.add_argument("--max-retries", type=int, default=3, help="then dead-letter (default: %(default)s)")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


def worker_main(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """``prpilot worker``: run queued tasks; return the exit code (0 after a SIGTERM/SIGINT shutdown)."""
    args = _parser(env).parse_args(list(argv))
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        from prpilot.worker.queue import RedisTaskQueue
        from prpilot.worker.task_worker import TaskWorker

        run_task = load_engine(args.engine)
        try:
            queue = RedisTaskQueue(
                args.redis_url, args.queue, visibility_timeout=args.visibility_timeout, max_retries=args.max_retries
            )
        except ValueError as exc:
            raise ConfigError(f"--redis-url: {exc}") from exc
        worker = TaskWorker(
            queue,
            run_task,
            args.workdir,
            worker_id=args.worker_id,
            heartbeat_interval=args.heartbeat_interval,
            visibility_timeout=args.visibility_timeout,
            grace_period=args.grace_period,
        )
        worker.work(burst=args.burst)
    except PrpilotError as exc:
        print(f"prpilot worker: {exc.message}", file=sys.stderr)
        return exc.exit_code
    return 0
