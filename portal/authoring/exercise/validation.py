"""What the builder makes, checked by the course format before it is saved.

The builder's readers refuse what they can explain in the trainer's words; the course format
(portal.courseformat) is the last word, the same rules an imported file meets. Its problems
name a path in the data ("target.filter.email"); here that path becomes the form field that
holds it ("filter-1-value"), so the message stands beside the field at fault, in the
trainer's language (`problem_text`). Fields are found by the problem's code and parameters,
never by its wording.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from portal.authoring.problems import problem_text
from portal.authoring.services import AuthoringError
from portal.courseformat import TAGS, FieldProblem, validate_check
from portal.courseformat.exercise import SetupRecord
from portal.courseformat.problems import field_problems
from portal.courseformat.solution import SolutionStep

Loc = tuple[str | int, ...]
CHECK_FIELDS = ("type", "hint", "description", "field", "value", "not_empty", "min", "measure")


def _row(values: Mapping[str, str], base: str, name: object) -> str | None:
    """The row under `base` whose field is `name` (filter-1 for email)."""
    for key, value in values.items():
        if key.startswith(f"{base}-") and key.endswith("-field") and value == name:
            row = key.removesuffix("-field")
            if row.count("-") == base.count("-") + 1:
                return row
    return None


def _rows_field(loc: Loc, base: str, values: Mapping[str, str], unknown: bool) -> str | None:
    if not loc:
        return None
    row = _row(values, base, loc[0])
    if row is None:
        return None
    rest = loc[1:]
    if rest and rest[0] == "filter":
        return _rows_field(rest[1:], f"{row}-filter", values, unknown) or f"{row}-entity"
    if rest and rest[0] == "entity":
        return f"{row}-entity"
    return f"{row}-field" if unknown else f"{row}-value"


def _target_field(loc: Loc, prefix: str, values: Mapping[str, str], unknown: bool) -> str:
    if loc and loc[0] == "entity":
        return f"{prefix}target_entity"
    if loc and loc[0] == "filter":
        found = _rows_field(loc[1:], f"{prefix}filter", values, unknown)
        return found or f"{prefix}target_entity"
    return f"{prefix}target_setup"


def _event_field(loc: Loc, prefix: str, values: Mapping[str, str], unknown: bool) -> str:
    if loc and loc[0] == "target":
        return _target_field(loc[1:], prefix, values, unknown)
    if loc and loc[0] == "data":
        return _rows_field(loc[1:], f"{prefix}data", values, unknown) or f"{prefix}event"
    return f"{prefix}event"


def check_field(problem: FieldProblem, values: Mapping[str, str]) -> str | None:
    """The check form's field that holds the data at `problem.loc`, when one does.

    "a lead has no field 'x'" comes at the record (or its filter): the field is the row
    (or the check's own field) that names x.
    """
    loc, unknown = problem.loc, problem.code == "unknown_field"
    if problem.code == "no_field":
        loc, unknown = (*loc, problem.params["name"]) if loc else ("field",), True
    head = loc[0] if loc else None
    if head in CHECK_FIELDS:
        return str(head)
    if head == "target":
        return _target_field(loc[1:], "", values, unknown)
    if head == "event" or head == "data":
        return _event_field(loc, "event-0-", values, unknown)
    if head == "events" and len(loc) > 1 and isinstance(loc[1], int):
        slots = sorted(
            int(key.split("-")[1])
            for key, value in values.items()
            if key.startswith("event-") and key.endswith("-event") and value
        )
        if loc[1] < len(slots):
            return _event_field(loc[2:], f"event-{slots[loc[1]]}-", values, unknown)
    return None


def _new(problems: list[FieldProblem], before: list[FieldProblem]) -> list[FieldProblem]:
    """Problems the item did not have as stored: one imported as it was (before the
    format knew better) can still be edited; an edit cannot add a problem."""
    known = {(p.loc, p.message) for p in before}
    return [p for p in problems if (p.loc, p.message) not in known]


def check_in_format(
    check: dict, setup: dict[str, str], values: Mapping[str, str], before: dict | None = None
) -> None:
    """Refuse a check the course format refuses, at the form field at fault."""
    _check, problems = validate_check(check, setup)
    if problems and before is not None:
        problems = _new(problems, validate_check(before, setup)[1])
    if problems:
        raise AuthoringError(problem_text(problems[0]), check_field(problems[0], values))


def _problems(model, data, setup: dict[str, str]) -> list[FieldProblem]:
    try:
        model.model_validate(data, context={"setup": setup})
    except ValidationError as error:
        return field_problems(error, TAGS)
    return []


def _setup_problems(record: dict, setup: dict[str, str]) -> list[FieldProblem]:
    return _problems(SetupRecord, record, setup)


def setup_field(problem: FieldProblem, names: list[str]) -> str | None:
    """The setup form's field for a record's problem: the row of the field it is about
    (its value, or its name when the record cannot have that field), else the kind.

    `names` are the rows' field names in form order; the problem names the field in its
    path ("fields", "email") or, for a field the record cannot set, in its parameters.
    """
    loc = problem.loc
    if loc and loc[0] == "entity":
        return "entity"
    if len(loc) > 1 and loc[0] == "fields" and loc[1] in names:
        return f"field-{names.index(loc[1])}-value"
    for i, name in enumerate(names):
        if name and problem.params.get("name") == name:
            return f"field-{i}-name"
    return None


def setup_record_in_format(
    record: dict, setup: dict[str, str], rows: list[tuple[str, ...]], before: dict | None
) -> None:
    """Refuse a setup record the course format refuses (`setup`: the other records), at the
    field of `rows` (the form's rows, name first) at fault."""
    problems = _setup_problems(record, setup)
    if problems and before is not None:
        problems = _new(problems, _setup_problems(before, setup))
    if problems:
        names = [row[0] if row else "" for row in rows]
        raise AuthoringError(problem_text(problems[0]), setup_field(problems[0], names))


def step_field(problem: FieldProblem) -> str:
    """The step form's field for a step's problem: an action's `do`, or the step's text."""
    loc = problem.loc
    if len(loc) > 1 and loc[0] == "actions" and isinstance(loc[1], int):
        return f"action-{loc[1]}-do"
    return "action-0-do" if loc and loc[0] == "do" else "text"


def step_in_format(step: object, setup: dict[str, str], before: object = None) -> None:
    """Refuse a solution step the course format refuses (a plain-text step always reads)."""
    if not isinstance(step, dict):
        return
    problems = _problems(SolutionStep, step, setup)
    if problems and isinstance(before, dict):
        problems = _new(problems, _problems(SolutionStep, before, setup))
    if problems:
        raise AuthoringError(problem_text(problems[0]), step_field(problems[0]))
