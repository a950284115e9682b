"""The exercise builder: task text, setup records, checks, solution steps and the dry run."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.arguments import parse_count
from portal.authoring import services
from portal.authoring.dry_run import dry_run
from portal.authoring.exercise import checks, setup_records, steps, task
from portal.authoring.exercise.actions import MAX_ACTIONS
from portal.authoring.exercise.context import SOLUTION_FORMS
from portal.authoring.exercise.step_form import step_from_form
from portal.authoring.services import AuthoringError
from portal.authoring.views import bp, course_or_404
from portal.authoring.views.lesson import lesson_page
from portal.extensions import db
from portal.learning.models import Course
from portal.rendering import render


def _exercise_error(course: Course, key: str, error: AuthoringError, section: str, failed=""):
    """The lesson page again, with the error at its field and the form as it was sent."""
    db.session.rollback()
    return lesson_page(
        course,
        key,
        status=422,
        exercise_error=error.message,
        error_section=section,
        error_field=error.field,
        failed=failed,
        submitted=request.form,
    )


def _back(slug: str, key: str, anchor: str):
    return redirect(url_for("authoring.lesson_edit", slug=slug, key=key) + anchor)


@bp.post("/courses/<slug>/lessons/<key>/exercise")
def exercise_save(slug: str, key: str):
    course = course_or_404(slug)
    minutes = request.form.get("minutes", "5")
    try:
        task.save_exercise_text(
            course,
            key,
            title=request.form.get("title", ""),
            minutes=parse_count(minutes, 600) or 5,
            required=request.form.get("required") == "y",
            task=request.form.get("task", ""),
            hints=request.form.get("hints", ""),
            actor=current_user,
        )
    except AuthoringError as error:
        return _exercise_error(course, key, error, "text")
    db.session.commit()
    flash(_("Saved to the draft."), "success")
    return _back(slug, key, "")


def _rows(prefix: str, *names: str) -> list[tuple[str, ...]]:
    rows = []
    for index in range(30):
        if f"{prefix}-{index}-{names[0]}" not in request.form:
            continue
        rows.append(tuple(request.form.get(f"{prefix}-{index}-{n}", "")[:2000] for n in names))
    return rows


@bp.post("/courses/<slug>/lessons/<key>/setup")
def setup_save(slug: str, key: str):
    course = course_or_404(slug)
    try:
        setup_records.save_setup_record(
            course,
            key,
            request.form.get("record_key") or None,
            entity=request.form.get("entity", ""),
            fields=_rows("field", "name", "value", "amount", "unit", "direction"),
            actor=current_user,
        )
    except AuthoringError as error:
        return _exercise_error(course, key, error, "setup")
    db.session.commit()
    flash(_("Setup record saved to the draft."), "success")
    return _back(slug, key, "#setup")


@bp.post("/courses/<slug>/lessons/<key>/setup/<record_key>/remove")
def setup_remove(slug: str, key: str, record_key: str):
    course = course_or_404(slug)
    try:
        setup_records.remove_setup_record(course, key, record_key, current_user)
    except AuthoringError as error:
        return _exercise_error(course, key, error, "setup")
    db.session.commit()
    return _back(slug, key, "#setup")


@bp.post("/courses/<slug>/lessons/<key>/checks")
def check_save(slug: str, key: str):
    """Add a check, or replace the one named by `check_key`, from the check form."""
    course = course_or_404(slug)
    check_key = request.form.get("check_key") or None
    values = {name: value[:20000] for name, value in request.form.items()}
    try:
        checks.save_check(course, key, check_key, values, current_user)
    except AuthoringError as error:
        return _exercise_error(course, key, error, "checks", failed=check_key or "new")
    db.session.commit()
    flash(_("Check saved to the draft."), "success")
    return _back(slug, key, "#checks")


@bp.post("/courses/<slug>/lessons/<key>/checks/<check_key>/remove")
def check_remove(slug: str, key: str, check_key: str):
    course = course_or_404(slug)
    checks.remove_check(course, key, check_key, current_user)
    db.session.commit()
    return _back(slug, key, "#checks")


# Solution steps: each edit answers htmx with the solution section, others with the page.


def _step_index() -> int | None:
    index = request.form.get("index", "")
    return parse_count(index)


def _exercise_or_abort(course: Course, key: str):
    """The draft's exercise `key`: 404 when there is no such lesson, 400 when not an exercise.

    Only reads: a course nobody has edited yet is read from its published version.
    """
    bundle = services.peek(course)
    try:
        lesson = services.lesson_in(bundle, key)
    except AuthoringError:
        abort(404)
    if lesson.kind != "exercise":
        abort(400)
    return lesson


def _step_edit(slug: str, key: str, change, done: str):
    course = course_or_404(slug)
    _exercise_or_abort(course, key)
    try:
        change(course)
    except AuthoringError as error:
        db.session.rollback()
        return lesson_page(
            course,
            key,
            status=422,
            fragment="authoring/_solution.html",
            solution_error=error.message,
            error_field=error.field,
            failed=request.form.get("index") or "new",
            submitted=request.form,
        )
    db.session.commit()
    if request.htmx:
        return lesson_page(course, key, fragment="authoring/_solution.html", solution_done=done)
    flash(done, "success")
    return _back(slug, key, "#solution")


@bp.post("/courses/<slug>/lessons/<key>/solution")
def solution_save(slug: str, key: str):
    """Add a step at the end, or replace the step at `index`, from the step form."""
    values = {name: value[:20000] for name, value in request.form.items()}
    index, expected = _step_index(), request.form.get("fingerprint", "")

    def change(course: Course) -> None:
        step = step_from_form(values)
        steps.save_step(course, key, index, expected, step, current_user)

    return _step_edit(slug, key, change, _("Step saved to the draft."))


@bp.post("/courses/<slug>/lessons/<key>/solution/move")
def solution_move(slug: str, key: str):
    index, expected = _step_index(), request.form.get("fingerprint", "")
    offset = -1 if request.form.get("direction") == "up" else 1
    return _step_edit(
        slug,
        key,
        lambda course: steps.move_step(course, key, index, expected, offset, current_user),
        _("Step moved."),
    )


@bp.post("/courses/<slug>/lessons/<key>/solution/remove")
def solution_remove(slug: str, key: str):
    index, expected = _step_index(), request.form.get("fingerprint", "")
    return _step_edit(
        slug,
        key,
        lambda course: steps.remove_step(course, key, index, expected, current_user),
        _("Step removed from the draft."),
    )


@bp.get("/courses/<slug>/lessons/<key>/solution/action")
def solution_action(slug: str, key: str):
    """One action's fields for a step form, when the trainer picks another action (htmx)."""
    course = course_or_404(slug)
    lesson = _exercise_or_abort(course, key)
    slot = request.args.get("slot", "0")
    slot = parse_count(slot, MAX_ACTIONS - 1) or 0
    index = request.args.get("index", "")
    solution = lesson.content.get("solution", [])
    position = parse_count(index, len(solution) - 1)
    position = len(solution) if position is None else position
    chosen = request.args.get(f"action-{slot}-do", "")
    more = request.args.get("last") == "1" and bool(chosen) and slot + 1 < MAX_ACTIONS
    return render(
        "authoring/_step_action.html",
        course=course,
        lesson=lesson,
        solution_forms=SOLUTION_FORMS,
        values=request.args,
        slot=slot,
        index=str(position) if position < len(solution) else "",
        last=request.args.get("last") == "1" and not more,
        more=more,
        names=steps.names_before(solution, position),
        err={},
    )


@bp.post("/courses/<slug>/lessons/<key>/dry-run")
def exercise_dry_run(slug: str, key: str):
    """Try the setup and reference solution in a throw-away sandbox; show every check."""
    course = course_or_404(slug)
    report = dry_run(_exercise_or_abort(course, key), current_user)
    return lesson_page(course, key, fragment="authoring/_dry_run.html", report=report)
