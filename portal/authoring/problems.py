"""Publishing problems as the editor shows them: at the module or lesson, by its title.

Course files report a problem at its file and line (for `flask courses import` and zip
uploads); a trainer in the browser never saw those files, so the editor names the module
or lesson instead, links to it, and words the problems an editor can cause for people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.courseformat import CourseBundle, FieldProblem, Problem

MESSAGES = {
    "module_empty": _l("This module has no lessons yet: add one, or remove the module."),
    "reading_empty": _l("This reading has no text yet."),
    "quiz_empty": _l("This quiz has no questions yet."),
    "no_checks": _l("This exercise has no checks yet: add at least one."),
    "no_required_check": _l("Every check of this exercise is optional: make one required."),
    "missing:task": _l("This exercise has no task yet: say what the learner is to do."),
    "missing:title": _l("Give it a title."),
    "missing:prompt": _l("A question has no text yet."),
    "missing:hint": _l("A check has no hint for learners yet."),
    "missing:text": _l("A choice has no text yet."),
}
# Problems the editor itself words for people (publish refusals of its own).
OWN = {"no_lessons", "dry_run"}

# Problems the course-file reader words for file authors and marks with no code, matched by
# their wording. Each gives the people-worded message; %(question)s is the question's text.
WORDED = [
    (
        r"question '(?P<key>[^']*)' has no correct choice",
        _l("The question “%(question)s” has no correct choice: mark the right answer."),
    ),
    (
        r"question '(?P<key>[^']*)' needs at least two choices",
        _l("The question “%(question)s” needs at least two choices."),
    ),
    (
        r"true/false question '(?P<key>[^']*)' needs exactly two choices",
        _l("The true or false question “%(question)s” needs exactly the choices True and False."),
    ),
    (
        r"question '(?P<key>[^']*)' is \w+ but has \d+ correct choices",
        _l("The question “%(question)s” takes one answer but has several marked correct."),
    ),
    (
        r"question kind must be",
        _l("A question has a type this editor does not know: choose its type again."),
    ),
    (
        r"(question|choice|module) key .* is used twice|lesson '.*' is listed twice"
        r"|key must be|key '.*' must be",
        _l("Two parts of this course got mixed up: remove the repeated one and add it again."),
    ),
    (
        r"every check needs its own key",
        _l("Two checks of this exercise are the same check: remove one of them."),
    ),
    (r"'minutes' must be", _l("The minutes it takes must be a whole number from 1 to 600.")),
    (r"'pass_mark' must be", _l("The pass mark must be a percentage from 1 to 100.")),
    (
        r"is longer than (?P<limit>\d+) characters",
        _l("A text here is too long: keep it to %(limit)s characters."),
    ),
    (r"'[a-z_]+' is missing", _l("A field that must be filled in is empty.")),
]
UNKNOWN = _l("Something here cannot be published as it is: open it and check every field.")


def problem_text(problem: Problem | FieldProblem) -> str:
    """A course-format problem in the reader's language: its code's text (translated, with
    its parameters), after the place in the file it names; the English text when it has
    no code. `flask courses validate` prints `problem.message`, in English."""
    if not problem.template:
        return problem.message
    text = _(problem.template, **problem.params)
    at = getattr(problem, "at", "")
    return f"{at}: {text}" if at else text


def worded(problem: Problem, bundle: CourseBundle) -> str:
    """One problem in people's words, naming the question it is about by its text."""
    code = f"missing:{problem.params.get('name')}" if problem.code == "missing" else problem.code
    if code in MESSAGES:
        return str(MESSAGES[code])
    if code.startswith("missing:"):
        return _("A field that must be filled in is empty.")
    if problem.code in OWN:
        return problem.message
    for pattern, message in WORDED:
        found = re.search(pattern, problem.message)
        if found:
            fields = found.groupdict()
            return str(message) % {
                "question": _question_text(bundle, problem.lesson, fields.get("key")),
                "limit": fields.get("limit", ""),
            }
    return str(UNKNOWN)


def _question_text(bundle: CourseBundle, lesson_key: str | None, key: str | None) -> str:
    for lesson in bundle.lessons:
        if lesson.key == lesson_key:
            for question in lesson.questions:
                if question.key == key:
                    return question.prompt or ""
    return ""


@dataclass
class ShownProblem:
    message: str
    place: str = ""  # the module's or lesson's title; empty for the course as a whole
    url: str | None = None


def shown(slug: str, bundle: CourseBundle, problems: list[Problem]) -> list[ShownProblem]:
    """Each problem in people's words, at the module or lesson it is about."""
    modules = {module.key: module.title for module in bundle.modules}
    lessons = {lesson.key: lesson.title for lesson in bundle.lessons}
    result = []
    for problem in problems:
        message = worded(problem, bundle)
        if problem.lesson in lessons:
            url = url_for("authoring.lesson_edit", slug=slug, key=problem.lesson)
            result.append(ShownProblem(message, lessons[problem.lesson], url))
        elif problem.module in modules:
            url = url_for("authoring.course_edit", slug=slug) + f"#module-{problem.module}"
            result.append(ShownProblem(message, modules[problem.module], url))
        else:
            result.append(ShownProblem(message))
    return result
