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


def seconds(text: str) -> float:
    """An argparse type: a positive, finite number of seconds, at most a week (a malformed value is bad usage)."""
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or not 0 < value <= 7 * 24 * 3600:
        raise argparse.ArgumentTypeError(f"{text!r} must be a number of seconds above 0 and at most a week (604800)")
    return value
