#!/usr/bin/env python3
"""The action's entry point: ``entrypoint.py acknowledge``, ``schedule``, ``engine``, ``finish`` or ``run``.

GitHub runs it from the workspace (the user's checkout) with the inputs in ``INPUT_<NAME>``
variables; the Docker image runs it too, in exec form so that names with dashes survive. The
code is the action's own ``src/`` beside this file: the first step runs it on the runner's
python3 before anything is installed, and the later steps on an interpreter with the locked
dependencies, so the action never builds or installs itself.
"""

import os
import sys

_SOURCE = os.path.join(os.path.dirname(os.path.realpath(__file__)), "src")
if os.path.isfile(os.path.join(_SOURCE, "prpilot", "__init__.py")):
    sys.path.insert(0, _SOURCE)

if sys.version_info < (3, 11):  # noqa: UP036 - the runner's own python3 may be older; before any import: say what to do, not a SyntaxError
    found = ".".join(map(str, sys.version_info[:3]))
    print(f"::error title=prpilot::prpilot needs Python 3.11 or newer on the runner, and this one has Python {found}. "
          "Add actions/setup-python with python-version: '3.12' before the prpilot step.")
    sys.exit(1)

from prpilot.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
