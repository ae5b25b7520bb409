"""Reading the project's Markdown in tests: fenced blocks, tables and links."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Every page a reader can land on: the front page, the contributor's guide, the docs.
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]


def fenced_blocks(text: str, language: str) -> list[str]:
    """The bodies of the ```language blocks of ``text`` in order (``""``: blocks that name no language)."""
    blocks: list[str] = []
    body: list[str] | None = None
    info = ""
    for line in text.splitlines(keepends=True):
        if body is None and line.startswith("```"):
            body, info = [], line[3:].strip()
        elif body is not None and line.rstrip("\n") == "```":
            if info == language:
                blocks.append("".join(body))
            body = None
        elif body is not None:
            body.append(line)
    return blocks


def table(text: str, header: str) -> dict[str, list[str]]:
    """The table under ``header`` (its first line): first column's name (code marks removed) -> the other cells."""
    lines = text.splitlines()
    start = lines.index(header) + 2  # past the header and its |---| line
    rows: dict[str, list[str]] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        name, *cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        rows[name.strip("`")] = cells
    return rows


def links(text: str) -> list[str]:
    """The targets of the Markdown links and images of ``text`` (code spans and blocks left out)."""
    prose = re.sub(r"^```.*?^```$", "", text, flags=re.DOTALL | re.MULTILINE)
    prose = re.sub(r"`[^`\n]*`", "", prose)
    return re.findall(r"\]\(([^)\s]+)\)", prose)


def anchor(heading: str) -> str:
    """GitHub's id for a heading: lower case, punctuation dropped, spaces as dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """The ids of the headings of ``text``."""
    prose = re.sub(r"^```.*?^```$", "", text, flags=re.DOTALL | re.MULTILINE)
    return {anchor(heading) for heading in re.findall(r"^#{1,6} (.+)$", prose, re.MULTILINE)}
