"""Render action.yml from the input/output registry in prpilot.settings (run after changing it).

tests/actions/test_action_yml.py fails when action.yml and this rendering differ, so the interface is
declared once, in code, and GitHub still reads a plain action.yml.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from prpilot.actions.acknowledge import INPUTS as ACKNOWLEDGE_INPUTS  # noqa: E402
from prpilot.settings import DEFAULTS, INPUTS, OUTPUTS, SCHEDULE_STEP_OUTPUTS, Step, env_name  # noqa: E402

# The first step: the runner's own python3 and the action's source, nothing installed (docs/setup.md, "The runner").
ACKNOWLEDGE_RUN = """\
      run: |
        # The standard library only: no install comes before the request is heard (or found not to be one).
        python="${PRPILOT_PYTHON:-python3}"
        if ! command -v "$python" >/dev/null; then
          echo "::error title=prpilot::prpilot needs Python 3.11 or newer on the runner, and this one has no" \\
            "python3. Add actions/setup-python with python-version: '3.12' before the prpilot step."
          exit 1
        fi
        exec "$python" "$GITHUB_ACTION_PATH/entrypoint.py" acknowledge
"""

INSTALL = """\
    - id: install
      name: Install prpilot's locked dependencies
      if: steps.acknowledge.outputs.proceed == 'true'
      shell: bash
      env:
        PRPILOT_STRATEGY: ${{ inputs.strategy }}
      run: |
        # PRPILOT_PYTHON lets self-hosted runners (and the test bed) bring an interpreter with prpilot's dependencies.
        if [ -n "${PRPILOT_PYTHON:-}" ]; then
          echo "python=$PRPILOT_PYTHON" >> "$GITHUB_OUTPUT"
          exit 0
        fi
        # Exactly the hash-locked set (scripts/lock.py); prpilot itself runs from the action's source.
        locks="$GITHUB_ACTION_PATH/requirements"
        lock="$locks/action.txt"
        case "${PRPILOT_STRATEGY:-}" in redis|kubernetes) lock="$locks/action-$PRPILOT_STRATEGY.txt" ;; esac
        venv="$RUNNER_TEMP/prpilot-venv"
        tools="$RUNNER_TEMP/prpilot-uv"
        quiet=(--quiet --disable-pip-version-check --no-warn-script-location)
        # uv installs the set in about two seconds where pip takes twenty; uv itself is hash-locked too,
        # fetched without pip when the index answers (pip would spend seconds on it).
        export UV_PYTHON_DOWNLOADS=never UV_DEFAULT_INDEX="${UV_DEFAULT_INDEX:-${PIP_INDEX_URL:-}}"
        [ -n "$UV_DEFAULT_INDEX" ] || unset UV_DEFAULT_INDEX
        fetch_uv() {
          python3 "$GITHUB_ACTION_PATH/entrypoint.py" fetch-uv "$locks/uv.txt" "$tools" \\
            || python3 -m pip install "${quiet[@]}" --require-hashes --target "$tools" -r "$locks/uv.txt" 2>/dev/null
        }
        uv_install() { "$tools/bin/uv" pip install --quiet --python "$venv/bin/python" --require-hashes -r "$lock" "$@"
        }
        # uv's cache first where there is one (a self-hosted runner's, or one restored by actions/cache): every
        # file is hash-checked, so it is the set the index would serve, without asking the index again (~1 s).
        # A fresh hosted runner has none, and trying it would cost a failed resolution (~0.3 s). Asked before
        # `uv venv`, which makes the cache's folder.
        cached=""
        warm_cache() { local dir; dir="$("$tools/bin/uv" cache dir 2>/dev/null)" && [ -d "$dir" ]; }
        if fetch_uv && { ! warm_cache || cached=yes; } \\
          && "$tools/bin/uv" venv --quiet --python "$(command -v python3)" "$venv" \\
          && { { [ -n "$cached" ] && uv_install --offline 2>/dev/null; } || uv_install; }; then
          :
        else
          echo "prpilot: uv could not be had or failed; installing with pip instead"
          rm -rf "$venv"
          if ! python3 -m venv "$venv" || ! "$venv/bin/python" -m pip install "${quiet[@]}" --require-hashes -r "$lock"
          then
            echo "::error title=prpilot::could not install prpilot's locked dependencies into ${venv} (the" \\
              "installer's own message is above; the runner needs python3-venv and access to the package index)."
            exit 1
          fi
        fi
        # A venv made here lives for this job only: its one interpreter compiles what it imports either way,
        # and writing that bytecode out cost about a second that nothing reads back (bench/README.md).
        { echo "python=$venv/bin/python"; echo "fresh=true"; } >> "$GITHUB_OUTPUT"
"""

# Commands run only inside bubblewrap (docs/security.md); without it, run_command is refused.
SANDBOX = """\
    - id: sandbox
      name: Prepare the sandbox of the agent's commands
      if: >-
        steps.acknowledge.outputs.proceed == 'true'
        && (inputs.allowed-commands != '' || inputs.setup != '' || inputs.verify != '')
      shell: bash
      run: |
        # Root installs as it is; another user through passwordless sudo (GitHub-hosted runners), or not at all.
        sudo=""
        if [ "$(id -u)" -ne 0 ]; then
          if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo="none"; fi
        fi
        works() { command -v bwrap >/dev/null && bwrap --unshare-all --die-with-parent --ro-bind / / true 2>/dev/null; }
        apt() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get -qq "$@" >/dev/null 2>&1; }
        if ! command -v bwrap >/dev/null && [ "$sudo" != none ] && command -v apt-get >/dev/null; then
          apt install -y bubblewrap || { apt update && apt install -y bubblewrap; } || true
        fi
        # Ubuntu 23.10 and later let a program make user namespaces only if an AppArmor profile says so:
        # allow bwrap alone (not every program, as kernel.apparmor_restrict_unprivileged_userns=0 would).
        restricted="$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null || echo 0)"
        if command -v bwrap >/dev/null && ! works && [ "$restricted" = 1 ] && [ "$sudo" != none ]; then
          profile='abi <abi/4.0>,\\ninclude <tunables/global>\\nprofile prpilot-bwrap %s flags=(unconfined) {\\n'
          printf "$profile  userns,\\n}\\n" "$(readlink -f "$(command -v bwrap)")" \\
            | $sudo tee /etc/apparmor.d/prpilot-bwrap >/dev/null || true
          $sudo apparmor_parser -r /etc/apparmor.d/prpilot-bwrap >/dev/null 2>&1 || true
        fi
        if ! works; then
          echo "::warning title=prpilot::commands are configured, but no bubblewrap sandbox can be made on this" \\
            "runner, so they will be refused (setup and verify fail). Install the bubblewrap package (see" \\
            "prpilot's docs/security.md)."
        fi
"""

# Outputs the run step's scheduling (and the first step, when the run ends there) can answer alone.
FROM_SCHEDULE = ("status", "task-id", "result")

# The run step writes these after its engine (prpilot.actions.run_step); the finish step reads them.
RUN = "steps.run"
FINISH_IF = (f"always() && {RUN}.outputs.admitted == 'true' && {RUN}.outputs.ended != 'true'")
# "skipped" when the engine never started (the job was cancelled while the task was being scheduled).
ENGINE_OUTCOME = f"${{{{ {RUN}.outputs.engine-started == 'true' && {RUN}.outcome || 'skipped' }}}}"


def render() -> str:
    """Return the text of action.yml."""
    assert set(SCHEDULE_STEP_OUTPUTS).isdisjoint(OUTPUTS)
    out = [
        "# Generated by scripts/render_action_yml.py from src/prpilot/settings.py: edit there, then re-render.",
        "name: prpilot",
        "description: Turn a /pilot comment or an Actions-tab request into an agent run that opens a pull request.",
        "author: prpilot",
        "branding:",
        "  icon: send",
        "  color: purple",
        "inputs:",
    ]
    for name, (_, description) in INPUTS.items():
        out += [f"  {name}:", f"    description: {json.dumps(description)}", "    required: false"]
        out.append(f"    default: {json.dumps(DEFAULTS[name])}")
    out.append("outputs:")
    for name, description in OUTPUTS.items():
        # The finish step sets outputs only for a task it ended; otherwise the run step's stand.
        value = f"steps.finish.outputs.{name} || {RUN}.outputs.{name}"
        if name in FROM_SCHEDULE:
            value += f" || steps.acknowledge.outputs.{name}"
        out += [f"  {name}:", f"    description: {json.dumps(description)}", f"    value: ${{{{ {value} }}}}"]
    out += ["runs:", "  using: composite", "  steps:", "    - id: acknowledge", "      name: Hear the request",
            "      shell: bash", "      env:"]
    out += [f"        {env_name(name)}: ${{{{ inputs.{name} }}}}" for name in ACKNOWLEDGE_INPUTS]
    out += [ACKNOWLEDGE_RUN.rstrip("\n"), INSTALL.rstrip("\n"), SANDBOX.rstrip("\n")]
    # Schedule and engine in one step, one interpreter (issue #26): the second interpreter re-imported
    # pydantic and PyGithub. The engine part runs only when the task is admitted to run here.
    out += ["    - id: run", "      name: Schedule and run the task",
            "      if: steps.acknowledge.outputs.proceed == 'true'", "      shell: bash", "      env:",
            "        PRPILOT_PYTHON: ${{ steps.install.outputs.python }}",
            "        PRPILOT_ACKNOWLEDGED: ${{ steps.acknowledge.outputs.acknowledged }}",
            "        PRPILOT_FRESH_VENV: ${{ steps.install.outputs.fresh }}"]
    out += [f"        {env_name(n)}: ${{{{ inputs.{n} }}}}" for n, (steps, _) in INPUTS.items()
            if Step.SCHEDULE in steps or Step.ENGINE in steps]
    # exec: the runner's SIGINT/SIGTERM on cancellation reach Python, not a shell that dies first.
    # A fresh venv's bytecode is not written (the install step's comment says why); an interpreter the runner
    # brings keeps the user's own setting.
    out += ["      run: |", "        [ \"$PRPILOT_FRESH_VENV\" != true ] || export PYTHONDONTWRITEBYTECODE=1",
            "        exec \"$PRPILOT_PYTHON\" \"$GITHUB_ACTION_PATH/entrypoint.py\" run"]
    # always(): after a killed or cancelled run step too; skipped when the engine ended the task itself.
    out += ["    - id: finish", "      name: End the task if its run was cut off", f"      if: {FINISH_IF}",
            "      shell: bash", "      env:", "        PRPILOT_PYTHON: ${{ steps.install.outputs.python }}",
            f"        PRPILOT_TASK_FILE: ${{{{ {RUN}.outputs.task-file }}}}",
            f"        PRPILOT_ENGINE_OUTCOME: {ENGINE_OUTCOME}"]
    out += [f"        {env_name(n)}: ${{{{ inputs.{n} }}}}" for n, (steps, _) in INPUTS.items() if Step.FINISH in steps]
    out.append("      run: 'exec \"$PRPILOT_PYTHON\" \"$GITHUB_ACTION_PATH/entrypoint.py\" finish'")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    (ROOT / "action.yml").write_text(render(), encoding="utf-8")
