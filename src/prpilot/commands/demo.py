"""``prpilot demo``: the whole /pilot lifecycle on this machine, no credentials needed.

A fake GitHub (REST + real git over HTTP), a scripted model and a billing receiver start on
127.0.0.1; a `/pilot` comment goes through action.yml exactly as the Actions runner would run it.
The scripted model plays the Copilot API, so the run takes the path a workflow with no secret takes
(the workflow's token, the Copilot-Integration-Id header, the bill billed to Copilot). With
OPENAI_API_KEY (and OPENAI_BASE_URL, OPENAI_MODEL) set, a real model does the work instead.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from prpilot.commands import parser
from prpilot.errors import ConfigError
from prpilot.settings import DEFAULTS

if TYPE_CHECKING:
    from prpilot.testing.scenario import Bed

DEFAULT_REQUEST = "fix the typo in README.md"
DEFAULT_MODEL = DEFAULTS["model"]


def _script(bed: Bed) -> None:
    from prpilot.testing import openai_replies as say

    bed.model.script(
        say.tool("search_code", {"pattern": "projet"}),
        say.tool("read_file", {"path": "README.md"}),
        say.tool("edit_file", {"path": "README.md", "old": "projet", "new": "project"}),
        say.text("Fixed the typo in README.md: *projet* is now *project*."),
        say.text("Fix the typo in README.md"),  # the title, asked once there is a change to commit
    )


def demo_main(argv: Sequence[str], env: Mapping[str, str]) -> int:
    """Run the demo; return 0 when the task completed."""
    cli = parser("demo", __doc__)
    cli.add_argument("--request", default=DEFAULT_REQUEST, help="what to ask after /pilot")
    cli.add_argument("--keep", action="store_true", help="keep the temporary directory and print it")
    args = cli.parse_args(list(argv))
    try:
        from prpilot.testing.scenario import start_bed
    except ImportError as exc:
        raise ConfigError(f"the demo needs the test extras: pip install 'prpilot[testing]' ({exc})") from exc

    root = Path(tempfile.mkdtemp(prefix="prpilot-demo-"))
    real_key = env.get("OPENAI_API_KEY", "")
    with start_bed(root) as bed:
        if real_key:
            bed.inputs.update(
                {
                    "openai-api-key": real_key,
                    "openai-base-url": env.get("OPENAI_BASE_URL", ""),
                    "model": env.get("OPENAI_MODEL", DEFAULT_MODEL),
                }
            )
            print(f"model: {bed.inputs['model']} at {bed.inputs['openai-base-url'] or 'OpenAI'}")
        else:
            bed.use_copilot()  # no secret: the model input's default, through Copilot requests
            bed.inputs.pop("model", None)
            if args.request == DEFAULT_REQUEST:
                _script(bed)
            print(f"model: scripted {DEFAULT_MODEL}, as the Copilot API with the workflow's token "
                  "(set OPENAI_API_KEY to use a real one)")
        event = bed.issue_comment(f"/pilot {args.request}")
        number = event["issue"]["number"]
        print(f"\n@alice on issue #{number}: /pilot {args.request}\n")
        result = bed.run("issue_comment", event)
        for step in result.steps:
            print(f"step {step.id}: {step.outcome}")
        print("\n--- the thread ---")
        for comment in bed.github.comments(bed.repo, number):
            print(f"@{comment.user}:\n{comment.body}\n")
        for pull in bed.github.pulls(bed.repo):
            print(f"--- pull request #{pull.number}: {pull.title} ---\n{pull.body}\n")
        print("--- outputs ---")
        for name, value in sorted(result.outputs.items()):
            print(f"{name}: {value.splitlines()[0] if value else ''}")
        print(f"\n--- bills received by the billing endpoint: {len(bed.billing.bills)} ---")
        for bill in bed.billing.bills:
            print(bill)
        status = result.outputs.get("status", "")
    if args.keep:
        print(f"\nfiles kept in {root}")
    return 0 if status == "completed" else 1
