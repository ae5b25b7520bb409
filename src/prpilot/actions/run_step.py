"""Schedule and engine in one process: the composite action's run step and the Docker image's entry point.

One interpreter for both halves, so pydantic, PyGithub and prpilot load once (issue #26). Two
outputs tell the action's finish step what it needs to know: ``engine-started`` (the job was not
cancelled while the task was still being scheduled) and ``ended`` (the engine ended the task and
left nothing for the finish step, which is then skipped).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping

from prpilot.actions.engine_step import engine_step
from prpilot.actions.runner_commands import ActionsRunner
from prpilot.actions.schedule_step import report_failure, schedule_task
from prpilot.actions.task_file import load_task_file
from prpilot.engine.cancellation import CancelSignal
from prpilot.errors import PrpilotError
from prpilot.masking import secret_forms
from prpilot.settings import SECRET_INPUTS, raw_inputs

# The model client the engine imports when it starts: about 550 modules, a second of a fresh runner's
# CPU (bench/README.md). Imported on a thread from the start, it loads while the scheduling waits on GitHub.
MODEL_CLIENT = ("openai", "openai.resources.chat.completions.completions")


def run_step(env: Mapping[str, str]) -> int:
    """Schedule, then run the task if it was admitted to run here; return the exit code."""
    import_in_background(MODEL_CLIENT)
    runner = ActionsRunner(env)
    _mask_every_secret(env, runner)
    # A job cancelled while the task is scheduled waits for the scheduling to write its outputs: an admitted
    # task is then the finish step's to end (answered, its hold freed), not left "queued" for ever.
    cancel = CancelSignal()
    cancel.install()
    try:
        with cancel.shield():
            scheduled = schedule_task(env)
    except PrpilotError as exc:
        report_failure(runner, exc.message)
        raise
    if scheduled.task_file is None:
        return scheduled.code
    if cancel.requested:  # the finish step ends the admitted task ("never started")
        runner.info("prpilot: the job was cancelled before the engine began")
        return 1
    engine_env = {**env, "PRPILOT_TASK_FILE": str(scheduled.task_file)}
    runner.set_output("engine-started", "true")
    # The engine works over the scheduling's GitHub client and ledger: its first ledger write starts from
    # the commit the admission made, with no request for that commit or its month file.
    code = engine_step(engine_env, opened=scheduled.run, cancel=cancel)
    if _nothing_left(engine_env):
        runner.set_output("ended", "true")
    return code


def _nothing_left(env: Mapping[str, str]) -> bool:
    """Whether the engine's last checkpoint holds a task ended, every status comment pointed at its answer."""
    try:
        task = load_task_file(env)
    except PrpilotError:
        return False  # the finish step reads it again and says what is wrong
    return task.is_final and not task.stale_comment_ids


def _mask_every_secret(env: Mapping[str, str], runner: ActionsRunner) -> None:
    """Mask the engine's secrets too before the scheduling prints anything (each half masks only its own)."""
    raw = raw_inputs(env)
    for name in SECRET_INPUTS:
        for form in secret_forms(raw.get(name, "")):
            runner.mask(form)


def import_in_background(names: tuple[str, ...]) -> threading.Thread:
    """Import ``names`` on a daemon thread; an import of them elsewhere waits for it, or does it itself.

    Python's import lock is per module, so the thread and the main thread import side by side, and
    the thread runs while the main one waits on a socket. What fails here is left for the engine's
    own import to say in words.
    """

    def load() -> None:
        for name in names:
            try:
                importlib.import_module(name)
            except Exception:  # the engine's own import of it reports the failure
                return

    thread = threading.Thread(target=load, name="prpilot-imports", daemon=True)
    thread.start()
    return thread
