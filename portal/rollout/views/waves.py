"""Waves: create, edit (moving go-live moves tied due dates), their gate and sign-off."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import clock
from portal.authoring.models import Assignment
from portal.database import utcnow
from portal.domain import transaction
from portal.extensions import db
from portal.forms import form_data
from portal.rendering import render
from portal.rollout import queries, services
from portal.rollout.forms import CriterionForm, SignOffForm, TieCourseForm, WaveForm
from portal.rollout.gates import evaluate_gate
from portal.rollout.models import Wave
from portal.rollout.services import WaveData
from portal.rollout.views.base import (
    bp,
    criterion_or_404,
    deleted,
    executives_only,
    form_on_page,
    form_page,
    plan_or_404,
    removed,
    wave_or_404,
)


def _wave_form(wave: Wave | None = None) -> WaveForm:
    form = (
        WaveForm(obj=wave, department_ids=[d.id for d in wave.departments]) if wave else WaveForm()
    )
    form.department_ids.choices = [(d.id, d.name) for d in queries.departments()]
    return form


def _wave_form_page(form: WaveForm, plan, wave: Wave | None = None):
    def save():
        if wave is None:
            added = services.create_wave(plan, form_data(WaveData, form))
            return added, _("Wave added. Set its gate criteria and tie its courses.")
        moved = services.update_wave(wave, form_data(WaveData, form), current_user)
        return wave, ngettext(
            "Wave saved; %(num)d tied assignment is due on the new date.",
            "Wave saved; %(num)d tied assignments follow its dates.",
            moved,
        )

    return form_page(
        form,
        "rollout/wave_form.html",
        save,
        lambda saved: url_for("rollout.wave_view", wave_id=saved.id),
        plan=plan,
        wave=wave,
    )


@bp.route("/plans/<int:plan_id>/waves/new", methods=["GET", "POST"])
def wave_new(plan_id: int):
    """Add a wave of departments to the plan."""
    return _wave_form_page(_wave_form(), plan_or_404(plan_id))


@bp.route("/waves/<int:wave_id>/edit", methods=["GET", "POST"])
def wave_edit(wave_id: int):
    """Change a wave; its tied due dates follow its go-live date."""
    wave = wave_or_404(wave_id)
    return _wave_form_page(_wave_form(wave), plan_or_404(wave.plan_id), wave)


@bp.post("/waves/<int:wave_id>/delete")
def wave_delete(wave_id: int):
    """Delete an unsigned wave; its courses stay assigned."""
    wave = wave_or_404(wave_id)
    return deleted(
        lambda: services.delete_wave(wave),
        _("Wave deleted; its courses stay assigned."),
        url_for("rollout.plan_view", plan_id=wave.plan_id, _anchor="waves"),
        url_for("rollout.wave_view", wave_id=wave_id),
    )


def _wave_page(
    wave: Wave,
    *,
    status: int = 200,
    criterion_form=None,
    tie_form=None,
    signoff_form=None,
    fragment: str | None = None,
):
    plan = plan_or_404(wave.plan_id)
    now = utcnow()
    tie_form = tie_form or TieCourseForm(formdata=None, lead_days=wave.lead_days)
    tie_form.course.choices = [(c.id, c.title) for c in queries.published_courses()]
    return render(
        "rollout/wave.html",
        fragment,
        status=status,
        plan=plan,
        wave=wave,
        today=clock.local_date(now),
        gate=evaluate_gate(wave, now=now),
        courses=queries.tied_courses(wave),
        criterion_form=criterion_form or CriterionForm(formdata=None),
        tie_form=tie_form,
        signoff_form=signoff_form or SignOffForm(formdata=None),
        signoffs=queries.signoffs(plan, wave=wave),
    )


@bp.get("/waves/<int:wave_id>")
def wave_view(wave_id: int):
    """A wave: its departments, live gate, tied courses, and sign-off with history."""
    return _wave_page(wave_or_404(wave_id))


@bp.get("/waves/<int:wave_id>/gate")
def wave_gate(wave_id: int):
    """The gate recomputed now (htmx swaps it in place)."""
    return _wave_page(wave_or_404(wave_id), fragment="rollout/_gate.html")


@bp.post("/waves/<int:wave_id>/criteria")
def criterion_set(wave_id: int):
    """Add a gate criterion, or change its threshold."""
    wave = wave_or_404(wave_id)
    form = CriterionForm()
    return form_on_page(
        form,
        lambda: services.set_criterion(wave, form.kind.data, form.threshold.data),
        url_for("rollout.wave_view", wave_id=wave.id, _anchor="gate"),
        lambda: _wave_page(wave, status=422, criterion_form=form),
        _("Gate criterion saved."),
    )


@bp.post("/criteria/<int:criterion_id>/delete")
def criterion_delete(criterion_id: int):
    """Take a criterion off the gate."""
    criterion = criterion_or_404(criterion_id)
    return removed(
        lambda: services.remove_criterion(criterion),
        url_for("rollout.wave_view", wave_id=criterion.wave_id, _anchor="gate"),
        _("Gate criterion removed."),
    )


@bp.post("/waves/<int:wave_id>/courses")
def wave_tie_course(wave_id: int):
    """Assign a published course to the wave's departments, due before its go-live.

    Over 20 lines: the success message has a singular and a plural form.
    """
    wave = wave_or_404(wave_id)
    form = TieCourseForm()
    form.course.choices = [(c.id, c.title) for c in queries.published_courses()]
    if form.validate_on_submit():
        with transaction(form) as saved:
            tied = services.tie_course(
                wave, form.course.data, form.required.data, form.lead_days.data, current_user
            )
        if saved:
            flash(
                ngettext(
                    "Course tied to %(num)d department.",
                    "Course tied to %(num)d departments.",
                    tied,
                ),
                "success",
            )
            return redirect(url_for("rollout.wave_view", wave_id=wave.id, _anchor="courses"))
    return _wave_page(wave, status=422, tie_form=form)


@bp.post("/waves/<int:wave_id>/assignments/<int:assignment_id>/untie")
def wave_untie(wave_id: int, assignment_id: int):
    """Stop moving an assignment with the wave."""
    wave = wave_or_404(wave_id)
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.wave_id != wave.id:
        abort(404)
    services.untie_assignment(wave, assignment)
    db.session.commit()
    flash(_("The assignment stays, with its due date, but no longer follows the wave."), "success")
    return redirect(url_for("rollout.wave_view", wave_id=wave.id, _anchor="courses"))


@bp.post("/waves/<int:wave_id>/signoff")
@executives_only
def wave_signoff(wave_id: int):
    """Sign the gate: go (an override, with justification, if it says no-go) or no-go."""
    wave = wave_or_404(wave_id)
    form = SignOffForm()
    return form_on_page(
        form,
        lambda: services.sign_gate(wave, current_user, form.decision.data, form.comment.data),
        url_for("rollout.wave_view", wave_id=wave.id, _anchor="signoff"),
        lambda: _wave_page(wave, status=422, signoff_form=form),
        _("Gate signed. The record and its evidence are kept below."),
    )
