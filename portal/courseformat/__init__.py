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
(pass None to skip checking links to setup records). Files: `read_course(files)` reads a
whole course into a CourseBundle, raising FormatError whose problems carry file and line;
`bundle_to_files(bundle)` writes it back.
"""

from __future__ import annotations

from portal.courseformat.checks import CHECK_TAGS, CHECK_TYPES, Check, parse_checks, validate_check
from portal.courseformat.course import (
    LANGUAGES,
    CourseBundle,
    LessonData,
    LessonKind,
    ModuleData,
    Question,
    QuestionKind,
    bundle_from_dict,
    bundle_to_dict,
    stored_question,
)
from portal.courseformat.exercise import Exercise, validate_exercise
from portal.courseformat.files import read_folder, write_folder
from portal.courseformat.problems import FieldProblem, FormatError, Problem
from portal.courseformat.reader import read_course
from portal.courseformat.solution import STEP_TAGS, SolutionStep
from portal.courseformat.values import KEY, SLUG
from portal.courseformat.writer import bundle_to_files

TAGS = CHECK_TAGS | STEP_TAGS  # union tags in pydantic's error paths, not fields
__all__ = [
    "CHECK_TYPES",
    "KEY",
    "LANGUAGES",
    "SLUG",
    "TAGS",
    "Check",
    "CourseBundle",
    "Exercise",
    "FieldProblem",
    "FormatError",
    "LessonData",
    "LessonKind",
    "ModuleData",
    "Problem",
    "Question",
    "QuestionKind",
    "SolutionStep",
    "bundle_from_dict",
    "bundle_to_dict",
    "bundle_to_files",
    "parse_checks",
    "read_course",
    "read_folder",
    "stored_question",
    "validate_check",
    "validate_exercise",
    "write_folder",
]
