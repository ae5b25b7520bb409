"""Promises of the docs (README.md, docs/*.md, CONTRIBUTING.md, action.yml) that no other test checked.

From an audit of 2026-12-08: a docstring that starts "A promise once broken" names a promise the code, or
an example the docs point to, did not keep then; the others were only missing their test.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.markdown import ROOT, fenced_blocks, table

from prpilot.errors import ConfigError
from prpilot.settings import parse_settings

DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"


def _flat(path: Path) -> str:
    return " ".join(path.read_text(encoding="utf-8").split())


# --- security.md:7-8: malformed-input messages never repeat a credential-shaped value ----------------

CREDENTIALS = ["ghp_0123456789abcdefghijABCDEFGHIJ012345", "sk-proj-abc123def456",
               "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"]


@pytest.mark.parametrize("value", CREDENTIALS)
@pytest.mark.parametrize(("name", "form"), [
    ("model-api", "{}"),
    ("reasoning-effort", "{}"),
    ("mode", "{}"),
    ("command-limits", "{}"),
    ("command-limits", "memory={}"),
])
def test_a_malformed_input_message_never_repeats_a_credential_shaped_value(name: str, form: str, value: str) -> None:
    """A promise once broken. docs/security.md:7-8: "A message about a malformed input never repeats a value
    shaped like a credential (`ghp_…`, `github_pat_…`, `sk-…`, 32+ random characters)."

    The existing test (tests/wiring/test_run_read.py) covers max-minutes, openai-base-url, draft,
    strategy and monthly-budget. model-api, reasoning-effort and mode quote the value with ``!r``
    (not ``settings.shown``), and command-limits quotes the whole pair, so a key pasted into the wrong
    input is printed in the ::error:: line, the `result` output and the job summary (the thread's
    answer, which names only the input, is safe).
    """
    with pytest.raises(ConfigError) as raised:
        parse_settings({name: form.format(value)})
    assert value not in raised.value.message, raised.value.message


# --- Examples the docs point to: triage.yml and usage.md's `mode: review` workflow ------------------

def _workflows_running_prpilot() -> list[tuple[str, dict[str, Any]]]:
    """Every complete workflow (with `jobs:`) shown in the docs or kept in examples/ that runs prpilot."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(EXAMPLES.glob("*.yml")):
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(loaded, dict) and "jobs" in loaded:
            found.append((f"examples/{path.name}", loaded))
    for page in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]:
        for n, block in enumerate(fenced_blocks(page.read_text(encoding="utf-8"), "yaml")):
            loaded = yaml.safe_load(block)
            if isinstance(loaded, dict) and "jobs" in loaded:
                found.append((f"{page.relative_to(ROOT)}#yaml{n}", loaded))
    return [(name, wf) for name, wf in found
            if any(str(step.get("uses", "")).startswith("prpilot/action@")
                   for job in wf["jobs"].values() for step in job.get("steps") or [])]


def _contents_permission(workflow: dict[str, Any], job: dict[str, Any]) -> str | None:
    permissions = job.get("permissions", workflow.get("permissions"))
    if permissions == "write-all":
        return "write"
    if not isinstance(permissions, dict):
        return None
    return permissions.get("contents")


WORKFLOWS = _workflows_running_prpilot()


@pytest.mark.parametrize(("where", "workflow"), WORKFLOWS, ids=[where for where, _ in WORKFLOWS])
def test_every_workflow_the_docs_show_lets_prpilot_write_its_ledger(where: str, workflow: dict[str, Any]) -> None:
    """A promise once broken (for docs/usage.md's `mode: review` workflow and examples/triage.yml).

    Every admission writes the ledger, `refs/prpilot/ledger`, through the git database API
    (TaskScheduler.admit, whenever the run has a ledger, which wiring.Run always opens), and that
    needs `contents: write` (examples/pilot-redis.yml says so: "contents: write # the ledger").
    docs/usage.md:79-80 (the `mode: review` workflow) and examples/triage.yml (README:104-105,
    docs/usage.md:109 "labels new issues from it") give the prpilot job `contents: read`, so every
    request they carry fails at "could not schedule the task". The fake GitHub's tokens are only
    "write" or "read" for everything, so the e2e tests cannot see this.
    """
    for name, job in workflow["jobs"].items():
        if any(str(step.get("uses", "")).startswith("prpilot/action@") for step in job.get("steps") or []):
            assert _contents_permission(workflow, job) == "write", f"{where}: job {name} cannot write the ledger"


GITHUB_ACTIONS_BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot",
                      "node_id": "MDM6Qm90NDE4OTgyODI=", "avatar_url": "https://avatars.githubusercontent.com/in/15368?v=4",
                      "gravatar_id": "", "url": "https://api.github.com/users/github-actions%5Bbot%5D",
                      "html_url": "https://github.com/apps/github-actions", "site_admin": False}


def test_the_triage_example_admits_the_dispatch_its_own_first_job_sends() -> None:
    """A promise once broken (examples/triage.yml, linked from README:104-105 and docs/usage.md:109).

    The example's `ask` job starts the `triage` job with `gh workflow run` and the workflow's own
    `GITHUB_TOKEN`, so the dispatch's sender (and `github.actor`) is `github-actions[bot]`. prpilot
    refuses every bot not listed in `allowed-bots` ("prpilot does not take requests from bots"), and
    as a bot refusal it does not even answer on the thread; triage.yml sets no `allowed-bots`.
    So no issue is ever labelled. (Assumption: GitHub names github-actions[bot] as the sender of a
    dispatch made with GITHUB_TOKEN, as it does for every other event that token causes.)
    """
    from prpilot.intake.events import Skip, parse_event
    from prpilot.scheduler import admission
    from prpilot.testing.runner.workflow import pilot_steps
    from prpilot.testing.webhooks import load_webhook

    workflow = yaml.safe_load((EXAMPLES / "triage.yml").read_text(encoding="utf-8"))
    payload = load_webhook("workflow_dispatch__payload.json")
    payload["inputs"] = {"issue": "7", "request": "Triage issue #7: read it and the code it names, change no "
                                                  "file, and answer with its labels."}
    payload["sender"] = dict(GITHUB_ACTIONS_BOT)
    [step] = pilot_steps(workflow, "workflow_dispatch", payload, secrets={"OPENAI_API_KEY": "sk-test"},
                         actor="github-actions[bot]")
    settings = parse_settings(step.inputs)
    task = parse_event("workflow_dispatch", payload, settings, run_id="1", actor="github-actions[bot]")
    assert not isinstance(task, Skip), task
    refusal = admission.user_can_write(None, task.github_user, bool(task.context.get("requester_is_bot")),
                                       settings.allowed_bots)
    assert refusal is None, refusal.message






# --- action.yml's header ---------------------------------------------------------------------------

def test_the_generated_headers_name_files_that_exist() -> None:
    """A promise once broken (contradiction). action.yml:1 says "Generated by scripts/render_action_yml.py from
    src/prpilot/inputs.py: edit there, then re-render." There is no src/prpilot/inputs.py: the inputs
    are declared in src/prpilot/settings.py (CONTRIBUTING.md:224, scripts/render_action_yml.py's
    docstring). The header comes from scripts/render_action_yml.py:136."""
    header = (ROOT / "action.yml").read_text(encoding="utf-8").splitlines()[0]
    for named in re.findall(r"\b((?:src|scripts)/[\w/]+\.py)\b", header):
        assert (ROOT / named).is_file(), f"action.yml's header names {named}, which does not exist"


# --- billing.md:47-48: a model priced at 0 holds nothing --------------------------------------------



# --- Missing tests (these pass) ---------------------------------------------------------------------

def test_the_command_limits_table_in_security_md_is_the_codes_defaults() -> None:
    """docs/security.md:103-110 states each limit's default; no test compared them with the code
    (configuration.md's default string is rendered, security.md's table is hand-written)."""
    from prpilot.command_limits import DEFAULT_COMMAND_LIMITS

    rows = table((DOCS / "security.md").read_text(encoding="utf-8"), "| limit | default | what it bounds |")
    stated = " ".join(f"{name}={cells[0]}" for name, cells in rows.items())
    assert stated == DEFAULT_COMMAND_LIMITS
    assert "/dev/shm` gets a quarter" in _flat(DOCS / "security.md")


def test_the_eval_task_folder_defaults_and_check_time_are_the_codes() -> None:
    """docs/eval.md:226-229 (max-steps default 15, max-cost none, max-minutes default 5), :241 (the
    check "has 120 seconds") and :162 (the endpoint check takes 5 s): no test tied them to the code."""
    import inspect

    from prpilot.evaluation import checking, endpoint, task_folder

    limits = task_folder.TaskSpec.model_validate({"request": "x"}).limits
    assert (limits.max_steps, limits.max_cost, limits.max_minutes) == (15, None, 5)
    eval_md = _flat(DOCS / "eval.md")
    assert "max-steps: 10 # default 15" in eval_md
    assert "max-minutes: 5 # default 5" in eval_md
    assert checking.CHECK_SECONDS == 120
    assert "it has 120 seconds" in eval_md
    assert inspect.signature(endpoint.reach).parameters["timeout"].default == 5.0
    assert "(`GET <base-url>/models`, 5 s," in eval_md


def test_the_help_lists_every_verb_usage_md_names() -> None:
    """docs/usage.md:186-188: `prpilot --help` lists demo, eval, spend, worker, run-task and version
    (tests/test_cli.py checks the first four only)."""
    done = subprocess.run([sys.executable, str(ROOT / "entrypoint.py"), "--help"], capture_output=True, text=True,
                          check=False, timeout=60, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr
    listed = [line.split()[0] for line in done.stdout.split("commands:\n")[1].split("\n\n")[0].splitlines()]
    assert listed == ["demo", "eval", "spend", "worker", "run-task", "version"]


def test_the_worker_mirror_cache_default_is_the_documented_one() -> None:
    """docs/scale-out.md:24: the worker clones through a cached mirror under `PRPILOT_MIRROR_CACHE`,
    "default `~/.cache/prpilot/mirrors`" (no test; e2e tests always set the variable)."""
    source = (ROOT / "src" / "prpilot" / "commands" / "run_task.py").read_text(encoding="utf-8")
    assert 'env.get("PRPILOT_MIRROR_CACHE") or Path.home() / ".cache" / "prpilot" / "mirrors"' in source
