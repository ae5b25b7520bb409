"""prpilot's own git on a tree the agent wrote runs no program that tree configures, at any depth (issue 28)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from prpilot.agent.workspace import Workspace
from prpilot.engine.change_rules import ChangeRules, sort_change
from prpilot.github.checkout import BOT_NAME, Checkout, Identity
from prpilot.github.untrusted_git import nested_repository, untrusted_options
from prpilot.testing.git_traps import plant, sprung, trap_config

BOT = Identity(BOT_NAME, "prpilot[bot]@users.noreply.127.0.0.1")
# A nested repository at the top, one deep down, one whose .git is a file, and a submodule's empty folder.
PLACES = ("nested", "deep/er/nested", "pkg/nested-linked", "sub")


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.name=Dev", "-c", "user.email=dev@localhost", *args], cwd=cwd,
                          check=True, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)})
    return done.stdout.strip()


def _with_submodule(checkout: Checkout) -> None:
    """Record a gitlink ``sub`` in HEAD, as a repository with a submodule leaves it after actions/checkout."""
    root = checkout.root
    head = _git(root, "rev-parse", "HEAD")
    _git(root, "update-index", "--add", "--cacheinfo", f"160000,{head},sub")
    (root / ".gitmodules").write_text('[submodule "sub"]\n\tpath = sub\n\turl = ./sub\n')
    _git(root, "add", ".gitmodules")
    _git(root, "commit", "-q", "-m", "a submodule")
    (root / "sub").mkdir(exist_ok=True)


@pytest.fixture
def trapped(checkout: Checkout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The checkout with every trap planted at every depth; the folder the traps would leave marks in."""
    markers = tmp_path / "markers"
    markers.mkdir()
    for name in ("GITHUB_ENV", "GITHUB_PATH"):  # where a program run by prpilot's git would write
        (tmp_path / name).write_text("")
        monkeypatch.setenv(name, str(tmp_path / name))
    _with_submodule(checkout)
    plant(checkout.root, markers, PLACES)
    trap_config(Path(checkout.repo.common_dir), markers)  # the checkout's own config, with its named programs
    (checkout.root / "README.md").write_text("changed by the agent\n")
    return markers


def test_no_trap_springs_through_any_git_prpilot_runs(checkout: Checkout, trapped: Path, tmp_path: Path) -> None:
    """Status, the rules, the commit, status again, the patch, the file list and a branch switch run nothing."""
    changed = checkout.changed_paths(None)
    kept, left = sort_change(checkout.root, changed, ChangeRules())
    sha = checkout.commit("Work", BOT, kept)
    checkout.changed_paths(None)  # after the commit: a gitlink recorded by it would be entered now
    checkout.changed_paths(["nested", "sub", "README.md"])
    checkout.patch(sha)
    Workspace(checkout.root).files()
    checkout.start_branch("pilot/next", None)

    assert sprung(trapped) == []
    assert (tmp_path / "GITHUB_ENV").read_text() == ""
    assert (tmp_path / "GITHUB_PATH").read_text() == ""
    assert kept == ["README.md"]  # the nested repositories' own files are never the task's
    left_out = {entry.path for entry in left}
    # the nested repositories, and the git folder the .git file of one points to (named once)
    assert left_out == {"nested/", "deep/er/nested/", "pkg/nested-linked/", ".pkg_nested-linked-gitdir/"}
    tree = _git(checkout.root, "ls-tree", "-r", "HEAD")
    gitlinks = [line.split("\t")[1] for line in tree.splitlines() if line.startswith("160000")]
    assert gitlinks == ["sub"]  # the checkout's own submodule, and no gitlink of prpilot's making


def test_the_traps_are_live(checkout: Checkout, trapped: Path) -> None:
    """The same tree under plain git: the traps spring (so the test above proves something)."""
    for args in (["status"], ["add", "--all"], ["status"]):  # they may fail too: the programs ran first
        subprocess.run(["git", *args], cwd=checkout.root, capture_output=True, check=False)
    assert any(name.startswith("sub-") for name in sprung(trapped)), sprung(trapped)
    assert any(name.startswith("nested-") for name in sprung(trapped))


@pytest.mark.parametrize(("entry", "nested"), [
    ("nested/", True), ("a/.git/config", True), ("a/.GIT", True), ("a/b.txt", False), (".github/x.yml", False),
])
def test_a_status_entry_names_a_nested_repository(entry: str, nested: bool) -> None:
    assert nested_repository(entry) is nested


def test_named_programs_of_the_top_config_are_emptied() -> None:
    options = untrusted_options(["filter.lfs.clean", "diff.x.textconv", "merge.m.driver", "user.name"])
    assert {"filter.lfs.clean=", "diff.x.textconv=", "merge.m.driver=", "diff.ignoreSubmodules=all"} <= set(options)
    assert not any(option.startswith("user.name") for option in options)
