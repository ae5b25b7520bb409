"""Git traps: nested repositories whose config names a program for every key git runs one from (issue 28).

:data:`PLANT` is a standalone Python program, so an attacker's command can run it inside the sandbox;
``plant(root, markers, places)`` makes, at each place under ``root``, a nested repository (a ``.git``
folder, or a ``.git`` file pointing to a git folder elsewhere in the tree) with one commit, then sets
every program-running key in its config and every hook, each program leaving a file named after its
key in ``markers`` and a line in ``$GITHUB_ENV`` and ``$GITHUB_PATH``, and changes its files, so that
any git that looks into it has a reason to run them. A place that is a submodule folder the checkout
left empty is trapped the same way. Nothing of it may ever run outside the sandbox.

A FIFO is the other trap: git, or prpilot's own reads, would wait on one for ever.
:func:`finishes` runs a call that may meet one and lets its reader go when it did not finish in time.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

PLANT = r'''
import os, subprocess

KEYS = (
    "filter.trap.clean", "filter.trap.smudge", "filter.trap.process", "diff.trap.textconv", "diff.trap.command",
    "merge.trap.driver", "core.fsmonitor", "core.sshCommand", "core.askPass", "credential.helper",
    "gpg.program", "gpg.ssh.program", "core.pager", "core.editor", "sequence.editor", "diff.external",
    "core.gitProxy", "core.alternateRefsCommand", "remote.origin.uploadpack", "remote.origin.receivepack",
)
HOOKS = ("pre-commit", "post-commit", "post-checkout", "post-index-change", "pre-push", "reference-transaction",
         "pre-auto-gc", "post-rewrite", "fsmonitor-watchman", "pre-merge-commit", "commit-msg")
PLAIN = {"GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent", "PATH": "/usr/bin:/bin"}


def program(gitdir, markers, name):
    """An executable that leaves its mark and poisons the job's files (a path: no quoting for git's config)."""
    folder = os.path.join(gitdir, "traps", "bin")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    variable = "PWNED_" + "".join(c if c.isalnum() else "_" for c in name)
    with open(path, "w") as f:
        f.write(f"#!/bin/sh\ntouch '{markers}/{name}'\necho {variable}=1 >> \"${{GITHUB_ENV:-/dev/null}}\"\n"
                f"echo /pwned >> \"${{GITHUB_PATH:-/dev/null}}\"\ncat\n")
    os.chmod(path, 0o755)
    return path


def git(cwd, *args):
    subprocess.run(["git", "-c", "core.hooksPath=/dev/null", "-c", "user.name=x", "-c", "user.email=x@x", *args],
                   cwd=cwd, check=True, capture_output=True, env=PLAIN)


def trap(gitdir, markers, where):
    with open(os.path.join(gitdir, "config"), "a") as config:
        monitor = program(gitdir, markers, f"{where}-core.fsmonitor")
        config.write(f"[core]\n\tfsmonitor = {monitor}\n\thooksPath = {os.path.join(gitdir, 'traps')}\n")
        config.write("[commit]\n\tgpgSign = true\n[status]\n\tsubmoduleSummary = true\n")
        if where != "top":  # the checkout's own origin stays where it is
            config.write('[remote "origin"]\n\turl = .\n')
        for key in KEYS:
            if where == "top" and key.startswith("remote."):
                continue
            section, _, rest = key.partition(".")
            sub, _, name = rest.rpartition(".")
            head = f'[{section} "{sub}"]' if sub else f"[{section}]"
            config.write(f"{head}\n\t{name} = {program(gitdir, markers, where + '-' + key)}\n")
    hooks = os.path.join(gitdir, "traps")
    os.makedirs(hooks, exist_ok=True)
    for hook in HOOKS:
        path = os.path.join(hooks, hook)
        with open(path, "w") as f:
            f.write(f"#!/bin/sh\n{program(gitdir, markers, where + '-hook-' + hook)}\n")
        os.chmod(path, 0o755)
        os.makedirs(os.path.join(gitdir, "hooks"), exist_ok=True)
        with open(os.path.join(gitdir, "hooks", hook), "w") as f:
            f.write(f"#!/bin/sh\n{program(gitdir, markers, where + '-dothooks-' + hook)}\n")
        os.chmod(os.path.join(gitdir, "hooks", hook), 0o755)


def plant(root, markers, places):
    for place in places:
        folder = os.path.join(root, place)
        os.makedirs(folder, exist_ok=True)
        where = place.replace("/", "_")
        if place.endswith("-linked"):  # a .git file pointing to a git folder elsewhere in the tree
            gitdir = os.path.join(root, "." + where + "-gitdir")
            git(root, "init", "-q", "--separate-git-dir", gitdir, folder)
        else:
            git(folder, "init", "-q")
            gitdir = os.path.join(folder, ".git")
        for name, text in (("a.txt", "one\n"), (".gitattributes", "* filter=trap diff=trap merge=trap\n")):
            with open(os.path.join(folder, name), "w") as f:
                f.write(text)
        git(folder, "add", "-A")
        git(folder, "commit", "-q", "-m", "trap")
        trap(gitdir, markers, where)
        with open(os.path.join(folder, "a.txt"), "w") as f:  # the same size: git must read it (and clean it)
            f.write("owt\n")
        os.utime(os.path.join(folder, "a.txt"), (1, 1))
        with open(os.path.join(folder, "b.txt"), "w") as f:
            f.write("new\n")
'''


def plant(root: Path, markers: Path, places: Sequence[str]) -> None:
    """Run :data:`PLANT` here (for unit tests: the e2e tests run it inside the sandbox)."""
    _program()["plant"](str(root), str(markers), list(places))


def _program() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(PLANT, "git_traps.PLANT", "exec"), namespace)  # noqa: S102 - our own constant program
    return namespace


def trap_config(gitdir: Path, markers: Path) -> None:
    """Set every trap in the config and hooks of ``gitdir`` (the checkout's own, in unit tests)."""
    _program()["trap"](str(gitdir), str(markers), "top")


def sprung(markers: Path) -> list[str]:
    """The traps that ran: the files their programs left in ``markers``."""
    return sorted(path.name for path in markers.iterdir()) if markers.is_dir() else []


def finishes(call: Callable[[], object], fifos: Sequence[Path], seconds: float) -> bool:
    """Whether ``call`` returns (or raises) within ``seconds``; when it does not, its reader is let go.

    A thread or a process blocked opening one of ``fifos`` for reading is released by opening the other
    end, so a test leaves nothing waiting behind either way.
    """
    done = threading.Event()

    def run() -> None:
        with contextlib.suppress(Exception):  # finishing with an error is finishing
            call()
        done.set()

    threading.Thread(target=run, daemon=True).start()
    finished = done.wait(seconds)
    for _ in range(200):
        if done.is_set():
            break
        for fifo in fifos:
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        done.wait(0.1)
    return finished

