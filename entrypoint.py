#!/usr/bin/env python3
"""The action's entry point: ``entrypoint.py schedule`` and ``entrypoint.py engine``.

GitHub runs it from the workspace (the user's checkout) with the inputs in ``INPUT_<NAME>``
variables; the Docker image runs it too, in exec form so that names with dashes survive.
"""

import sys

from prpilot.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
