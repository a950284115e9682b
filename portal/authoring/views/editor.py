"""Course, module, lesson and quiz editing; preview; publishing and history."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.authoring import problems, services
from portal.authoring.forms import (
    CourseForm,
    NewLessonForm,
    QuestionForm,
    QuizSettingsForm,
    ReadingForm,
    StructureForm,
    TitleForm,
)
from portal.authoring.models import Assignment, CourseVersion
from portal.authoring.services import AuthoringError
from portal.authoring.views.base import bp, course_or_404
from portal.authoring.views.lesson import lesson_page
from portal.courseformat import FormatError
from portal.domain import transaction
from portal.extensions import db
from portal.forms import first_error
from portal.learning.models import Course, LessonKind
from portal.learning.translations import stale_translations
from portal.markdown import render_markdown
from portal.rendering import render, render_form


@bp.get("/")
def home():
    """Every course with its draft and publish state."""
    courses = db.session.scalars(select(Course).order_by(func.lower(Course.title))).all()
    pending = services.courses_with_pending_drafts(courses)
    stale = stale_translations(courses)
    assigned = dict(
        db.session.execute(
            select(Assignment.course_id, func.count(Assignment.id)).group_by(Assignment.course_id)
        ).all()
    )
    rows = []
    for course in courses:
        rows.append(
            {
                "course": course,
                "pending": course.id in pending,
                "stale": course.id in stale,
                "assignments": assigned.get(course.id, 0),
            }
        )
    return render("authoring/home.html", rows=rows)


@bp.route("/courses/new", methods=["GET", "POST"])
def course_create():
    form = CourseForm()
    if form.validate_on_submit():
        with transaction(form) as saved:
            course = services.create_course(
                form.title.data, form.summary.data or "", form.language.data, current_user
            )
        if saved:
            flash(_("Course created as a draft. Add lessons, then publish."), "success")
            return redirect(url_for("authoring.course_edit", slug=course.slug))
    return render_form("authoring/course_new.html", form)


def _editor_context(course: Course, **extra) -> dict:
    draft, bundle = services.load(course)
    found = extra.pop("refused", None) or services.draft_problems(bundle)
    details = extra.pop("details_form", None) or CourseForm(
        formdata=None,
        title=bundle.title,
        summary=bundle.summary,
        language=bundle.language,
        cover=bundle.cover,
    )
    return {
        "course": course,
        "draft": draft,
        "bundle": bundle,
        "details_form": details,
        "lesson_form": NewLessonForm(formdata=None),
        "module_form": TitleForm(formdata=None),
        "problems": problems.shown(course.slug, bundle, found),
        "pending": services.has_unpublished_changes(course, bundle),
        **extra,
    }


@bp.get("/courses/<slug>/")
def course_edit(slug: str):
    course = course_or_404(slug)
    context = _editor_context(course)
    db.session.commit()  # a draft may have just been started from the published version
    return render("authoring/course_edit.html", **context)


@bp.post("/courses/<slug>/details")
def course_details(slug: str):
    course = course_or_404(slug)
    form = CourseForm()
    if form.validate_on_submit():
        with transaction(form) as saved:
            services.update_details(
                course,
                form.title.data,
                form.summary.data or "",
                form.language.data,
                current_user,
                cover=form.cover.data or "",
            )
        if saved:
            flash(_("Details saved to the draft."), "success")
            return redirect(url_for("authoring.course_edit", slug=slug))
    return render(
        "authoring/course_edit.html", status=422, **_editor_context(course, details_form=form)
    )


def _structure_response(course: Course, error: str | None = None):
    """After a structure edit: the structure fragment for htmx, else back to the editor."""
    if request.htmx:
        return render(
            "authoring/course_edit.html",
            "authoring/_structure.html",
            status=422 if error else 200,
            **_editor_context(course, error=error),
        )
    if error:
        flash(error, "danger")
    return redirect(url_for("authoring.course_edit", slug=course.slug))


def _structure_edit(slug: str, change) -> object:
    """Run `change(course, form)` on the draft's structure once the StructureForm is valid."""
    course = course_or_404(slug)
    form = StructureForm()
    if not form.validate():
        return _structure_response(course, first_error(form))
    with transaction() as saved:
        change(course, form)
    return _structure_response(course, saved.aside_message)


@bp.post("/courses/<slug>/modules")
def module_add(slug: str):
    return _structure_edit(slug, lambda c, f: services.add_module(c, f.title.data, current_user))


@bp.post("/courses/<slug>/modules/<key>/rename")
def module_rename(slug: str, key: str):
    return _structure_edit(
        slug, lambda c, f: services.rename_module(c, key, f.title.data, current_user)
    )


@bp.post("/courses/<slug>/modules/<key>/move")
def module_move(slug: str, key: str):
    return _structure_edit(slug, lambda c, f: services.move_module(c, key, f.offset, current_user))


@bp.post("/courses/<slug>/modules/<key>/remove")
def module_remove(slug: str, key: str):
    return _structure_edit(slug, lambda c, _f: services.remove_module(c, key, current_user))


@bp.post("/courses/<slug>/modules/<key>/lessons")
def lesson_add(slug: str, key: str):
    return _structure_edit(
        slug,
        lambda c, f: services.add_lesson(c, key, f.kind.data, f.title.data, current_user),
    )


@bp.post("/courses/<slug>/lessons/<key>/move")
def lesson_move(slug: str, key: str):
    return _structure_edit(slug, lambda c, f: services.move_lesson(c, key, f.offset, current_user))


@bp.post("/courses/<slug>/lessons/<key>/remove")
def lesson_remove(slug: str, key: str):
    return _structure_edit(slug, lambda c, _f: services.remove_lesson(c, key, current_user))


# One lesson


@bp.get("/courses/<slug>/lessons/<key>")
def lesson_edit(slug: str, key: str):
    course = course_or_404(slug)
    response = lesson_page(course, key)
    db.session.commit()
    return response


@bp.post("/courses/<slug>/lessons/<key>")
def lesson_save(slug: str, key: str):
    course = course_or_404(slug)
    _draft, bundle = services.load(course)
    try:
        lesson = services.lesson_in(bundle, key)
    except AuthoringError:
        abort(404)
    if lesson.kind not in (LessonKind.READING, LessonKind.QUIZ):
        abort(400)
    form = ReadingForm() if lesson.kind == LessonKind.READING else QuizSettingsForm()
    if form.validate_on_submit():
        with transaction(form) as saved:
            _save_lesson_settings(course, key, lesson.kind, form)
        if saved:
            flash(_("Saved to the draft."), "success")
            return redirect(url_for("authoring.lesson_edit", slug=slug, key=key))
    return lesson_page(course, key, status=422, form=form)


def _save_lesson_settings(course: Course, key: str, kind: str, form) -> None:
    """Write a reading's or a quiz's settings form to the draft."""
    common = {
        "title": form.title.data,
        "minutes": form.minutes.data,
        "required": form.required.data,
        "actor": current_user,
    }
    if kind == LessonKind.READING:
        services.update_reading(course, key, body=form.body.data, **common)
    else:
        services.update_quiz(
            course, key, pass_mark=form.pass_mark.data, intro=form.intro.data or "", **common
        )


@bp.post("/courses/<slug>/lessons/<key>/questions")
def question_save(slug: str, key: str):
    """Add a question, or replace the one named by `question_key`.

    Over 20 lines: the service and the page take their arguments by name, one a line.
    """
    course = course_or_404(slug)
    form = QuestionForm()
    question_key = form.question_key.data or None
    choices = form.submitted_choices()
    choices_error = None
    if form.validate_on_submit():
        # A refusal of the choices as a whole stands above their rows, not on one row.
        with transaction(form, aside={"choices"}) as saved:
            services.save_question(
                course,
                key,
                question_key,
                kind=form.kind.data,
                prompt=form.prompt.data,
                explanation=form.explanation.data or "",
                choices=choices,
                actor=current_user,
            )
        if saved:
            flash(_("Question saved to the draft."), "success")
            return redirect(url_for("authoring.lesson_edit", slug=slug, key=key) + "#questions")
        choices_error = saved.aside_message
    return lesson_page(
        course,
        key,
        status=422,
        failed_form=form,
        choices=choices,
        choices_error=choices_error,
        editing=question_key or "new",
    )


@bp.post("/courses/<slug>/lessons/<key>/questions/<question_key>/remove")
def question_remove(slug: str, key: str, question_key: str):
    course = course_or_404(slug)
    with transaction() as saved:
        services.remove_question(course, key, question_key, current_user)
    saved.flash(_("Question removed from the draft."))
    return redirect(url_for("authoring.lesson_edit", slug=slug, key=key) + "#questions")


@bp.post("/preview")
def preview():
    """Markdown rendered exactly as learners will see it (htmx live preview)."""
    # A documented exception to "forms, not request.form": the preview only renders what was
    # typed (in whichever editor box sent it) and saves nothing, so there is nothing to validate.
    text = (
        request.form.get("body") or request.form.get("task") or request.form.get("cover") or ""
    )[:50000]
    return render("authoring/_preview.html", html=render_markdown(text))


# Publishing


@bp.post("/courses/<slug>/publish")
def course_publish(slug: str):
    course = course_or_404(slug)
    try:
        with transaction():
            # A documented exception to "forms, not request.form": one optional checkbox on
            # the publish button's form (CSRF is checked for every POST); absent means no.
            acknowledged = request.form.get("acknowledge_warnings") == "1"
            result = services.publish(course, current_user, acknowledged)
    except FormatError as error:  # rolled back; the editor lists what blocks publishing
        context = _editor_context(course, refused=error.problems)
        return render("authoring/course_edit.html", status=422, **context)
    if result.outcome == "unchanged":
        flash(_("Nothing has changed since the last publish."), "info")
    else:
        flash(
            _("Version %(number)d is published: learners see it now.", number=result.version),
            "success",
        )
    return redirect(url_for("authoring.course_edit", slug=slug))


def _course_change(slug: str, change, done: str):
    """Apply `change` to the course, say `done` (or what refused it), back to the editor."""
    course = course_or_404(slug)
    with transaction() as saved:
        change(course)
    saved.flash(done)
    return redirect(url_for("authoring.course_edit", slug=slug))


@bp.post("/courses/<slug>/withdraw")
def course_withdraw(slug: str):
    return _course_change(
        slug,
        services.withdraw,
        _(
            "Withdrawn: learners no longer see the course. Their progress and certificates are "
            "kept; publish it again to bring it back."
        ),
    )


@bp.post("/courses/<slug>/delete")
def course_delete(slug: str):
    course = course_or_404(slug)
    title = course.title
    with transaction() as saved:
        services.delete_course(course)
    saved.flash(_("%(title)s is deleted.", title=title))
    if not saved:
        return redirect(url_for("authoring.course_edit", slug=slug))
    return redirect(url_for("authoring.home"))


@bp.post("/courses/<slug>/discard")
def course_discard(slug: str):
    return _course_change(slug, services.discard_draft, _("Draft changes discarded."))


@bp.get("/courses/<slug>/history")
def course_history(slug: str):
    course = course_or_404(slug)
    versions = db.session.scalars(
        select(CourseVersion)
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.number.desc())
    ).all()
    return render("authoring/history.html", course=course, versions=versions)
