"""How prpilot runs git on a tree the agent could write: no program the tree configures ever runs.

The agent's commands, ``setup`` and ``verify`` can write anything in the workspace but its top-level
``.git`` (read-only in the sandbox): a nested repository (``<dir>/.git``) with a config of its own, a
folder left by an unpopulated submodule, a gitlink. Git would run the programs such a config names
(filters, fsmonitor, hooks, textconv...) outside the sandbox as soon as it looks into the nested
repository, which a whole-tree ``git status`` or ``git add`` does. So every git command prpilot runs on
the workspace goes through :func:`untrusted_options`: ``-c`` settings that name no program and never
look into a submodule or a nested repository. ``-c`` settings reach every git git starts itself
(``GIT_CONFIG_PARAMETERS``) and win over any repository's config, nested ones included.
https://git-scm.com/docs/git-config
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# What in a repository's config makes git run a program, set to nothing; and what makes git look into
# a submodule or a nested repository (where a config of the tree's choosing names programs), turned off.
NO_PROGRAMS = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.editor=true",
    "sequence.editor=true",
    "core.askPass=",
    "core.sshCommand=ssh",
    "core.gitProxy=",
    "core.alternateRefsCommand=",
    "credential.helper=",
    "diff.external=",
    "commit.gpgSign=false",
    "tag.gpgSign=false",
    "protocol.ext.allow=never",
    "gc.auto=0",  # an automatic gc would run pre-auto-gc and whatever gc.* names
    "maintenance.auto=false",
    "submodule.recurse=false",
    "diff.ignoreSubmodules=all",
    "status.submoduleSummary=false",
    "fetch.recurseSubmodules=false",
    "push.recurseSubmodules=no",
    "safe.bareRepository=explicit",  # a bare repository planted in a folder is never found by discovery
)
# Options for a whole-tree status or diff: never ask a submodule or nested repository how it stands.
IGNORE_SUBMODULES = "--ignore-submodules=all"
# Programs under a name of the repository's choosing (filter.<name>.clean...): each one found is emptied.
_NAMED_PROGRAMS = re.compile(r"^(filter\.[^\n]+\.(clean|smudge|process)|diff\.[^\n]+\.(textconv|command)"
                             r"|merge\.[^\n]+\.driver)$", re.IGNORECASE)


def untrusted_options(local_keys: Sequence[str] = ()) -> list[str]:
    """``-c`` settings that stop git from running any program a config names, at any depth.

    ``local_keys`` are the keys of the top-level repository's own config: the named programs among
    them (``filter.<x>.clean``...) are emptied too. A nested repository's named programs cannot be
    listed in advance, which is why git is never let into one.
    """
    named = sorted({f"{key}=" for key in local_keys if _NAMED_PROGRAMS.match(key)})
    return [*NO_PROGRAMS, *named]


def untrusted_argv(*args: str) -> list[str]:
    """The argv of ``git <args>`` with :func:`untrusted_options`, for a plain subprocess in the workspace."""
    options = [word for setting in untrusted_options() for word in ("-c", setting)]
    return ["git", *options, *args]


def nested_repository(entry: str) -> bool:
    """Whether a ``git status`` path names a nested repository or gitlink, never the task's to commit.

    With ``--untracked-files=all`` git names files one by one; a folder (``dir/``) is one git would not
    enter because it holds a ``.git`` of its own.
    """
    return entry.endswith("/") or ".git" in (part.casefold() for part in entry.split("/"))
