"""A problem in a course: what is wrong and where (file and line, or a field path)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


@dataclass
class Problem:
    """What is wrong and where: file and line for files; module or lesson key (and a
    `code` naming the kind of problem) for the editor, which names them by title."""

    file: str
    line: int | None
    message: str
    module: str | None = None
    lesson: str | None = None
    code: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class FieldProblem:
    """A problem in one piece of data (a check, an exercise) before it is in a file:
    `loc` is the path to the field at fault, as in ("checks", 2, "target", "setup")."""

    loc: tuple[str | int, ...]
    message: str

    @property
    def field(self) -> str:
        """The path as text: checks[2].target.setup."""
        text = ""
        for part in self.loc:
            text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
        return text

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.loc else self.message


class FormatError(ValueError):
    """The files do not make a valid course; `problems` lists each one."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


# Parts of a pydantic error path that name a union's member, not a field of the data.
_MEMBER_PARTS = {"str", "bool", "int", "float", "none", "list[...]", "dict[str,...]"}


def _message(error: dict[str, Any], loc: tuple) -> str:
    kind = error["type"]
    name = _field_name(loc)
    if kind == "extra_forbidden":
        return f"unknown field '{name}'"
    if kind == "missing":
        return f"'{name}' is missing"
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        expected = ctx.get("expected_tags", "").replace("'", "")
        what = str(ctx.get("discriminator", "'type'")).strip("'")
        return f"{what} '{ctx.get('tag')}' is not one of: {expected}"
    if kind == "union_tag_not_found":
        return f"'{name}' is missing"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "").replace("'", "")
        return f"'{name}' is '{error['input']}', not one of: {expected.replace(' or ', ', ')}"
    if kind in ("string_pattern_mismatch",) and name in ("key", "setup"):
        return f"key '{error['input']}' must be lower-case letters, digits, '-' or '_' (max 80)"
    if kind == "too_short" and isinstance(error["input"], list):
        return f"'{name}' needs at least {error['ctx']['min_length']}"
    if kind in ("string_type", "bool_type", "int_type", "float_type") and (
        loc and loc[-1] in _MEMBER_PARTS
    ):
        return f"'{name}' must be text, a number or true/false"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "value_error" or not isinstance(name, str) or not name:
        return message
    return f"'{name}': {message[0].lower()}{message[1:]}"


def _field_name(loc: tuple) -> str:
    names = [p for p in loc if isinstance(p, str) and p not in _MEMBER_PARTS]
    return names[-1] if names else ""


def field_problems(error: ValidationError, tags: set[str]) -> list[FieldProblem]:
    """The problems of a pydantic error, one per field; `tags` are union tags that appear
    in error paths but not in the data (they are dropped from `loc`)."""
    problems: list[FieldProblem] = []
    seen: set[tuple] = set()
    for item in error.errors():
        loc = tuple(p for p in item["loc"] if p not in tags and not str(p).startswith("function-"))
        if item["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, item.get("ctx", {}).get("discriminator", "'type'").strip("'"))
        message = _message(item, loc)
        while loc and loc[-1] in _MEMBER_PARTS:
            loc = loc[:-1]
        if loc in seen and "must be text" in message:
            continue
        seen.add(loc)
        problems.append(FieldProblem(loc, message))
    return problems
