"""Find the request in a comment: the trigger must begin a line that GitHub renders as plain text.

The rules follow CommonMark as GitHub renders comments (https://spec.commonmark.org/0.31.2/):
a trigger inside a block quote (including its lazy continuation lines), a fenced code block
(```` ``` ```` or ``~~~``, closed or not), an indented code block or an HTML comment does not count,
so quoting or showing an earlier command never starts a task. Up to three leading spaces are
allowed; four or more after a blank line make an indented code block. GitHub renders each line
break of a comment as a break, so a trigger at the start of any plain line counts.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_FENCE_CLOSE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*$")
_QUOTE = re.compile(r"^ {0,3}>(.*)$")
_HTML_COMMENT = re.compile(r"^ {0,3}<!--")


def split_lines(text: str) -> list[str]:
    """Split on LF, CRLF or CR, as GitHub does; other Unicode line separators stay in the text."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def after_trigger(text: str, trigger: str) -> str | None:
    """Return what follows ``trigger`` at the start of ``text``, or None when it does not start so.

    The trigger is matched without regard to case (phones capitalise ``/Pilot``) and must be
    followed by whitespace or the end: ``/pilotfoo`` is not ``/pilot``.
    """
    head, rest = text[: len(trigger)], text[len(trigger) :]
    if not trigger or head.lower() != trigger.lower():
        return None
    if rest and not rest[0].isspace():
        return None
    return rest


def _closes(line: str, fence: str) -> bool:
    match = _FENCE_CLOSE.match(line)
    return match is not None and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence)


def find_request(body: str, trigger: str) -> str | None:
    """Return the request of the first trigger line, ``""`` for a bare trigger, None without one.

    The request is the rest of the trigger line plus every line after it, trimmed, with line
    endings made ``\\n``.
    """
    lines = split_lines(body)
    fence: str | None = None  # the opening fence while inside a fenced code block
    in_html_comment = False
    in_quote = False  # a quote paragraph is open: a plain line continues it ("lazy continuation")
    in_paragraph = False  # a paragraph is open: an indented line continues it, it is not code
    for index, raw in enumerate(lines):
        line = raw.expandtabs(4)
        if fence is not None:
            if _closes(line, fence):
                fence = None
            continue
        if in_html_comment:
            in_html_comment = "-->" not in line
            continue
        if not line.strip():
            in_quote = in_paragraph = False
            continue  # a blank line keeps an indented code block open
        indent = len(line) - len(line.lstrip(" "))
        if indent >= 4 and not in_paragraph and not in_quote:
            continue  # an indented code block
        fence_match = _FENCE.match(line)
        if fence_match and not (fence_match.group(1)[0] == "`" and "`" in fence_match.group(2)):
            fence, in_quote, in_paragraph = fence_match.group(1), False, False
            continue
        if _HTML_COMMENT.match(line):
            in_html_comment = "-->" not in line[line.index("<!--") + 4 :]
            in_quote = in_paragraph = False
            continue
        quote = _QUOTE.match(line)
        if quote or in_quote:
            in_quote = bool(quote.group(1).strip()) if quote else True
            in_paragraph = False
            continue
        in_paragraph = True
        rest = after_trigger(raw.lstrip(" \t"), trigger)
        if rest is not None:
            return "\n".join([rest, *lines[index + 1 :]]).strip()
    return None
