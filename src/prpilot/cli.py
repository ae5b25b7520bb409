"""The ``prpilot`` command: the action's steps, the queue worker and a local demo.

Each command is a function returning an exit code. One handler at the edge turns errors into a
single clear line (a traceback only with RUNNER_DEBUG=1 or PRPILOT_DEBUG=1).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence

from prpilot.actions.runner_commands import ActionsRunner, debugging, use_logging
from prpilot.errors import PrpilotError

USAGE = """usage: prpilot COMMAND

commands:
  acknowledge  the action's first step, before any install: read the event, 👀 and the status comment
  schedule   admit and schedule the task (acknowledging it too, unless the first step did)
  engine     the action's second step: run the admitted task
  finish     the action's last step: end a task whose engine step was killed
  fetch-uv   the install step: fetch the hash-locked uv without pip (fetch-uv LOCK TARGET)
  run        both steps in one process (the Docker image's entry point)
  worker     consume a Redis queue of tasks (prpilot worker --help)
  run-task   run the task in PRPILOT_TASK (a Kubernetes Job's container)
  spend      print a month of the repository's ledger: cost per requester and model (prpilot spend --help)
  demo       run the whole lifecycle locally against the test bed (prpilot demo --help)
  eval       solved tasks, cost and steps of a model on a suite of tasks (prpilot eval --help)
  version    print the version
"""


# The Actions steps and the Kubernetes Job: each reads its inputs once, at the start. (The queue worker
# reads its inputs again for every task, from its environment.)
_STEPS = ("acknowledge", "schedule", "engine", "finish", "run", "run-task")


def _debug(env: Mapping[str, str]) -> bool:
    return debugging(env)


def guarded(command: Callable[[], int], env: Mapping[str, str]) -> int:
    """Run ``command``; map failures to one line on stderr / the Actions log and an exit code."""
    runner = ActionsRunner(env)
    try:
        return command()
    except PrpilotError as exc:
        runner.error(f"prpilot: {exc.message}")
        return exc.exit_code
    except KeyboardInterrupt:
        runner.error("prpilot: interrupted")
        return 130
    except Exception as exc:  # the edge: anything else is a bug, said in one line
        if _debug(env):
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
    command = args[0] if args else ""
    if command not in ("acknowledge", "fetch-uv"):  # these stay lean: logging only once they need it
        use_logging(env)
    if code := guarded(lambda: _tune_http(env), env):
        return code
    if command in _STEPS:
        # The steps read their inputs from ``env``; no later child (git, a command) inherits a secret.
        from prpilot.actions.environ import forget_secrets

        forget_secrets()
    if command == "acknowledge":  # the standard library only: it runs before anything is installed
        from prpilot.actions.acknowledge import acknowledge_step

        return guarded(lambda: acknowledge_step(env), env)
    if command == "fetch-uv":  # the standard library only: nothing is installed yet
        from prpilot.actions.uv_wheel import fetch_uv_main

        return guarded(lambda: fetch_uv_main(args[1:], env), env)
    if command == "schedule":
        from prpilot.actions.steps import schedule_step

        return guarded(lambda: schedule_step(env), env)
    if command == "engine":
        from prpilot.actions.steps import engine_step

        return guarded(lambda: engine_step(env), env)
    if command == "finish":
        from prpilot.actions.finish_step import finish_step

        return guarded(lambda: finish_step(env), env)
    if command == "run":
        from prpilot.actions.steps import run_step

        return guarded(lambda: run_step(env), env)
    if command == "worker":
        def worker() -> int:  # imported inside the guard: without its extra, the import says what to install
            from prpilot.commands.worker import worker_main

            return worker_main(args[1:])

        return guarded(worker, env)
    if command == "run-task":
        from prpilot.commands.run_task import run_task_main

        return guarded(lambda: run_task_main(env), env)
    if command == "spend":
        from prpilot.commands.spend import spend_main

        return guarded(lambda: spend_main(args[1:], env), env)
    if command == "demo":
        from prpilot.commands.demo import demo_main

        return guarded(lambda: demo_main(args[1:]), env)
    if command == "eval":
        from prpilot.commands.eval import eval_main

        return guarded(lambda: eval_main(args[1:], env), env)
    if command in ("version", "--version"):
        from prpilot import __version__

        print(__version__)
        return 0
    print(USAGE, file=sys.stderr if command not in ("-h", "--help", "help") else sys.stdout)
    return 0 if command in ("-h", "--help", "help") else 2


if __name__ == "__main__":
    sys.exit(main())
