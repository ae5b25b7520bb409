"""The tools: schemas from pydantic, bounded results, bad calls as observations, redaction."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from prpilot.agent.bounds import MAX_BYTES
from prpilot.agent.programs import CommandPolicy
from prpilot.agent.search import search_code
from prpilot.agent.tools import BASELINE, TOOL_PROFILES, ReadFile, Toolbox, ToolResult
from prpilot.agent.workspace import ToolError, Workspace

SECRET = "ghs_s3cr3tvalue123"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("def main():\n    return 1\n\n\ndef helper():\n    return 1\n")
    (root / "big.txt").write_text("".join(f"line {n}\n" for n in range(1, 1001)))
    (root / "leak.txt").write_text(f"token={SECRET}\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


@pytest.fixture
def box(repo: Path) -> Toolbox:
    return Toolbox(Workspace(repo, secrets=[SECRET]))


def call(box: Toolbox, name: str, **args: object) -> ToolResult:
    return box.call(name, json.dumps(args))


def test_schemas_come_from_the_argument_models(box: Toolbox) -> None:
    schemas = {s["function"]["name"]: s["function"] for s in box.schemas()}
    assert list(schemas) == ["list_files", "read_file", "search_code", "write_file", "edit_file", "delete_file"]
    read = schemas["read_file"]
    assert read["description"].startswith("Read a text file.")
    assert read["parameters"]["required"] == ["path"]
    assert set(read["parameters"]["properties"]) == {"path", "start_line", "end_line"}
    assert read["parameters"]["additionalProperties"] is False
    assert "title" not in read["parameters"]
    assert schemas["edit_file"]["parameters"]["required"] == ["path", "old", "new"]
    assert set(schemas["search_code"]["parameters"]["properties"]) == {"pattern", "glob"}
    assert ReadFile.model_json_schema()["properties"] == read["parameters"]["properties"]


def test_run_command_is_offered_only_with_an_allow_list(repo: Path) -> None:
    ws = Workspace(repo)
    assert "run_command" not in {s["function"]["name"] for s in Toolbox(ws).schemas()}
    assert "run_command" not in {s["function"]["name"] for s in Toolbox(ws, commands=CommandPolicy(())).schemas()}
    with_commands = Toolbox(ws, commands=CommandPolicy(("pytest",)))
    assert "run_command" in {s["function"]["name"] for s in with_commands.schemas()}
    refused = call(Toolbox(ws), "run_command", command="ls")
    assert refused.is_error
    assert "no tool named 'run_command'" in refused.output


def test_read_file_is_bounded_and_says_how_to_go_on(box: Toolbox) -> None:
    result = call(box, "read_file", path="big.txt")
    lines = result.output.splitlines()
    assert lines[0] == "big.txt: lines 1-400 of 1000"
    assert lines[1] == "     1\tline 1"
    assert lines[400] == "   400\tline 400"
    assert lines[-1] == "[lines 401-1000 not shown; call read_file with start_line=401]"
    more = call(box, "read_file", path="big.txt", start_line=990, end_line=2000)
    assert more.output.splitlines()[0] == "big.txt: lines 990-1000 of 1000"
    assert "not shown" not in more.output


def test_read_file_bounds_bytes_too(repo: Path, box: Toolbox) -> None:
    (repo / "wide.txt").write_text(("x" * 1000 + "\n") * 100)
    result = call(box, "read_file", path="wide.txt")
    assert len(result.output.encode()) <= MAX_BYTES + 200
    assert "call read_file with start_line=" in result.output
    (repo / "one.txt").write_text("y" * 100_000)
    long_line = call(box, "read_file", path="one.txt")
    assert "more characters on this line" in long_line.output
    assert len(long_line.output) < 3000


def test_read_file_past_the_end(box: Toolbox) -> None:
    result = call(box, "read_file", path="src/app.py", start_line=50)
    assert result.is_error
    assert "past the end" in result.output
    assert "6 lines" in result.output


def test_edit_file_needs_exactly_one_match(repo: Path, box: Toolbox) -> None:
    twice = call(box, "edit_file", path="src/app.py", old="    return 1\n", new="    return 2\n")
    assert twice.is_error
    assert "occurs 2 times" in twice.output
    missing = call(box, "edit_file", path="src/app.py", old="return 3", new="return 4")
    assert missing.is_error
    assert "not found" in missing.output
    done = call(
        box, "edit_file", path="src/app.py", old="def helper():\n    return 1", new="def helper():\n    return 2"
    )
    assert not done.is_error
    assert "at line 5" in done.output
    assert (repo / "src" / "app.py").read_text().endswith("def helper():\n    return 2\n")
    assert box.changed_files == ["src/app.py"]


def test_write_and_delete(repo: Path, box: Toolbox) -> None:
    assert call(box, "write_file", path="pkg/new.py", content="x = 1\n").output == "created pkg/new.py (1 lines)"
    assert (repo / "pkg" / "new.py").read_text() == "x = 1\n"
    assert call(box, "delete_file", path="big.txt").output == "deleted big.txt"
    assert box.changed_files == ["big.txt", "pkg/new.py"]


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        ("read_file", '{"path": "src/app.py"', "not valid JSON"),
        ("read_file", "{}", "path: Field required"),
        ("read_file", '{"path": "a", "start_line": "x"}', "start_line"),
        ("read_file", '{"path": "a", "bogus": 1}', "bogus: Extra inputs are not permitted"),
        ("read_file", "[1]", "bad arguments for read_file"),
        ("make_coffee", "{}", "no tool named 'make_coffee'; use one of: list_files"),
        ("read_file", '{"path": "/etc/passwd"}', "not an absolute path"),
        ("read_file", '{"path": "../x"}', "outside the repository"),
    ],
)
def test_bad_calls_become_error_observations(box: Toolbox, name: str, arguments: str, expected: str) -> None:
    result = box.call(name, arguments)
    assert result.is_error
    assert result.output.startswith("Error:")
    assert expected in result.output


def test_empty_arguments_mean_defaults(box: Toolbox) -> None:
    result = box.call("list_files", "")
    assert not result.is_error
    assert "src/app.py" in result.output


def test_every_output_is_redacted(repo: Path, box: Toolbox) -> None:
    assert SECRET not in call(box, "read_file", path="leak.txt").output
    assert "token=***" in call(box, "read_file", path="leak.txt").output
    found = call(box, "search_code", pattern="token=").output
    assert found == "leak.txt:1:token=***"
    error = call(box, "read_file", path=f"{SECRET}.txt")
    assert error.is_error
    assert SECRET not in error.output


def test_list_files_summarises_big_folders(repo: Path, box: Toolbox) -> None:
    for n in range(450):
        (repo / "src" / f"m{n:03}.py").write_text("")
    (repo / "src" / "sub").mkdir()
    (repo / "src" / "sub" / "deep.py").write_text("")
    listing = call(box, "list_files").output.splitlines()
    assert listing[0].startswith("454 files under .; too many to list")
    assert "src/ (452 files)" in listing
    inner = call(box, "list_files", path="src").output.splitlines()
    assert "src/sub/ (1 files)" in inner
    assert inner[-1].startswith("[")
    assert "more entries not shown; list a subfolder" in inner[-1]


@pytest.mark.parametrize("rg", [None, ""], ids=["ripgrep", "python"])
def test_search_code(repo: Path, rg: str | None) -> None:
    ws = Workspace(repo)
    assert search_code(ws, r"def \w+\(", rg=rg) == "src/app.py:1:def main():\nsrc/app.py:5:def helper():"
    assert search_code(ws, "line 7$", glob="*.txt", rg=rg) == "big.txt:7:line 7"
    assert search_code(ws, "def", glob="*.txt", rg=rg) == "no matches for 'def' in files matching *.txt"
    many = search_code(ws, "line", rg=rg).splitlines()
    assert len(many) == 401
    assert many[-1].startswith("[showing the first 400 matches; more exist")


@pytest.mark.parametrize("rg", [None, ""], ids=["ripgrep", "python"])
def test_search_code_bad_regex_is_an_error(repo: Path, rg: str | None) -> None:
    with pytest.raises(ToolError, match="search failed"):
        search_code(Workspace(repo), "(", rg=rg)


def test_search_failure_is_an_observation(box: Toolbox) -> None:
    result = call(box, "search_code", pattern="(")
    assert result.is_error
    assert result.output.startswith("Error: search failed")


def _python_env() -> dict[str, str]:
    """A runner environment whose PATH finds this interpreter as ``python``."""
    return {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}


def test_run_command_runs_allowed_commands_without_secrets(repo: Path) -> None:
    env = {**_python_env(), "GITHUB_TOKEN": "t", "MY_API_KEY": "k", "INPUT_MODEL": "m", "PLAIN": "ok", "LANG": "C"}
    policy = CommandPolicy(("python",), env=env, timeout=30)
    box = Toolbox(Workspace(repo, secrets=[SECRET]), commands=policy)
    script = "import os, sys; print(sorted(os.environ)); print(os.getcwd()); print('" + SECRET + "'); sys.exit(3)"
    result = call(box, "run_command", command=f"python -c {json.dumps(script)}")
    assert not result.is_error, result.output
    lines = result.output.splitlines()
    assert lines[0] == "exit code 3"
    # Built from nothing: no variable of the runner's is passed on but the locale (LC_CTYPE is Python's own).
    names = set(json.loads(lines[1].replace("'", '"')))
    assert {"PATH", "HOME", "LANG"} <= names <= {"CI", "HOME", "LANG", "LC_CTYPE", "PATH", "PWD", "TMPDIR"}
    assert Path(lines[2]) == repo
    assert lines[3] == "***"


def test_run_command_refuses_what_is_not_allowed(repo: Path) -> None:
    box = Toolbox(Workspace(repo), commands=CommandPolicy(("pytest", "npm test")))
    for command in ("rm -rf /", "npm install evil", "pytestx", "'unbalanced"):
        result = call(box, "run_command", command=command)
        assert result.is_error, command
    assert "must start with one of: 'pytest', 'npm test'" in call(box, "run_command", command="ls").output


def test_run_command_times_out(repo: Path) -> None:
    policy = CommandPolicy(("python",), env=_python_env(), timeout=1.5)
    box = Toolbox(Workspace(repo), commands=policy)
    result = call(box, "run_command", command="python -c 'import time; time.sleep(5)'")
    assert "timed out after 1.5 s and was stopped" in result.output


def test_run_command_output_keeps_head_and_tail(repo: Path) -> None:
    box = Toolbox(Workspace(repo), commands=CommandPolicy(("python",), env=_python_env()))
    result = call(box, "run_command", command="python -c 'for i in range(2000): print(i)'")
    lines = result.output.splitlines()
    assert lines[1] == "0"
    assert lines[-1] == "1999"
    assert "[... 1600 lines omitted ...]" in lines


def test_run_command_of_a_program_that_is_not_there(repo: Path) -> None:
    box = Toolbox(Workspace(repo), commands=CommandPolicy(("no-such-tool",), env=_python_env()))
    result = call(box, "run_command", command="no-such-tool --version")
    assert result.is_error
    assert "'no-such-tool' is not installed where commands run" in result.output


def test_list_files_of_a_missing_folder(box: Toolbox) -> None:
    result = call(box, "list_files", path="nope")
    assert result.is_error
    assert "nope does not exist" in result.output


def test_a_catastrophic_pattern_is_stopped_at_the_deadline(repo: Path) -> None:
    import time

    (repo / "data.txt").write_text("a" * 48 + "!\n")
    started = time.monotonic()
    with pytest.raises(ToolError, match="the search was stopped after 2 s"):
        search_code(Workspace(repo), "(a+)+$", rg="", seconds=2)
    assert time.monotonic() - started < 10


def test_the_toolbox_gives_search_only_the_time_left(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setattr("prpilot.agent.search.shutil.which", lambda _name: None)  # the Python fallback
    (repo / "data.txt").write_text("a" * 48 + "!\n")
    box = Toolbox(Workspace(repo))
    box.deadline = time.monotonic() + 1.5
    started = time.monotonic()
    result = call(box, "search_code", pattern="(a+)+$", glob="data.txt")
    assert result.is_error
    assert "stopped after" in result.output or "no time is left" in result.output
    assert time.monotonic() - started < 8
    box.deadline = time.monotonic() - 1
    late = call(box, "read_file", path="big.txt")
    assert late.is_error
    assert "time limit (max-minutes) is reached" in late.output


@pytest.mark.parametrize("rg", [None, ""], ids=["ripgrep", "python"])
@pytest.mark.parametrize("glob", ["*", ".git/**", "**", "config", ".git/*", "**/.git/**", None])
def test_search_never_reads_dot_git(repo: Path, rg: str | None, glob: str | None) -> None:
    if rg is None and shutil.which("rg") is None:
        pytest.skip("ripgrep is not installed")
    (repo / ".git" / "config").write_text("[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n")
    (repo / "sub").mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo / "sub", check=True)
    (repo / "sub" / ".git" / "config").write_text("extraheader = nested\n")
    answer = search_code(Workspace(repo), "extraheader", glob=glob, rg=rg)
    assert answer.startswith("no matches"), answer


@pytest.mark.parametrize("rg", [None, ""], ids=["ripgrep", "python"])
def test_search_follows_no_link_out_of_the_checkout(repo: Path, tmp_path: Path, rg: str | None) -> None:
    if rg is None and shutil.which("rg") is None:
        pytest.skip("ripgrep is not installed")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("TOKEN = 'def main'\n")
    (repo / "leak.py").symlink_to(outside / "secret.py")
    (repo / "deep" / "er").mkdir(parents=True)
    (repo / "deep" / "er" / "mod.py").write_text("def main(): pass\n")
    answer = search_code(Workspace(repo), "def main", glob="*.py", rg=rg)
    assert answer.splitlines() == ["deep/er/mod.py:1:def main(): pass", "src/app.py:1:def main():"]


def test_write_file_has_a_size_cap(repo: Path, box: Toolbox) -> None:
    from prpilot.agent.workspace import MAX_WRITE_BYTES

    result = call(box, "write_file", path="huge.txt", content="x" * (MAX_WRITE_BYTES + 1))
    assert result.is_error
    assert "more than one write may hold" in result.output
    assert not (repo / "huge.txt").exists()
    assert not call(box, "write_file", path="ok.txt", content="x" * MAX_WRITE_BYTES).is_error


def test_an_unexpected_failure_in_a_tool_is_an_observation(box: Toolbox, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: object) -> str:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("prpilot.agent.tools.read_file", boom)
    result = call(box, "read_file", path="big.txt")
    assert result.is_error
    assert result.output == "Error: read_file failed unexpectedly (RecursionError)"


def test_the_search_child_never_runs_code_from_the_checkout(repo: Path, tmp_path: Path) -> None:
    canary = tmp_path / "ran"
    (repo / "prpilot" / "agent").mkdir(parents=True)
    (repo / "prpilot" / "__init__.py").write_text("")
    (repo / "prpilot" / "agent" / "__init__.py").write_text("")
    (repo / "prpilot" / "agent" / "search.py").write_text(f"open({str(canary)!r}, 'w').write('pwned')\n")
    assert search_code(Workspace(repo), "def main", rg="") == "src/app.py:1:def main():"
    assert not canary.exists()


def test_the_baseline_profile_has_whole_file_read_and_write_only(repo: Path) -> None:
    box = Toolbox(Workspace(repo), commands=CommandPolicy(("pytest",), checks=("pytest -q",)), profile=BASELINE)
    schemas = {s["function"]["name"]: s["function"] for s in box.schemas()}
    assert list(schemas) == ["read_file", "write_file"]  # no run_command, even with commands allowed
    assert set(schemas["read_file"]["parameters"]["properties"]) == {"path"}
    whole = call(box, "read_file", path="src/app.py")
    assert whole.output == (repo / "src" / "app.py").read_text()  # as is: no line numbers, no window
    refused = call(box, "edit_file", path="src/app.py", old="return 1", new="return 2")
    assert refused.is_error
    assert "no tool named 'edit_file'" in refused.output
    assert not call(box, "write_file", path="src/app.py", content="x = 1\n").is_error
    assert box.changed_files == ["src/app.py"]
    assert TOOL_PROFILES["standard"].tools == Toolbox(Workspace(repo)).tools


def test_settings_name_exactly_the_profiles_the_agent_has() -> None:
    from prpilot import settings

    assert tuple(TOOL_PROFILES) == settings.TOOL_PROFILES
