"""``prpilot spend`` against the fake GitHub over real sockets: which repository, what it cannot read, --json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest

from prpilot.commands.spend import repository_from_remote
from prpilot.testing.github import FakeGitHub

PRPILOT = Path(sys.executable).with_name("prpilot")
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "spend-report.schema.json").read_text())


@pytest.mark.parametrize(("remote", "server", "found"), [
    ("https://github.com/octo-org/hello.git", "https://github.com", "octo-org/hello"),
    ("https://github.com/octo-org/hello", "https://github.com/", "octo-org/hello"),
    ("git@github.com:octo-org/hello.git", "https://github.com", "octo-org/hello"),
    ("ssh://git@github.com/octo-org/hello.git", "https://github.com", "octo-org/hello"),
    ("https://x-access-token:abc@ghe.example.com/team/app.git", "https://ghe.example.com", "team/app"),
    ("https://github.com/octo-org/hello.git", "https://ghe.example.com", None),  # another host: not this server's
    ("git@gitlab.com:octo-org/hello.git", "https://github.com", None),
    ("https://github.com/just-an-owner", "https://github.com", None),
    ("/srv/git/hello.git", "https://github.com", None),
])
def test_the_repository_is_read_from_a_remote_on_the_servers_host(remote: str, server: str, found: str | None) -> None:
    assert repository_from_remote(remote, server) == found


@pytest.fixture
def github(tmp_path: Path) -> Iterator[FakeGitHub]:
    with FakeGitHub(tmp_path / "github") as started:
        started.add_repo("octo-org/hello", files={"README.md": "hello\n"})
        yield started


def _spend(*args: str, cwd: Path, github: FakeGitHub | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ["PATH"], "PRPILOT_HTTP_BACKOFF": "0.01", "PRPILOT_HTTP_TIMEOUT": "2"}
    if github is not None:
        base |= {"GITHUB_TOKEN": github.token, "GITHUB_API_URL": github.api_url,
                 "GITHUB_SERVER_URL": github.server_url}
    return subprocess.run([str(PRPILOT), "spend", *args], cwd=cwd, env=base | env, capture_output=True, text=True,
                          timeout=60, check=False)


def test_a_repository_that_cannot_be_seen_is_said_so_not_shown_as_free(github: FakeGitHub, tmp_path: Path) -> None:
    done = _spend("--repo", "octo-org/nonexistent", cwd=tmp_path, github=github)
    assert done.returncode == 1
    assert done.stderr.strip().endswith("prpilot: cannot read octo-org/nonexistent's ledger: the repository does "
                                        "not exist or the token cannot see it")
    assert done.stderr.count("\n") == 1
    assert "$0.00" not in done.stdout


def test_a_readable_repository_without_a_ledger_yet_spent_nothing(github: FakeGitHub, tmp_path: Path) -> None:
    done = _spend("--repo", "octo-org/hello", cwd=tmp_path, github=github)
    assert done.returncode == 0, done.stderr
    assert "**$0.00** over 0 settled tasks." in done.stdout


def test_json_validates_against_the_schema_in_docs(github: FakeGitHub, tmp_path: Path) -> None:
    done = _spend("--repo", "octo-org/hello", "--json", cwd=tmp_path, github=github, PRPILOT_MONTHLY_BUDGET="25")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    jsonschema.validate(found, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert (found["repository"], found["budgets"]["monthly_usd"], found["budgets"]["left_usd"]) == (
        "octo-org/hello", "25", "25")


def test_outside_actions_the_repository_comes_from_the_git_remote(github: FakeGitHub, tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    subprocess.run(["git", "-C", str(checkout), "remote", "add", "origin", f"{github.server_url}/octo-org/hello.git"],
                   check=True)
    (checkout / "sub").mkdir()
    done = _spend(cwd=checkout / "sub", github=github)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("## prpilot spend: octo-org/hello, ")

    elsewhere = _spend(cwd=checkout, github=github, GITHUB_SERVER_URL="https://ghe.example.com")
    assert elsewhere.returncode == 2
    assert "which repository? Pass --repo owner/name: its git remote origin" in elsewhere.stderr
    assert "is not on https://ghe.example.com" in elsewhere.stderr


@pytest.mark.parametrize(("args", "said"), [
    (["--month", "2026-13"], "--month must look like 2026-11, not '2026-13'"),
    (["--repo", "no-slash"], "--repo must be owner/name, not 'no-slash'"),
    ([], "which repository? Pass --repo owner/name: it is not a git checkout"),
])
def test_arguments_are_checked_before_the_token(args: list[str], said: str, tmp_path: Path) -> None:
    done = _spend(*args, cwd=tmp_path)  # no GITHUB_TOKEN at all
    assert done.returncode == 2
    assert said in done.stderr
    assert "GITHUB_TOKEN" not in done.stderr


def test_a_github_that_is_down_is_one_line_without_library_noise(tmp_path: Path) -> None:
    done = _spend("--repo", "octo-org/hello", cwd=tmp_path, GITHUB_TOKEN="t", GITHUB_API_URL="http://127.0.0.1:9")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert "could not reach GitHub at 127.0.0.1:9 to read the ledger" in done.stderr
    assert "Retrying" not in done.stderr
