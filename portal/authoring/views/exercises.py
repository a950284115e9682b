"""The exercise builder: task text, setup records, checks, solution steps and the dry run."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.arguments import parse_count
from portal.authoring import services
from portal.authoring.dry_run import dry_run
from portal.authoring.exercise import checks, scenario, setup_records, steps, task
from portal.authoring.exercise.actions import MAX_ACTIONS
from portal.authoring.exercise.context import SOLUTION_FORMS
from portal.authoring.exercise.forms import (
    BuilderForm,
    CheckForm,
    ExerciseTextForm,
    Fields,
    ScenarioForm,
    SetupForm,
    StepForm,
    StepMoveForm,
    errors,
    values,
)
from portal.authoring.exercise.step_form import step_from_form
from portal.authoring.services import AuthoringError
from portal.authoring.views.base import bp, course_or_404
from portal.authoring.views.lesson import lesson_page
from portal.domain import transaction
from portal.learning.models import Course, LessonKind
from portal.rendering import render


def _message(form: BuilderForm) -> str:
    """What went wrong, for the line above the forms: the form's own error, or a field's."""
    return next(iter([*form.form_errors, *errors(form).values()]), _("Check the form."))


def _exercise_error(course: Course, key: str, form: BuilderForm, section: str, failed=""):
    """The lesson page again (422), with the form as it was sent and each error at its field."""
    return lesson_page(
        course,
        key,
        status=422,
        exercise_error=_message(form),
        error_section=section,
        failed=failed,
        sent=form,
    )


def _back(slug: str, key: str, anchor: str):
    return redirect(url_for("authoring.lesson_edit", slug=slug, key=key) + anchor)


def _builder_edit(
    slug: str, key: str, form: BuilderForm, change, section: str, done: str = "", failed=""
):
    """Run `change(course)` from a valid `form` and go back to the lesson's `section`,
    saying `done`; refused, the lesson page again (422) with the form's errors."""
    course = course_or_404(slug)
    if form.validate_on_submit():
        with transaction(form) as saved:
            change(course)
        if saved:
            if done:
                flash(done, "success")
            return _back(slug, key, "" if section == "text" else f"#{section}")
    return _exercise_error(course, key, form, section, failed)


@bp.post("/courses/<slug>/lessons/<key>/exercise")
def exercise_save(slug: str, key: str):
    form = ExerciseTextForm()

    def save(course: Course) -> None:
        minutes = parse_count(form.minutes.data, 600) or 5
        required = form.required.data == "y"
        task.save_exercise_text(
            course, key, title=form.title.data, minutes=minutes, required=required,
            task=form.task.data, hints=form.hints.data, actor=current_user,
        )  # fmt: skip

    return _builder_edit(slug, key, form, save, "text", _("Saved to the draft."))


@bp.post("/courses/<slug>/lessons/<key>/setup")
def setup_save(slug: str, key: str):
    form = SetupForm()
    return _builder_edit(
        slug,
        key,
        form,
        lambda course: setup_records.save_setup_record(
            course,
            key,
            form.record_key.data or None,
            entity=form.entity.data,
            fields=form.rows(),
            actor=current_user,
        ),
        "setup",
        _("Setup record saved to the draft."),
        failed=form.record_key.data or "new",
    )


@bp.post("/courses/<slug>/lessons/<key>/scenario")
def scenario_save(slug: str, key: str):
    """The exercise's running clock and its scenario events."""
    form = ScenarioForm()

    def save(course: Course) -> None:
        scenario.save_scenario(
            course, key, rate=form.rate.data or "", business_hours=form.business_hours.data,
            rows=form.rows(), actor=current_user,
        )  # fmt: skip

    return _builder_edit(slug, key, form, save, "scenario", _("Saved to the draft."))


@bp.post("/courses/<slug>/lessons/<key>/setup/<record_key>/remove")
def setup_remove(slug: str, key: str, record_key: str):
    return _builder_edit(
        slug,
        key,
        BuilderForm(),
        lambda course: setup_records.remove_setup_record(course, key, record_key, current_user),
        "setup",
    )


@bp.post("/courses/<slug>/lessons/<key>/checks")
def check_save(slug: str, key: str):
    """Add a check, or replace the one named by `check_key`, from the check form."""
    form = CheckForm()
    check_key = form.check_key.data or None
    return _builder_edit(
        slug,
        key,
        form,
        lambda course: checks.save_check(course, key, check_key, values(form), current_user),
        "checks",
        _("Check saved to the draft."),
        failed=check_key or "new",
    )


@bp.post("/courses/<slug>/lessons/<key>/checks/<check_key>/remove")
def check_remove(slug: str, key: str, check_key: str):
    course = course_or_404(slug)
    with transaction():
        checks.remove_check(course, key, check_key, current_user)
    return _back(slug, key, "#checks")


# Solution steps: each edit answers htmx with the solution section, others with the page.


def _exercise_or_abort(course: Course, key: str):
    """The draft's exercise `key`: 404 when there is no such lesson, 400 when not an exercise.

    Only reads: a course nobody has edited yet is read from its published version.
    """
    bundle = services.peek(course)
    try:
        lesson = services.lesson_in(bundle, key)
    except AuthoringError:
        abort(404)
    if lesson.kind != LessonKind.EXERCISE:
        abort(400)
    return lesson


def _step_edit(slug: str, key: str, form: StepForm | StepMoveForm, change, done: str):
    """Run one change to the steps; refused, the section again (422) with the step's form."""
    course = course_or_404(slug)
    _exercise_or_abort(course, key)
    if form.validate_on_submit():
        with transaction(form) as saved:
            change(course, parse_count(form.index.data), form.fingerprint.data)
        if saved and request.htmx:
            return lesson_page(course, key, fragment=SOLUTION, solution_done=done)
        if saved:
            flash(done, "success")
            return _back(slug, key, "#solution")
    editing = isinstance(form, StepForm)  # a move or removal has no step form to reopen
    failed = (form.index.data or "new") if editing else ""
    return lesson_page(
        course, key, status=422, fragment=SOLUTION, solution_error=_message(form), failed=failed,
        sent=form,
    )  # fmt: skip


SOLUTION = "authoring/_solution.html"


@bp.post("/courses/<slug>/lessons/<key>/solution")
def solution_save(slug: str, key: str):
    """Add a step at the end, or replace the step at `index`, from the step form."""
    form = StepForm()

    def change(course: Course, index: int | None, expected: str) -> None:
        step = step_from_form(values(form))
        steps.save_step(course, key, index, expected, step, current_user)

    return _step_edit(slug, key, form, change, _("Step saved to the draft."))


@bp.post("/courses/<slug>/lessons/<key>/solution/move")
def solution_move(slug: str, key: str):
    form = StepMoveForm()
    offset = -1 if form.direction.data == "up" else 1
    return _step_edit(
        slug,
        key,
        form,
        lambda course, index, expected: steps.move_step(
            course, key, index, expected, offset, current_user
        ),
        _("Step moved."),
    )


@bp.post("/courses/<slug>/lessons/<key>/solution/remove")
def solution_remove(slug: str, key: str):
    return _step_edit(
        slug,
        key,
        StepMoveForm(),
        lambda course, index, expected: steps.remove_step(
            course, key, index, expected, current_user
        ),
        _("Step removed from the draft."),
    )


@bp.get("/courses/<slug>/lessons/<key>/solution/action")
def solution_action(slug: str, key: str):
    """One action's fields for a step form, when the trainer picks another action (htmx).

    A GET: the step form's fields come as query arguments (read by StepForm), with the
    action's `slot`, the step's `index` and whether the slot is the `last` one.
    """
    course = course_or_404(slug)
    lesson = _exercise_or_abort(course, key)
    slot = parse_count(request.args.get("slot", "0"), MAX_ACTIONS - 1) or 0
    solution = lesson.content.get("solution", [])
    position = parse_count(request.args.get("index", ""), len(solution) - 1)
    position = len(solution) if position is None else position
    sent = Fields(StepForm(request.args, meta={"csrf": False}))
    last = request.args.get("last") == "1"
    more = last and bool(sent[f"action-{slot}-do"].data) and slot + 1 < MAX_ACTIONS
    return render(
        "authoring/_step_action.html", course=course, lesson=lesson, f=sent, slot=slot,
        solution_forms=SOLUTION_FORMS, index=str(position) if position < len(solution) else "",
        last=last and not more, more=more, names=steps.names_before(solution, position),
    )  # fmt: skip


@bp.post("/courses/<slug>/lessons/<key>/dry-run")
def exercise_dry_run(slug: str, key: str):
    """Try the setup and reference solution in a throw-away sandbox; show every check."""
    course = course_or_404(slug)
    report = dry_run(_exercise_or_abort(course, key), current_user)
    return lesson_page(course, key, fragment="authoring/_dry_run.html", report=report)
