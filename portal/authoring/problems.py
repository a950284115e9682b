"""Publishing problems as the editor shows them: at the module or lesson, by its title.

Course files report a problem at its file and line (for `flask courses import` and zip
uploads); a trainer in the browser never saw those files, so the editor names the module
or lesson instead, links to it, and words the problems an editor can cause for people.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from portal.learning.bundle import CourseBundle, Problem

MESSAGES = {
    "module_empty": _l("This module has no lessons yet: add one, or remove the module."),
    "reading_empty": _l("This reading has no text yet."),
    "quiz_empty": _l("This quiz has no questions yet."),
    "no_checks": _l("This exercise has no checks yet: add at least one."),
    "missing:task": _l("This exercise has no task yet: say what the learner is to do."),
    "missing:title": _l("Give it a title."),
    "missing:prompt": _l("A question has no text yet."),
    "missing:hint": _l("A check has no hint for learners yet."),
}


@dataclass
class ShownProblem:
    message: str
    place: str = ""  # the module's or lesson's title; empty for the course as a whole
    url: str | None = None


def shown(slug: str, bundle: CourseBundle, problems: list[Problem]) -> list[ShownProblem]:
    """Each problem in people's words, at the module or lesson it is about."""
    modules = {module["key"]: module["title"] for module in bundle.modules}
    lessons = {lesson.key: lesson.title for lesson in bundle.lessons}
    result = []
    for problem in problems:
        message = str(MESSAGES.get(problem.code, problem.message))
        if problem.lesson in lessons:
            url = url_for("authoring.lesson_edit", slug=slug, key=problem.lesson)
            result.append(ShownProblem(message, lessons[problem.lesson], url))
        elif problem.module in modules:
            url = url_for("authoring.course_edit", slug=slug) + f"#module-{problem.module}"
            result.append(ShownProblem(message, modules[problem.module], url))
        else:
            result.append(ShownProblem(message))
    return result
