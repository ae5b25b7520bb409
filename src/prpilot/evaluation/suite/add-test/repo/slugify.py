"""URL slugs."""

import re


def slugify(title: str) -> str:
    """``"Hello, World!"`` -> ``"hello-world"``: lower case, runs of other characters to one dash."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
