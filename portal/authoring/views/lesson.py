"""The lesson editor page, which the reading, quiz and exercise views all answer with."""

from __future__ import annotations

from flask import abort

from portal.authoring import services
from portal.authoring.exercise.context import SOLUTION_FORMS, VOCABULARY
from portal.authoring.forms import QuestionForm, QuizSettingsForm, ReadingForm
from portal.authoring.services import AuthoringError
from portal.learning.models import Course, LessonKind
from portal.rendering import render


def _settings_form(lesson):
    """The reading's or quiz's settings form, filled from the draft."""
    basics = {"title": lesson.title, "minutes": lesson.minutes, "required": lesson.required}
    if lesson.kind == LessonKind.READING:
        return ReadingForm(formdata=None, body=lesson.body, **basics)
    pass_mark = lesson.content.get("pass_mark", 70)
    return QuizSettingsForm(formdata=None, pass_mark=pass_mark, intro=lesson.body, **basics)


def lesson_page(
    course: Course, key: str, *, status: int = 200, fragment: str | None = None, **forms
):
    """The lesson's editor page (or its `fragment`), with `forms` in the context."""
    _draft, bundle = services.load(course)
    try:
        lesson = services.lesson_in(bundle, key)
    except AuthoringError:
        abort(404)
    if lesson.kind == LessonKind.EXERCISE:
        forms.update(vocabulary=VOCABULARY, solution_forms=SOLUTION_FORMS)
    else:
        forms.setdefault("form", _settings_form(lesson))
    if lesson.kind in (LessonKind.QUIZ, LessonKind.READING):
        forms.setdefault("question_form", QuestionForm(formdata=None))
    context = {"course": course, "bundle": bundle, "lesson": lesson, **forms}
    return render("authoring/lesson_edit.html", fragment, status=status, **context)
