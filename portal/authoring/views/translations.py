"""A course's translations: where each stands against its original, what changed in the
original since (lesson by lesson), and translating a lesson beside the original's text."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField

from portal.authoring import services
from portal.authoring.forms import LANGUAGE_CHOICES
from portal.authoring.services import AuthoringError
from portal.authoring.services import translations as translating
from portal.authoring.views.base import bp, course_or_404
from portal.domain import transaction
from portal.extensions import db
from portal.forms import PortalForm
from portal.learning.models import Course
from portal.learning.translations import translation_status, translations_of
from portal.rendering import render


class StartTranslationForm(PortalForm):
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


class TranslationForm(PortalForm):
    """Only the CSRF token: the lesson's text fields are read by path (text_fields)."""


def _page(course: Course, status: int = 200, form: StartTranslationForm | None = None):
    if course.translation_of_id is None:
        form = form or StartTranslationForm(formdata=None)
        form.language.choices = [c for c in LANGUAGE_CHOICES if c[0] != course.language]
        context = {"translations": translations_of(course), "translation": None, "start_form": form}
    else:
        context = {"translation": translation_status(course, with_changes=True)}
    draft = services.peek(course) if course.published or course.translation_of_id else None
    return render(
        "authoring/translations.html", status=status, course=course, bundle=draft, **context
    )


@bp.get("/courses/<slug>/translations")
def course_translations(slug: str):
    """An original's translations and their state, or a translation against its original."""
    return _page(course_or_404(slug))


@bp.post("/courses/<slug>/translations")
def translation_start(slug: str):
    original = course_or_404(slug)
    form = StartTranslationForm()
    form.language.choices = LANGUAGE_CHOICES
    if form.validate_on_submit():
        with transaction(form) as saved:
            course = translating.start_translation(original, form.language.data, current_user)
        if saved:
            flash(_("Translation started as a draft: translate each lesson, then publish."))
            return redirect(url_for("authoring.course_translations", slug=course.slug))
    return _page(original, status=422, form=form)


@bp.post("/courses/<slug>/translations/current")
def translation_current(slug: str):
    """The trainer has brought the translation up to date with its original."""
    course = course_or_404(slug)
    with transaction() as saved:
        translating.mark_current(course, current_user)
    saved.flash(_("The draft now translates the original as published; publish it."))
    return redirect(url_for("authoring.course_translations", slug=slug))


def _original_or_404(course: Course) -> Course:
    if course.translation_of_id is None:
        abort(404)
    return db.session.get(Course, course.translation_of_id)


def _translate(course: Course, theirs: list, mine: list, save, heading: str, done_url: str):
    """The side-by-side page for the fields `mine` beside the original's `theirs`; on a
    valid POST, `save(values)` stores them in the translation's draft."""
    original = _original_or_404(course)
    form = TranslationForm()
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        # A documented exception to "forms, not request.form": the boxes are one per text of
        # this lesson (its body, each question and choice), named by the original's keys;
        # translated_values() reads only those names and checks each one's length.
        posted, errors = translating.translated_values(mine, request.form)
        if not errors:
            with transaction(form) as saved:
                save(posted)
            if saved:
                flash(_("Translation saved to the draft."), "success")
                return redirect(done_url)
    originals = {item.path: item for item in theirs}
    rows = [
        (originals.get(item.path), item, posted.get(item.path, item.value), errors.get(item.path))
        for item in mine
    ]
    return render(
        "authoring/translate_lesson.html",
        status=422 if request.method == "POST" else 200,
        course=course,
        original=original,
        heading=heading,
        rows=rows,
        form=form,
    )


@bp.route("/courses/<slug>/translate/", methods=["GET", "POST"])
def translate_course(slug: str):
    """The course's title, summary, cover and module titles beside the original's."""
    course = course_or_404(slug)
    _original_or_404(course)
    source = translating.original_bundle(course)
    _draft, bundle = services.load(course)
    return _translate(
        course,
        translating.course_fields(source),
        translating.course_fields(bundle),
        lambda values: translating.save_course_text(course, values, current_user),
        source.title,
        url_for("authoring.translate_course", slug=slug),
    )


@bp.route("/courses/<slug>/translate/<key>", methods=["GET", "POST"])
def translate_lesson(slug: str, key: str):
    """The original's lesson (read only) beside the translation's text, field by field."""
    course = course_or_404(slug)
    _original_or_404(course)
    try:
        source = services.lesson_in(translating.original_bundle(course), key)
        _draft, bundle = services.load(course)
        lesson = services.lesson_in(bundle, key)
    except AuthoringError:
        abort(404)
    return _translate(
        course,
        translating.text_fields(source),
        translating.text_fields(lesson),
        lambda values: translating.save_lesson_text(course, key, values, current_user),
        source.title,
        url_for("authoring.translate_lesson", slug=slug, key=key),
    )
