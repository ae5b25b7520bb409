"""GitHub Actions expressions, as far as a composite ``action.yml`` needs them; anything else fails loudly.

Semantics follow https://docs.github.com/en/actions/learn-github-actions/expressions: ``||`` and ``&&``
return an operand (not a boolean), string ``==`` ignores case, mixed types compare as numbers, and a
missing property is ``null``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "JobStatus",
    "UnsupportedExpression",
    "contains",
    "evaluate",
    "evaluate_if",
    "interpolate",
    "to_string",
    "truthy",
]

STATUS_FUNCTIONS = ("success", "failure", "always", "cancelled")

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>'(?:[^']|'')*')
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<op>==|!=|&&|\|\||<=|>=|[!<>().\[\],*])
    | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
    )""",
    re.VERBOSE,
)
_INTERPOLATION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


class UnsupportedExpression(ValueError):
    """The expression uses syntax, a context or a function this simulator does not implement."""


@dataclass(frozen=True)
class JobStatus:
    """What the status functions see: did an earlier step fail, was the run cancelled."""

    failed: bool = False
    cancelled: bool = False


def truthy(value: Any) -> bool:
    """GitHub truthiness: null, false, 0, NaN and '' are false."""
    if value is None or value is False or value == "":
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return not (value == 0 or math.isnan(value))
    return True


def to_string(value: Any) -> str:
    """How a value is spliced into a string by ``${{ }}``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Mapping | list):
        raise UnsupportedExpression("object and array values cannot be interpolated here")
    return str(value)


def evaluate(source: str, contexts: Mapping[str, Any], status: JobStatus | None = None) -> Any:
    """Evaluate one expression (without ``${{ }}``) against ``contexts``."""
    parser = _Parser(_tokenize(source), source, contexts, status or JobStatus())
    value = parser.expression()
    if parser.peek() is not None:
        raise UnsupportedExpression(f"unexpected {parser.peek()!r} in {source!r}")
    return value


def interpolate(template: str, contexts: Mapping[str, Any], status: JobStatus | None = None) -> str:
    """Replace each ``${{ expr }}`` in ``template`` with its string value."""
    return _INTERPOLATION.sub(lambda m: to_string(evaluate(m.group(1), contexts, status)), template)


def evaluate_if(condition: str | bool | None, contexts: Mapping[str, Any], status: JobStatus) -> bool:
    """Evaluate a step's ``if:``; without a status function it means ``success() && (condition)``."""
    if condition is None or condition == "":
        return status_check("success", status)
    if isinstance(condition, bool):
        return condition and status_check("success", status)
    text = condition.strip()
    match = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.DOTALL)
    if match:
        text = match.group(1)
    elif "${{" in text:
        raise UnsupportedExpression(f"if: mixes text and ${{{{ }}}}: {condition!r}")
    uses_status = any(re.search(rf"\b{f}\s*\(", text) for f in STATUS_FUNCTIONS)
    value = evaluate(text, contexts, status)
    if uses_status:
        return truthy(value)
    return status_check("success", status) and truthy(value)


def status_check(name: str, status: JobStatus) -> bool:
    """The value of ``success()``, ``failure()``, ``always()`` or ``cancelled()``."""
    return {
        "success": not status.failed and not status.cancelled,
        "failure": status.failed,
        "always": True,
        "cancelled": status.cancelled,
    }[name]


def contains(search: Any, item: Any) -> bool:
    """``contains(search, item)``: an element of an array, else a substring, ignoring case."""
    if isinstance(search, list):
        return any(_loose_equal(element, item) for element in search)
    return to_string(item).casefold() in to_string(search).casefold()


def _tokenize(source: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(source):
        if source[position:].strip() == "":
            break
        match = _TOKEN.match(source, position)
        if match is None or match.lastgroup is None:
            raise UnsupportedExpression(f"cannot read {source[position:]!r} in {source!r}")
        tokens.append((match.lastgroup, match.group(match.lastgroup)))
        position = match.end()
    return tokens


def _loose_equal(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if type(left) is type(right) or (left is None and right is None):
        return bool(left == right)
    return _number(left) == _number(right)


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip()) if value.strip() else 0.0
        except ValueError:
            return math.nan
    return math.nan


def _lookup(value: Any, key: str) -> Any:
    if not isinstance(value, Mapping):
        return None
    if key in value:
        return value[key]
    folded = key.casefold()  # context property names are case-insensitive
    return next((v for k, v in value.items() if str(k).casefold() == folded), None)


class _Parser:
    """Recursive descent: or > and > comparison > unary > primary (property access)."""

    def __init__(
        self, tokens: list[tuple[str, str]], source: str, contexts: Mapping[str, Any], status: JobStatus
    ) -> None:
        self.tokens, self.source, self.contexts, self.status = tokens, source, contexts, status
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.position >= len(self.tokens):
            raise UnsupportedExpression(f"unexpected end of {self.source!r}")
        token = self.tokens[self.position]
        if expected is not None and token[1] != expected:
            raise UnsupportedExpression(f"expected {expected!r}, got {token[1]!r} in {self.source!r}")
        self.position += 1
        return token

    def expression(self) -> Any:
        value = self.conjunction()
        while self.peek() == "||":
            self.take()
            right = self.conjunction()
            value = value if truthy(value) else right
        return value

    def conjunction(self) -> Any:
        value = self.comparison()
        while self.peek() == "&&":
            self.take()
            right = self.comparison()
            value = right if truthy(value) else value
        return value

    def comparison(self) -> Any:
        value = self.unary()
        while self.peek() in ("==", "!=", "<", "<=", ">", ">="):
            op = self.take()[1]
            right = self.unary()
            if op in ("==", "!="):
                value = _loose_equal(value, right) == (op == "==")
            else:
                a, b = _number(value), _number(right)
                value = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
        return value

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text) if "." in text else int(text)
        if text == "(":
            value = self.expression()
            self.take(")")
            return value
        if kind != "name":
            raise UnsupportedExpression(f"unexpected {text!r} in {self.source!r}")
        if text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        if self.peek() == "(":
            return self.call(text)
        if text not in self.contexts:
            raise UnsupportedExpression(f"context {text!r} is not simulated (in {self.source!r})")
        value = self.contexts[text]
        filtered = False  # after `.*` each later property is read from every element (an object filter)
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                kind, key = self.take()
                if key == "*":
                    items = value.values() if isinstance(value, Mapping) else value if isinstance(value, list) else []
                    value, filtered = list(items), True
                    continue
                if kind != "name":
                    raise UnsupportedExpression(f"bad property {key!r} in {self.source!r}")
            else:
                key = to_string(self.expression())
                self.take("]")
            value = [_lookup(item, key) for item in value] if filtered else _lookup(value, key)
        return value

    def call(self, name: str) -> Any:
        self.take("(")
        arguments: list[Any] = []
        while self.peek() != ")":
            if arguments:
                self.take(",")
            arguments.append(self.expression())
        self.take(")")
        if name in STATUS_FUNCTIONS and not arguments:
            return status_check(name, self.status)
        if name == "contains" and len(arguments) == 2:
            return contains(*arguments)
        raise UnsupportedExpression(f"function {name}() is not simulated (in {self.source!r})")
