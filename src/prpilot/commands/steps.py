"""The action's steps as verbs: ``entrypoint.py acknowledge``, ``schedule``, ``engine``, ``finish``, ``run``.

They live in one module rather than one each because each is the same three lines: answer
``--help``, forget the secrets the runner started the process with, run the step in prpilot.actions.
``acknowledge`` and ``fetch-uv`` run before anything is installed: the standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from prpilot.commands import parser


def _step(verb: str, doc: str, argv: Sequence[str]) -> None:
    """Answer ``--help`` (or refuse an argument) before the step touches anything, then forget the secrets."""
    if argv:  # as the runner starts a step, with none, argparse need not even load
        described = f"{doc}\n\nThe inputs come from INPUT_<NAME> variables, as the Actions runner sets them."
        parser(verb, described).parse_args(list(argv))
    # The steps read their inputs from ``env``; no later child (git, a command) inherits a secret.
    from prpilot.actions.environ import forget_secrets

    forget_secrets()


def acknowledge(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """The action's first step, before any install: read the event, add 👀 and the status comment."""
    _step("acknowledge", acknowledge.__doc__ or "", argv)
    from prpilot.actions.acknowledge import acknowledge_step

    return acknowledge_step(env)


def schedule(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Admit and schedule the task (acknowledging it too, unless the first step did)."""
    _step("schedule", schedule.__doc__ or "", argv)
    from prpilot.actions.schedule_step import schedule_step

    return schedule_step(env)


def engine(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """The action's second step: run the task the schedule step admitted."""
    _step("engine", engine.__doc__ or "", argv)
    from prpilot.actions.engine_step import engine_step

    return engine_step(env)


def finish(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """The action's last step: end a task whose engine step was killed."""
    _step("finish", finish.__doc__ or "", argv)
    from prpilot.actions.finish_step import finish_step

    return finish_step(env)


def run(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Schedule and run the task in one process (the action's run step, and the Docker image's entry point)."""
    _step("run", run.__doc__ or "", argv)
    from prpilot.actions.run_step import run_step

    return run_step(env)


def run_task(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Run the task in PRPILOT_TASK, as JSON (a Kubernetes Job's container)."""
    _step("run-task", run_task.__doc__ or "", argv)
    from prpilot.commands.run_task import run_task_main

    return run_task_main(env)


def fetch_uv(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """The install step: fetch the hash-locked uv wheel without pip and unpack it into TARGET."""
    cli = parser("fetch-uv", fetch_uv.__doc__)
    cli.add_argument("lock", metavar="LOCK", help="requirements/uv.txt: the wheel's URL and hash")
    cli.add_argument("target", metavar="TARGET", help="the folder to unpack uv into")
    args = cli.parse_args(list(argv))
    from prpilot.actions.uv_wheel import fetch_uv_main

    return fetch_uv_main([args.lock, args.target], env)
