"""The ``prpilot`` command: a local demo, the eval, the spend report, the queue worker and the action's steps.

Each verb is a function in prpilot.commands returning an exit code. One handler at the edge turns
errors into a single clear line (a traceback only with RUNNER_DEBUG=1 or PRPILOT_DEBUG=1).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from prpilot.actions.runner_commands import ActionsRunner, debugging, use_logging
from prpilot.errors import PrpilotError


class Verb(NamedTuple):  # not a dataclass: dataclasses imports inspect, and every step starts here
    """A ``prpilot`` verb: its one-line summary and the ``module:function`` that runs it."""

    name: str
    summary: str
    target: str
    hidden: bool = False  # the action's steps: callable, but not what a person types
    lean: bool = False  # runs before anything is installed: no logging set-up, the standard library only


VERBS = (
    Verb("demo", "run the whole /pilot lifecycle on this machine, against the local test bed",
         "prpilot.commands.demo:demo_main"),
    Verb("eval", "solved tasks, cost and steps of a model on a suite of tasks", "prpilot.commands.eval:eval_main"),
    Verb("spend", "a month of the repository's ledger: cost per day, requester, model and task",
         "prpilot.commands.spend:spend_main"),
    Verb("worker", "run queued tasks from a Redis queue", "prpilot.commands.worker:worker_main"),
    Verb("run-task", "run the task in PRPILOT_TASK (a Kubernetes Job's container)", "prpilot.commands.steps:run_task"),
    Verb("version", "print the version", "prpilot.cli:version"),
    Verb("acknowledge", "", "prpilot.commands.steps:acknowledge", hidden=True, lean=True),
    Verb("fetch-uv", "", "prpilot.commands.steps:fetch_uv", hidden=True, lean=True),
    Verb("schedule", "", "prpilot.commands.steps:schedule", hidden=True),
    Verb("engine", "", "prpilot.commands.steps:engine", hidden=True),
    Verb("finish", "", "prpilot.commands.steps:finish", hidden=True),
    Verb("run", "", "prpilot.commands.steps:run", hidden=True),
)
_BY_NAME = {verb.name: verb for verb in VERBS}


def usage() -> str:
    """The top-level help: the verbs a person runs (the action's steps are left out), then the exit codes."""
    from prpilot.commands import EXIT_CODES

    width = max(len(verb.name) for verb in VERBS)
    lines = "\n".join(f"  {verb.name:<{width}}  {verb.summary}" for verb in VERBS if not verb.hidden)
    return (f"usage: prpilot COMMAND [OPTIONS]   (prpilot COMMAND --help for its options)\n\n"
            f"Hand coding work to an AI agent from inside GitHub: /pilot comments become pull requests.\n\n"
            f"commands:\n{lines}\n\n{EXIT_CODES}\n")


def version(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Print the version."""
    from prpilot import __version__
    from prpilot.commands import parser

    parser("version", version.__doc__).parse_args(list(argv))
    print(__version__)
    return 0


def guarded(command: Callable[[], int], env: Mapping[str, str]) -> int:
    """Run ``command``; map failures to one line on stderr / the Actions log and an exit code."""
    runner = ActionsRunner(env)
    try:
        return command()
    except SystemExit as exc:  # argparse: --help (0) or a bad option (2), already said on stderr
        return exc.code if isinstance(exc.code, int) else 2
    except PrpilotError as exc:
        runner.error(f"prpilot: {exc.message}")
        return exc.exit_code
    except KeyboardInterrupt:
        runner.error("prpilot: interrupted")
        return 130
    except Exception as exc:  # the edge: anything else is a bug, said in one line
        if debugging(env):
            import traceback

            traceback.print_exc()
        runner.error(f"prpilot: internal error ({type(exc).__name__}: {exc}); rerun with RUNNER_DEBUG=1 for details")
        return 2


def _tune_http(env: Mapping[str, str]) -> int:
    """Put PRPILOT_HTTP_TIMEOUT and PRPILOT_HTTP_BACKOFF in force (tests shorten them; production leaves them)."""
    from prpilot.tuning import from_env, use

    use(from_env(env))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script and of entrypoint.py."""
    args = list(sys.argv[1:] if argv is None else argv)
    env = dict(os.environ)
    name = args[0] if args else ""
    if name in ("-h", "--help", "help"):
        print(usage())
        return 0
    if name == "--version":
        name, args = "version", ["version"]
    verb = _BY_NAME.get(name)
    if verb is None:
        said = f"unknown command {name!r}" if name else "no command given"
        print(f"prpilot: {said}\n\n{usage()}", file=sys.stderr)
        return 2
    if not verb.lean:  # the first steps stay lean: logging only once they need it
        use_logging(env)
    if code := guarded(lambda: _tune_http(env), env):
        return code

    def command() -> int:  # imported inside the guard: without its extra, the import says what to install
        module, _, function = verb.target.partition(":")
        run: Callable[[list[str], Mapping[str, str]], int] = getattr(importlib.import_module(module), function)
        return run(args[1:], env)

    return guarded(command, env)


if __name__ == "__main__":
    sys.exit(main())
