"""The course and exercise format, in one place and with no Flask in it.

Course files (course.yaml, lesson Markdown, quiz and exercise YAML; courses/README.md
describes them) are read into typed models, validated, and written back. The importer,
the exporter, the exercise builder's forms, the dry run, `flask courses validate` and
the sandbox's check runner all use these models, so a rule lives here once. The codes
(statuses, stages, triggers, entities and their fields, event verbs) come from
`sandbox.codes`, where the sandbox defines them.

Why pydantic (v2): a discriminated union on `type` gives one class per check type with
its own fields, and unknown types or fields are errors for free; every error comes with
a `loc` path that `files.line_at` turns into file:line through the line-keeping YAML
loader (or that a form turns into the field at fault); models serialise back with
`model_dump` for the exporter; and the SCIM work planned next (scim2-models) is pydantic
too, so one modelling library serves both.

Usage, for one check or one exercise as plain data (what a form builds):

    from portal.courseformat import validate_check, validate_exercise

    check, problems = validate_check(data, setup={"ticket": "ticket"})
    exercise, problems = validate_exercise({"setup": [...], "checks": [...]})
    for problem in problems:
        problem.loc      # ("target", "setup") or ("checks", 0, "field")
        problem.field    # "target.setup", "checks[0].field"
        problem.message  # "no setup record 'tiket'"

The object is None when there are problems; otherwise `check.dump()` / `exercise.dump()`
give the plain data to store. `setup` maps the exercise's setup keys to their entities
(pass None to skip checking links to setup records). Files: `read_course(files)` in
`portal.courseformat.course` reads a whole course, raising FormatError whose problems
carry file and line.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from portal.courseformat.checks import CHECK, CHECK_TYPES, VALUE_TAGS, Check
from portal.courseformat.course import LessonKind, QuestionKind
from portal.courseformat.exercise import Exercise, setup_context
from portal.courseformat.problems import FieldProblem, FormatError, Problem, field_problems

__all__ = [
    "CHECK_TYPES",
    "Check",
    "Exercise",
    "FieldProblem",
    "FormatError",
    "LessonKind",
    "Problem",
    "QuestionKind",
    "validate_check",
    "validate_exercise",
]
TAGS = {*CHECK_TYPES, *VALUE_TAGS}


def validate_check(
    data: Any, setup: dict[str, str] | None = None
) -> tuple[Check | None, list[FieldProblem]]:
    """One check from plain data, or the problems with it (paths relative to the check)."""
    context = {"setup": setup} if setup is not None else None
    try:
        return CHECK.validate_python(data, context=context), []
    except ValidationError as error:
        return None, field_problems(error, TAGS)


def validate_exercise(data: Any) -> tuple[Exercise | None, list[FieldProblem]]:
    """An exercise's content (setup, checks, hints, solution) from plain data, or its
    problems (paths relative to the content)."""
    try:
        return Exercise.model_validate(data, context=setup_context(data)), []
    except ValidationError as error:
        return None, field_problems(error, TAGS)


def parse_checks(checks: list[dict[str, Any]]) -> list[Check]:
    """Stored checks as typed objects (they were validated when the course was read)."""
    return [CHECK.validate_python(check) for check in checks]
