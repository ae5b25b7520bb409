"""The agent's tools: each declared once as a pydantic model (docstring = description), run by a Toolbox.

The tool names and argument names are a public interface: prompts and transcripts rely on them.
"""

from __future__ import annotations

import json
import logging
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from prpilot.agent.bounds import MAX_BYTES, MAX_LINES, take
from prpilot.agent.programs import CommandPolicy, run_command
from prpilot.agent.sandbox import Sandbox, sandbox_for
from prpilot.agent.search import SEARCH_SECONDS, search_code
from prpilot.agent.workspace import ToolError, Workspace

log = logging.getLogger(__name__)


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListFiles(_Args):
    """List the repository's files under a folder (tracked and untracked; .gitignore'd files left out)."""

    path: str = Field(".", description="Folder relative to the repository root; '.' is the root.")


class ReadFile(_Args):
    """Read a text file. Each line is prefixed with its number and a tab, which are not part of the file.
    Long files are shown in parts: pass start_line/end_line (1-based, inclusive) to read further."""

    path: str = Field(description="File path relative to the repository root.")
    start_line: int | None = Field(None, ge=1, description="First line to show (default 1).")
    end_line: int | None = Field(None, ge=1, description="Last line to show (default: as many as fit).")


class SearchCode(_Args):
    """Search the repository's files for a regular expression; answers path:line:text for each match."""

    pattern: str = Field(description="Regular expression (Rust/Python syntax), e.g. 'def main|class App'.")
    glob: str | None = Field(None, description="Only search files matching this glob, e.g. '*.py' or 'src/**'.")


class WriteFile(_Args):
    """Create a file or replace its whole content. Prefer edit_file for changes to an existing file."""

    path: str = Field(description="File path relative to the repository root; folders are created.")
    content: str = Field(description="The complete new content of the file.")


class EditFile(_Args):
    """Replace one exact occurrence of `old` with `new` in a file. `old` must match the file exactly
    (including indentation) and occur exactly once: include surrounding lines to make it unique."""

    path: str = Field(description="File path relative to the repository root.")
    old: str = Field(description="The exact text to replace; must occur exactly once.")
    new: str = Field(description="The replacement text.")


class DeleteFile(_Args):
    """Delete one file."""

    path: str = Field(description="File path relative to the repository root.")


class RunCommand(_Args):
    """Run an allowed command (no shell: no pipes, redirections or &&) in the repository root; answers
    its exit code and output."""

    command: str = Field(description="The command line, e.g. 'pytest -q tests/test_app.py'.")


class ReadWholeFile(_Args):
    """Read a whole text file."""

    path: str = Field(description="File path relative to the repository root.")


FILE_TOOLS: dict[str, type[_Args]] = {
    "list_files": ListFiles,
    "read_file": ReadFile,
    "search_code": SearchCode,
    "write_file": WriteFile,
    "edit_file": EditFile,
    "delete_file": DeleteFile,
}


@dataclass(frozen=True)
class ToolProfile:
    """A named set of tools the agent works with, and the lines of its prompt that say which does what."""

    name: str
    tools: Mapping[str, type[_Args]]
    commands: bool  # whether run_command joins when commands are allowed
    guide: str


STANDARD = ToolProfile(
    name="standard",
    tools=FILE_TOOLS,
    commands=True,
    guide=(
        "- list_files, read_file, search_code to find your way (paths are relative to the repository root);\n"
        "- edit_file to change part of a file (the old text must match exactly once), write_file to create "
        "or rewrite a file, delete_file to remove one;\n"
        "- run_command, when it is offered, to run the project's allowed commands (tests, linters)."
    ),
)
# PR Pilot's scaffold, for comparisons (``prpilot eval --compare baseline``): whole files in, whole files out.
BASELINE = ToolProfile(
    name="baseline",
    tools={"read_file": ReadWholeFile, "write_file": WriteFile},
    commands=False,
    guide=(
        "- read_file to read a whole file (paths are relative to the repository root);\n"
        "- write_file to create a file or replace its whole content."
    ),
)
TOOL_PROFILES: dict[str, ToolProfile] = {profile.name: profile for profile in (STANDARD, BASELINE)}


def tool_schema(name: str, args: type[BaseModel]) -> dict[str, Any]:
    """The OpenAI ``tools`` entry for one tool, generated from its argument model."""
    parameters = args.model_json_schema()
    description = " ".join((parameters.pop("description", None) or "").split())
    parameters.pop("title", None)
    return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters}}


@dataclass(frozen=True)
class ToolResult:
    """What a tool call answered, ready to send back to the model."""

    output: str
    is_error: bool = False


class Toolbox:
    """The tools of ``profile`` over one workspace. ``run_command`` exists only when ``commands`` allows some."""

    def __init__(
        self, workspace: Workspace, *, commands: CommandPolicy | None = None, profile: ToolProfile = STANDARD
    ) -> None:
        self.workspace = workspace
        wanted = profile.commands and commands and (commands.prefixes or commands.checks)
        self.commands = commands if wanted else None
        self.profile = profile
        self.tools: dict[str, type[_Args]] = dict(profile.tools)
        self.ran_command = False
        # When the tools must have stopped (time.monotonic): the agent loop sets it from max-minutes.
        self.deadline: float | None = None
        self._sandbox: Sandbox | None = None
        if self.commands:
            self.tools["run_command"] = RunCommand

    @property
    def sandbox(self) -> Sandbox | None:
        """Where commands run (made on first use); None without commands."""
        if self.commands and self._sandbox is None:
            policy = self.commands
            self._sandbox = sandbox_for(
                self.workspace.root, policy.env, network=policy.network, secrets=self.workspace.secrets,
                limits=policy.limits,
            )
        return self._sandbox

    def schemas(self) -> list[dict[str, Any]]:
        """The OpenAI ``tools`` list."""
        return [tool_schema(name, args) for name, args in self.tools.items()]

    @property
    def changed_files(self) -> list[str] | None:
        """The paths the file tools wrote or deleted; None once a command ran (it may have changed anything)."""
        return None if self.ran_command else self.workspace.changed_files

    def seconds_left(self, at_most: float) -> float:
        """How long a tool may run now: ``at_most``, or less when the task's time runs out first."""
        if self.deadline is None:
            return at_most
        return max(0.0, min(at_most, self.deadline - time.monotonic()))

    def call(self, name: str, arguments: str) -> ToolResult:
        """Run one tool call; a bad name, bad arguments or a failure come back as an error result."""
        result = self._call(name, arguments)
        output = self.workspace.redact(result.output)
        if len(output) > MAX_BYTES + 2_000:  # a last guard; each tool bounds its own output first
            output = output[:MAX_BYTES] + "\n[... output cut ...]"
        return ToolResult(output, result.is_error)

    def _call(self, name: str, arguments: str) -> ToolResult:
        model = self.tools.get(name)
        if model is None:
            return ToolResult(f"Error: there is no tool named {name!r}; use one of: {', '.join(self.tools)}", True)
        try:
            args = model.model_validate_json(arguments.strip() or "{}")
        except ValidationError as exc:
            return ToolResult(_explain(name, model, exc), True)
        if self.deadline is not None and self.seconds_left(1.0) <= 0:
            return ToolResult("Error: the task's time limit (max-minutes) is reached; finish with a summary now.", True)
        try:
            return ToolResult(self._execute(args))
        except ToolError as exc:
            return ToolResult(f"Error: {exc}", True)
        except (OSError, ValueError, subprocess.SubprocessError) as exc:
            return ToolResult(f"Error: {name} failed: {exc}", True)
        except Exception as exc:  # a bug or a hostile input in a tool is an observation, never a crash of the task
            log.exception("tool %s failed", name)
            return ToolResult(f"Error: {name} failed unexpectedly ({type(exc).__name__})", True)

    def _execute(self, args: _Args) -> str:
        ws = self.workspace
        match args:
            case ListFiles(path=path):
                return list_files(ws, path)
            case ReadFile(path=path, start_line=start, end_line=end):
                return read_file(ws, path, start, end)
            case ReadWholeFile(path=path):
                return ws.read_text(path)
            case SearchCode(pattern=pattern, glob=glob):
                return search_code(ws, pattern, glob, seconds=self.seconds_left(SEARCH_SECONDS))
            case WriteFile(path=path, content=content):
                created = ws.write_text(path, content)
                return f"{'created' if created else 'rewrote'} {path} ({len(content.splitlines())} lines)"
            case EditFile(path=path, old=old, new=new):
                return edit_file(ws, path, old, new)
            case DeleteFile(path=path):
                ws.delete(path)
                return f"deleted {path}"
            case RunCommand(command=command) if self.commands and self.sandbox:
                self.ran_command = True
                # One clock for every tool: the loop's deadline from max-minutes cuts the command's timeout.
                policy = replace(self.commands, deadline=self.deadline) if self.deadline else self.commands
                return run_command(ws, policy, command, self.sandbox)
        raise ToolError(f"{type(args).__name__} is not available")


def _explain(name: str, model: type[BaseModel], exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        if error["type"] == "json_invalid":
            problems.append(f"the arguments are not valid JSON ({error['msg']})")
        else:
            problems.append(f"{where or 'arguments'}: {error['msg']}")
    fields = ", ".join(f"{field}{'' if info.is_required() else '?'}" for field, info in model.model_fields.items())
    example = json.dumps({field: "..." for field, info in model.model_fields.items() if info.is_required()})
    return (
        f"Error: bad arguments for {name}: {'; '.join(problems)}. "
        f"Pass a JSON object with the fields {fields} ('?' = optional), e.g. {example}"
    )


def list_files(ws: Workspace, path: str) -> str:
    """List files under ``path``; a large folder is summarised by subfolder with file counts."""
    if not ws.resolve(path).exists():
        raise ToolError(f"{path} does not exist; list_files('.') shows the top of the repository")
    names = ws.files(path)
    if not names:
        return f"no files under {path}"
    if len(names) <= MAX_LINES:
        shown = take(names)
    else:
        base = ws.relative(ws.resolve(path))
        prefix = "" if base == "." else base + "/"
        folders: dict[str, int] = {}
        files: list[str] = []
        for name in names:
            head, sep, _ = name[len(prefix) :].partition("/")
            if sep:
                folders[prefix + head + "/"] = folders.get(prefix + head + "/", 0) + 1
            else:
                files.append(name)
        summary = [f"{folder} ({count} files)" for folder, count in sorted(folders.items())] + files
        shown = take(summary)
        shown.insert(0, f"{len(names)} files under {path}; too many to list, so folders are summarised:")
        names = summary
    if len(shown) < len(names):
        shown.append(f"[{len(names) - len(shown)} more entries not shown; list a subfolder to see them]")
    return "\n".join(shown)


def read_file(ws: Workspace, path: str, start: int | None, end: int | None) -> str:
    """Show a text file's lines ``start``..``end`` with line numbers, bounded, saying how to read on."""
    lines = ws.read_text(path).splitlines()
    total = len(lines)
    if total == 0:
        return f"{path} is empty"
    first = start or 1
    if first > total:
        raise ToolError(f"start_line {first} is past the end of {path}, which has {total} lines")
    last = min(end or total, total)
    if last < first:
        raise ToolError(f"end_line {last} comes before start_line {first}")
    shown = take([f"{n:>6}\t{line}" for n, line in enumerate(lines[first - 1 : last], first)])
    shown_last = first + len(shown) - 1
    out = [f"{path}: lines {first}-{shown_last} of {total}", *shown]
    if shown_last < total:
        out.append(f"[lines {shown_last + 1}-{total} not shown; call read_file with start_line={shown_last + 1}]")
    return "\n".join(out)


def edit_file(ws: Workspace, path: str, old: str, new: str) -> str:
    """Replace the one occurrence of ``old`` in ``path`` with ``new``."""
    if not old:
        raise ToolError("old is empty; give the exact text to replace (use write_file to create a file)")
    text = ws.read_text(path)
    count = text.count(old)
    if count == 0:
        hint = ""
        if old.strip() and text.count(old.strip()) == 1:
            hint = " It matches once if leading/trailing whitespace is dropped; check line breaks and indentation."
        raise ToolError(
            f"old text not found in {path}.{hint} Read the file with read_file and copy the text exactly, "
            "without the line-number prefixes."
        )
    if count > 1:
        raise ToolError(
            f"old text occurs {count} times in {path}; include more surrounding lines so it matches exactly once"
        )
    at = text[: text.index(old)].count("\n") + 1
    ws.write_text(path, text.replace(old, new, 1))
    return f"edited {path} at line {at}: replaced {old.count(chr(10)) + 1} lines with {new.count(chr(10)) + 1} lines"
