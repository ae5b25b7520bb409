"""One function per CLI verb, each returning an exit code; :func:`parser` gives every verb the same help."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # argparse loads only for a command given arguments: the action's steps take none
    import argparse

EXIT_CODES = """exit codes:
  0  done
  1  the work failed (a task not completed, a report that could not be read, a task that could not run)
  2  bad usage (an unknown command or option, a malformed value)"""


def plain(doc: str | None) -> str:
    """``doc`` as help text: dedented, without reStructuredText's double backticks."""
    first, _, rest = (doc or "").strip("\n").partition("\n")
    return (first.strip() + "\n" + textwrap.dedent(rest)).strip().replace("``", "")


def parser(verb: str, doc: str | None) -> argparse.ArgumentParser:
    """The argument parser of ``prpilot <verb>``: ``doc`` as its description, the exit codes below."""
    import argparse

    return argparse.ArgumentParser(prog=f"prpilot {verb}", description=plain(doc), epilog=EXIT_CODES,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
