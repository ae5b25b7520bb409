"""run_command: allow-listed programs, run without a shell, in the workspace, with a scrubbed environment."""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from prpilot.agent.bounds import MAX_BYTES, clip_line
from prpilot.agent.workspace import ToolError, Workspace

# Variables a command must never see: our inputs, the tokens, and anything named like a credential.
_SECRET_NAME = re.compile(r"TOKEN|KEY|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE", re.IGNORECASE)
_SECRET_PREFIXES = ("INPUT_", "OPENAI", "GITHUB_TOKEN", "ACTIONS_")
_HEAD_LINES = 100
_TAIL_LINES = 300


def scrub_env(env: Mapping[str, str], secrets: Sequence[str] = ()) -> dict[str, str]:
    """Copy ``env`` without credentials: secret-looking names, our inputs, and any secret value."""
    values = {s for s in secrets if s}
    return {
        name: value
        for name, value in env.items()
        if not _SECRET_NAME.search(name)
        and not name.upper().startswith(_SECRET_PREFIXES)
        and not any(secret in value for secret in values)
    }


@dataclass(frozen=True)
class CommandPolicy:
    """Which commands the agent may run: argv prefixes such as ``pytest`` or ``npm test``.

    ``env`` is the environment to start from (the entry point passes ``os.environ``); it is scrubbed.
    """

    prefixes: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 300.0

    def allows(self, argv: Sequence[str]) -> bool:
        """Whether ``argv`` starts with one of the allowed prefixes, word for word."""
        for prefix in self.prefixes:
            words = shlex.split(prefix)
            if words and list(argv[: len(words)]) == words:
                return True
        return False


def run_command(ws: Workspace, policy: CommandPolicy, command: str) -> str:
    """Run ``command`` if the policy allows it; answer its exit code and (bounded) output."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ToolError(f"could not parse the command: {exc}") from exc
    if not argv:
        raise ToolError("give a command to run")
    if not policy.allows(argv):
        allowed = ", ".join(repr(p) for p in policy.prefixes)
        raise ToolError(f"{argv[0]!r} is not allowed; commands must start with one of: {allowed}")
    env = scrub_env(policy.env, ws.secrets)
    try:
        done = subprocess.run(
            argv,
            cwd=ws.root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=policy.timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        output = exc.output.decode("utf-8", "replace") if isinstance(exc.output, bytes) else ""
        return f"timed out after {policy.timeout:g} s and was stopped\n{_bound(output)}"
    except OSError as exc:
        raise ToolError(f"could not start {argv[0]!r}: {exc.strerror or exc}") from exc
    output = done.stdout.decode("utf-8", "replace")
    return f"exit code {done.returncode}\n{_bound(output)}".rstrip()


def _bound(output: str) -> str:
    """Keep the head and the tail of long output: errors and summaries are usually at the end."""
    lines = [clip_line(line) for line in output.splitlines()]
    if len(lines) > _HEAD_LINES + _TAIL_LINES:
        omitted = len(lines) - _HEAD_LINES - _TAIL_LINES
        lines = [*lines[:_HEAD_LINES], f"[... {omitted} lines omitted ...]", *lines[-_TAIL_LINES:]]
    text = "\n".join(lines)
    if len(text) > MAX_BYTES:
        half = MAX_BYTES // 2
        text = f"{text[:half]}\n[... {len(text) - 2 * half} characters omitted ...]\n{text[-half:]}"
    return text
