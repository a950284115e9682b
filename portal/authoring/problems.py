"""Publishing problems as the editor shows them: at the module or lesson, by its title.

Course files report a problem at its file and line (for `flask courses import` and zip
uploads); a trainer in the browser never saw those files, so the editor names the module
or lesson instead, links to it, and words the problems an editor can cause for people.
"""

from __future__ import annotations

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
OWN = {"no_lessons", "dry_run", "dry_run_warnings", "translation_differs"}

# Problems the course-file reader words for file authors, in people's words by their code;
# %(question)s is the text of the question the problem names, %(limit)s its length limit.
_MIXED_UP = _l("Two parts of this course got mixed up: remove the repeated one and add it again.")
_TRUE_FALSE = _l(
    "The true or false question “%(question)s” needs exactly the choices True and False."
)
WORDED = {
    "no_correct": _l("The question “%(question)s” has no correct choice: mark the right answer."),
    "two_choices": _l("The question “%(question)s” needs at least two choices."),
    "true_false_two": _TRUE_FALSE,
    "true_false_keys": _TRUE_FALSE,
    "many_correct": _l(
        "The question “%(question)s” takes one answer but has several marked correct."
    ),
    "question_kind": _l("A question has a type this editor does not know: choose its type again."),
    **dict.fromkeys(
        (
            "question_twice",
            "choice_twice",
            "module_twice",
            "lesson_twice",
            "key_not_file",
            "key_pattern",
        ),
        _MIXED_UP,
    ),
    "check_key_twice": _l("Two checks of this exercise are the same check: remove one of them."),
    "minutes": _l("The minutes it takes must be a whole number from 1 to 600."),
    "pass_mark": _l("The pass mark must be a percentage from 1 to 100."),
    "text_too_long": _l("A text here is too long: keep it to %(limit)s characters."),
    "reading_too_long": _l("A text here is too long: keep it to %(limit)s characters."),
    "step_text": _l("A field that must be filled in is empty."),
}
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
    if problem.code in WORDED:
        return str(WORDED[problem.code]) % {
            "question": _question_text(bundle, problem.lesson, problem.params.get("key")),
            "limit": problem.params.get("limit", ""),
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
    acknowledge: bool = False  # cleared by ticking the dry-run warnings' acknowledgement


def shown(slug: str, bundle: CourseBundle, problems: list[Problem]) -> list[ShownProblem]:
    """Each problem in people's words, at the module or lesson it is about."""
    modules = {module.key: module.title for module in bundle.modules}
    lessons = {lesson.key: lesson.title for lesson in bundle.lessons}
    result = []
    for problem in problems:
        message = worded(problem, bundle)
        if problem.lesson in lessons:
            url = url_for("authoring.lesson_edit", slug=slug, key=problem.lesson)
            acknowledge = problem.code == "dry_run_warnings"
            result.append(ShownProblem(message, lessons[problem.lesson], url, acknowledge))
        elif problem.module in modules:
            url = url_for("authoring.course_edit", slug=slug) + f"#module-{problem.module}"
            result.append(ShownProblem(message, modules[problem.module], url))
        else:
            result.append(ShownProblem(message))
    return result
