"""Assignments, the progress report with CSV export, and reminders."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import bulkjobs, clock
from portal.accounts import queries as account_queries
from portal.arguments import arg_id
from portal.authoring import assignments, reminders
from portal.authoring.forms import AssignmentChangeForm, AssignmentForm, NudgeForm
from portal.authoring.models import Assignment
from portal.authoring.report import STALLED_AFTER, learner_count, progress_report, report_csv
from portal.authoring.views.base import bp, course_or_404
from portal.database import utcnow
from portal.domain import transaction
from portal.extensions import db
from portal.i18n import date_filter
from portal.learning.models import Course
from portal.mail import mail_configured
from portal.rendering import attachment, render, render_form
from portal.rollout import queries as rollout_queries
from portal.rollout.models import Wave


def _late_joiner_days() -> int:
    """The portal's default days for late joiners (LATE_JOINER_DAYS)."""
    return int(current_app.config["LATE_JOINER_DAYS"])


def _assignment_form() -> AssignmentForm:
    form = AssignmentForm(late_joiner_days=_late_joiner_days())
    form.departments.choices = [(d.id, d.name) for d in account_queries.departments()]
    form.wave.choices = [(0, _("None: set the due date here"))] + [
        (wave.id, f"{plan} · {wave.name} ({date_filter(wave.go_live_on, plain=True)})")
        for wave, plan in rollout_queries.all_waves()
    ]
    return form


@bp.route("/courses/<slug>/assignments", methods=["GET", "POST"])
def course_assignments(slug: str):
    course = course_or_404(slug)
    form = _assignment_form()
    if form.validate_on_submit():
        with transaction(form) as saved:
            added = _assign(course, form)
        if saved:
            flash(ngettext_assigned(added), "success")
            return redirect(url_for("authoring.course_assignments", slug=slug))
    return _assignments_page(course, form)


def _assign(course, form: AssignmentForm) -> int:
    """Assign the course as the form says; how many assignments were added."""
    assigning = assignments.Assigning(
        department_ids=form.departments.data or [],
        emails=(form.emails.data or "").replace(",", "\n").splitlines(),
        due_on=form.due_on.data,
        required=form.required.data,
        actor=current_user,
        late_joiner_days=form.late_joiner_days.data or _late_joiner_days(),
    )
    return assignments.assign(
        course,
        assigning,
        wave=db.session.get(Wave, form.wave.data) if form.wave.data else None,
        lead_days=form.lead_days.data or 0,
    )


def _assignments_page(course, form, changing=None, change_form=None):
    """The assignments page; after any post it comes back as 422 (a form holds errors)."""
    return render_form(
        "authoring/assignments.html",
        form,
        course=course,
        # The template draws the emails box by hand (it sits among the people pickers).
        emails_text=form.emails.data or "",
        emails_error=form.emails.errors[0] if form.emails.errors else None,
        assignments=assignments.assignments_of(course),
        changing=changing,
        change_form=change_form,
        today=clock.today(),
    )


def _assignment_of(course, assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.course_id != course.id:
        abort(404)
    return assignment


@bp.post("/courses/<slug>/assignments/<int:assignment_id>")
def assignment_change(slug: str, assignment_id: int):
    """A new due date, or required or optional, for one assignment."""
    course = course_or_404(slug)
    assignment = _assignment_of(course, assignment_id)
    change_form = AssignmentChangeForm()
    if change_form.validate_on_submit():
        with transaction(change_form) as saved:
            assignments.change_assignment(
                assignment,
                change_form.due_on.data,
                change_form.required.data,
                change_form.late_joiner_days.data,
            )
        if saved:
            flash(_("Assignment changed."), "success")
            return redirect(url_for("authoring.course_assignments", slug=slug))
    return _assignments_page(
        course, _assignment_form(), changing=assignment.id, change_form=change_form
    )


def ngettext_assigned(count: int) -> str:
    from flask_babel import ngettext

    return ngettext("%(num)d assignment added.", "%(num)d assignments added.", count)


@bp.post("/courses/<slug>/assignments/<int:assignment_id>/remove")
def assignment_remove(slug: str, assignment_id: int):
    course = course_or_404(slug)
    assignment = _assignment_of(course, assignment_id)
    db.session.delete(assignment)
    db.session.commit()
    flash(_("Assignment removed. Learners keep their progress."), "success")
    return redirect(url_for("authoring.course_assignments", slug=slug))


@bp.get("/courses/<slug>/progress")
def course_progress(slug: str):
    course = course_or_404(slug)
    department_id = arg_id("department")
    if request.args.get("format") == "csv":
        return _progress_csv(course, department_id)
    report = progress_report(course, department_id)
    today = clock.today()
    return render(
        "authoring/progress.html",
        course=course,
        report=report,
        today=today,
        now=utcnow(),
        departments=account_queries.departments(),
        department_id=department_id,
        nudges=reminders.recent_nudges(course),
        mail_ready=mail_configured(),
        stalled_days=STALLED_AFTER.days,
    )


def _progress_csv(course: Course, department_id: int | None):
    """The progress report's learners as CSV; with many learners, written by a job."""
    params = {"course": course.id, "department": department_id}
    filename = f"{course.slug}-progress.csv"
    rows = learner_count(course, department_id)
    if bulkjobs.is_large(rows):
        return bulkjobs.queue_export("course-progress", params, filename, rows)
    return attachment(progress_job(params), filename)


@bulkjobs.export_builder("course-progress")
def progress_job(params: dict[str, Any]) -> str:
    """A course's progress report as CSV (in a request, or written by a job)."""
    course = db.session.get(Course, params["course"])
    if course is None:
        raise LookupError("the course was deleted")
    return report_csv(progress_report(course, params["department"]), clock.today())


@bp.post("/courses/<slug>/nudge")
def course_nudge(slug: str):
    course = course_or_404(slug)
    reachable = {row.user.id: row.user for row in progress_report(course).rows}
    form = NudgeForm(reachable)
    if not form.validate():  # nobody ticked, or someone who is not a learner of the course
        flash(_("Choose learners of this course to remind."), "danger")
        return redirect(url_for("authoring.course_progress", slug=slug))
    chosen = [reachable[i] for i in dict.fromkeys(form.user.data)]
    url = url_for("learning.course", slug=course.slug, _external=True)
    nudges = reminders.nudge(course, chosen, current_user, url)
    db.session.commit()
    _flash_nudged(nudges)
    return redirect(url_for("authoring.course_progress", slug=slug))


def _flash_nudged(nudges) -> None:
    """Say the reminders are on their way (the list shows each one), or why they are not."""
    if any(n.status == "not_configured" for n in nudges):
        flash(
            _(
                "Reminders were recorded but not emailed: this portal has no mail server set up. "
                "Ask your administrator."
            ),
            "warning",
        )
    else:
        flash(
            _(
                "Reminders are on their way to %(count)d learners; the list below shows when "
                "each one is sent.",
                count=len(nudges),
            ),
            "success",
        )
