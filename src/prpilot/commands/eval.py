"""``prpilot eval``: solved tasks, cost and steps of a model on prpilot itself, optionally against a baseline scaffold.

Each task runs through the real action on the local test bed (fake GitHub, real git, the real
sandbox) against the endpoint given, then its hidden check runs on the result. The table goes to
stdout, ``--markdown`` and the job summary; ``--json`` keeps every figure (docs/eval-report.schema.json).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from prpilot.commands import parser as cli_parser
from prpilot.errors import ConfigError, UsageError
from prpilot.settings import DEFAULTS

if TYPE_CHECKING:  # the test bed loads only when an eval really runs
    from prpilot.evaluation.endpoint import Target
    from prpilot.evaluation.report import TaskResult
    from prpilot.evaluation.task_folder import EvalTask

DEFAULT_MODEL = DEFAULTS["model"]


def _parser() -> argparse.ArgumentParser:
    parser = cli_parser("eval", __doc__)
    parser.add_argument("--tasks", type=Path, help="a folder of task folders (default: the built-in suite)")
    parser.add_argument("--task", action="append", default=[], metavar="NAME", help="run only this task (repeatable)")
    parser.add_argument("--scripted", nargs="?", const="right", choices=("right", "wrong"),
                        help="use each task's scripted model: the run that solves it (right) or a wrong one")
    parser.add_argument("--base-url", default="", help="OpenAI-compatible base URL (empty: OpenAI's, or Copilot's)")
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"model name (default {DEFAULT_MODEL})")
    parser.add_argument("--api-key-env", default="", metavar="NAME",
                        help="environment variable holding the API key; with neither it nor --base-url, the "
                             "Copilot API is called with GITHUB_TOKEN")
    parser.add_argument("--model-api", default="auto", choices=("auto", "chat-completions", "responses"),
                        help="the API the model is called through, as the action's model-api input")
    parser.add_argument("--fallback-model", default="", help="model that takes over when the endpoint keeps failing")
    parser.add_argument("--fallback-base-url", default="", help="the fallback's base URL (default: the model's)")
    parser.add_argument("--fallback-api-key-env", default="", metavar="NAME",
                        help="environment variable holding the fallback's key (default: the model's key)")
    parser.add_argument("--prices", default="", help="price table override, as the action's prices input")
    parser.add_argument("--max-steps", type=int, help="cap every task's max-steps at this many model calls")
    parser.add_argument("--runs", type=int, default=1, help="run the suite this many times and report the spread")
    parser.add_argument("--compare", choices=("baseline",),
                        help="also run the suite with the baseline scaffold (whole-file read_file/write_file only)")
    parser.add_argument("--markdown", type=Path, metavar="FILE", help="write the Markdown table here")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the test bed's folder and print where it is")
    return parser


def _key(env: Mapping[str, str], name: str, option: str) -> str:
    if not name:
        return ""
    value = env.get(name, "")
    if not value:
        raise ConfigError(f"{option} {name}: that environment variable is not set or empty")
    return value


def eval_main(argv: Sequence[str], env: Mapping[str, str], *, steps_python: str = sys.executable) -> int:
    """Run the eval; 0 when every task ran and was checked (solved or not), 1 when one could not be, 2 on bad usage.

    ``steps_python`` runs the action's steps (their ``$PRPILOT_PYTHON``); the tests hand in a Prefork's client.
    """
    args = _parser().parse_args(list(argv))
    if args.runs < 1:
        raise UsageError("--runs must be 1 or more")
    if args.max_steps is not None and args.max_steps < 1:
        raise UsageError("--max-steps must be 1 or more")
    from prpilot.billing.pricing import load_prices
    from prpilot.settings import http_url

    try:  # the action's own checks of these inputs, said as the options they are here
        http_url("--base-url", args.base_url)
        http_url("--fallback-base-url", args.fallback_base_url)
        load_prices(args.prices)
    except ConfigError as exc:
        raise UsageError(exc.message.replace("input prices", "--prices", 1)) from None
    try:
        from prpilot.evaluation import report, task_folder
        from prpilot.testing.runner.job import DEFAULT_ACTION_PATH
    except ImportError as exc:
        raise ConfigError(f"prpilot eval needs the test extras: pip install 'prpilot[testing]' ({exc})") from exc
    if not (DEFAULT_ACTION_PATH / "action.yml").is_file():
        raise ConfigError(f"prpilot eval runs the action's own steps, and there is no action.yml in "
                          f"{DEFAULT_ACTION_PATH}: set PRPILOT_ACTION_PATH to a checkout of prpilot")
    suite = args.tasks or task_folder.BUILTIN_SUITE
    tasks = task_folder.load_suite(suite, tuple(args.task))
    if args.scripted and args.tasks is not None:
        missing = [t.name for t in tasks if not t.script(args.scripted).is_file()]
        if missing:
            raise ConfigError(f"--scripted {args.scripted}: no scripted/{args.scripted}.yml in {', '.join(missing)}")
    profiles = ("standard", "baseline") if args.compare else ("standard",)
    given = None if args.scripted else _endpoint(args, env)  # before the bed: a missing key is one line, at once
    if given is not None:  # once, before the suite: a wrong URL or key is a set-up mistake, not a row per task
        from prpilot.evaluation.endpoint import reach

        reach(given)
    root = Path(tempfile.mkdtemp(prefix="prpilot-eval-"))
    try:
        results, target = _run(args, env, root, tasks, profiles, given, steps_python)
    finally:
        if args.keep:
            print(f"test bed kept in {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    from prpilot import __version__

    found = report.Report(
        prpilot_version=__version__, model=target.model, endpoint=target.endpoint,
        fallback_model=target.fallback_model, tasks="built-in" if args.tasks is None else str(args.tasks),
        runs=args.runs, scaffolds=[report.scaffold_report(profile, results[profile]) for profile in profiles],
    )
    text = report.markdown(found)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    if args.json:
        args.json.write_text(found.model_dump_json(indent=2) + "\n", encoding="utf-8")
    if env.get("GITHUB_STEP_SUMMARY"):
        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
            summary.write(text)
    return 1 if any(row.error for rows in results.values() for row in rows) else 0


def _endpoint(args: argparse.Namespace, env: Mapping[str, str]) -> Target:
    """The endpoint the options name, with its keys read from the variables they name."""
    from prpilot.evaluation.endpoint import endpoint_target

    return endpoint_target(
        model=args.model, base_url=args.base_url, api_key=_key(env, args.api_key_env, "--api-key-env"),
        github_token=env.get("GITHUB_TOKEN", ""), copilot_api=env.get("PRPILOT_COPILOT_API_URL", ""),
        model_api=args.model_api,
        fallback_model=args.fallback_model, fallback_base_url=args.fallback_base_url,
        fallback_api_key=_key(env, args.fallback_api_key_env, "--fallback-api-key-env"),
    )


def _run(args: argparse.Namespace, env: Mapping[str, str], root: Path, tasks: list[EvalTask],
         profiles: tuple[str, ...], given: Target | None,
         steps_python: str) -> tuple[dict[str, list[TaskResult]], Target]:
    """Start the test bed under ``root`` and run every task on it; the results by tool profile, and the target.

    ``given`` is the endpoint; None means the bed's scripted server (``--scripted``).
    """
    from prpilot.billing.money import count
    from prpilot.evaluation import report, running
    from prpilot.evaluation.endpoint import scripted_target
    from prpilot.testing.scenario import API_KEY, start_bed

    with start_bed(root, python=steps_python) as bed:
        target = given or scripted_target(args.scripted, base_url=bed.model.base_url, api_key=API_KEY,
                                          model=args.model, model_api=args.model_api)
        if args.prices:
            target = target.model_copy(update={"inputs": {**target.inputs, "prices": args.prices}})
        print(f"prpilot eval: {count(len(tasks), 'task')}, {count(args.runs, 'run')}, `{target.model}` at "
              f"{target.endpoint}",
              file=sys.stderr)

        def progress(profile: str, row: TaskResult) -> None:
            said = "solved" if row.solved else "not solved"
            problem = f" ({row.error})" if row.error else ""
            print(f"  {row.task} [{report.SCAFFOLD_NAMES.get(profile, profile)}, run {row.run}]: {said}, "
                  f"{row.status}, {count(row.model_calls, 'model call')}, {row.seconds:.1f} s{problem}",
                  file=sys.stderr)

        results = running.run_suite(bed, tasks, target, profiles=profiles, runs=args.runs, max_steps=args.max_steps,
                                    env=env, progress=progress)
    return results, target
