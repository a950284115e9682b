"""A problem in a course: what is wrong (a code and its parameters) and where (file and
line, or a field path). `messages.TEXTS` words each code; `.message` is the English text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from portal.courseformat.messages import TEXTS, english


@dataclass
class Problem:
    """What is wrong and where: file and line for files; module or lesson key for the
    editor, which names them by title. `code` and `params` say what is wrong (the browser
    translates TEXTS[code]); `at` names the place in the file ("check 'closed' target")."""

    file: str
    line: int | None
    message: str
    module: str | None = None
    lesson: str | None = None
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    at: str = ""

    @classmethod
    def of(cls, file: str, line: int | None, code: str, /, **params: Any) -> Problem:
        """A problem with its code and parameters, worded in English."""
        return cls(file, line, english(code, params), code=code, params=params)

    @property
    def template(self) -> str:
        """The code's text to translate with `params` (empty: show `message` as it is)."""
        return TEXTS.get(self.code, "")

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class FieldProblem:
    """A problem in one piece of data (a check, an exercise) before it is in a file:
    `loc` is the path to the field at fault, as in ("checks", 2, "target", "setup")."""

    loc: tuple[str | int, ...]
    message: str
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def field(self) -> str:
        """The path as text: checks[2].target.setup."""
        text = ""
        for part in self.loc:
            text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
        return text

    @property
    def template(self) -> str:
        """The code's text to translate with `params`."""
        return TEXTS.get(self.code, "")

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.loc else self.message


class FormatError(ValueError):
    """The files do not make a valid course; `problems` lists each one."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


# Parts of a pydantic error path that name a union's member, not a field of the data.
_MEMBER_PARTS = {"str", "bool", "int", "float", "none", "list[...]", "dict[str,...]"}


def _code(error: dict[str, Any], loc: tuple) -> tuple[str, dict[str, Any]]:
    """The code and parameters of one pydantic error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    name = _field_name(loc)
    if kind in TEXTS and (kind != "missing" or ctx):  # raised by the format's validators
        return kind, dict(ctx)
    if kind == "extra_forbidden":
        return "unknown_field", {"name": name}
    if kind in ("missing", "union_tag_not_found"):
        return "missing", {"name": name}
    if kind == "union_tag_invalid":
        expected = ctx.get("expected_tags", "").replace("'", "")
        what = str(ctx.get("discriminator", "'type'")).strip("'")
        return "tag_unknown", {"name": what, "value": ctx.get("tag"), "expected": expected}
    if kind == "literal_error":
        expected = ctx.get("expected", "").replace("'", "").replace(" or ", ", ")
        return "not_one_of", {"name": name, "value": error["input"], "expected": expected}
    if kind == "string_pattern_mismatch" and name in ("key", "setup"):
        return "key_pattern", {"value": error["input"]}
    if kind == "too_short" and isinstance(error["input"], list):
        return "too_few", {"name": name, "count": ctx["min_length"]}
    if kind in ("string_type", "bool_type", "int_type", "float_type") and (
        loc and loc[-1] in _MEMBER_PARTS
    ):
        return "not_plain", {"name": name}
    detail = str(error["msg"]).removeprefix("Value error, ")
    if kind == "value_error" or not isinstance(name, str) or not name:
        return "invalid_value", {"detail": detail}
    return "invalid", {"name": name, "detail": f"{detail[0].lower()}{detail[1:]}"}


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
        code, params = _code(item, loc)
        while loc and loc[-1] in _MEMBER_PARTS:
            loc = loc[:-1]
        if loc in seen and code == "not_plain":
            continue
        seen.add(loc)
        problems.append(FieldProblem(loc, english(code, params), code, params))
    return problems
