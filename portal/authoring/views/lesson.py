"""The lesson editor page, which the reading, quiz and exercise views all answer with."""

from __future__ import annotations

from flask import abort

from portal.authoring import services
from portal.authoring.exercise.context import SOLUTION_FORMS, VOCABULARY
from portal.authoring.forms import QuestionForm, QuizSettingsForm, ReadingForm
from portal.authoring.services import AuthoringError
from portal.learning.models import Course, LessonKind
from portal.rendering import render


def lesson_page(
    course: Course, key: str, *, status: int = 200, fragment: str | None = None, **forms
):
    """The lesson's editor page (or its `fragment`), with `forms` in the context."""
    draft, bundle = services.load(course)
    try:
        lesson = services.lesson_in(bundle, key)
    except AuthoringError:
        abort(404)
    if lesson.kind == LessonKind.READING:
        forms.setdefault(
            "form",
            ReadingForm(
                formdata=None,
                title=lesson.title,
                minutes=lesson.minutes,
                required=lesson.required,
                body=lesson.body,
            ),
        )
    elif lesson.kind == LessonKind.QUIZ:
        forms.setdefault(
            "form",
            QuizSettingsForm(
                formdata=None,
                title=lesson.title,
                minutes=lesson.minutes,
                required=lesson.required,
                pass_mark=lesson.content.get("pass_mark", 70),
                intro=lesson.body,
            ),
        )
        forms.setdefault("question_form", QuestionForm(formdata=None))
    else:
        forms["vocabulary"] = VOCABULARY
        forms["solution_forms"] = SOLUTION_FORMS
    return render(
        "authoring/lesson_edit.html",
        fragment,
        status=status,
        course=course,
        bundle=bundle,
        lesson=lesson,
        **forms,
    )
