"""Phases: create, edit, reorder, delete; their milestones; signing a phase off."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import clock
from portal.extensions import db
from portal.forms import MoveForm, form_data
from portal.rendering import render
from portal.rollout import queries, services
from portal.rollout.forms import (
    NOBODY,
    BudgetForm,
    MilestoneForm,
    OverrideForm,
    PhaseForm,
    RaciForm,
    SignOffForm,
)
from portal.rollout.models import Phase
from portal.rollout.services import PhaseData
from portal.rollout.services.strategy import overridden, previous_phase, signed_go
from portal.rollout.views.base import (
    bp,
    deleted,
    executives_only,
    form_on_page,
    form_page,
    milestone_or_404,
    phase_or_404,
    plan_or_404,
    removed,
)


def _owner_choices(form) -> None:
    form.owner_id.choices = [(NOBODY, _("Nobody yet"))] + [
        (user.id, user.name) for user in queries.staff()
    ]


def _phase_data(form: PhaseForm) -> PhaseData:
    return form_data(
        PhaseData,
        form,
        owner_id=form.owner_id.data or None,
        description=form.description.data or "",
    )


def _phase_form_page(form: PhaseForm, plan, phase: Phase | None = None):
    _owner_choices(form)

    def save():
        if phase is None:
            return services.add_phase(plan, _phase_data(form)), _("Phase saved.")
        services.update_phase(phase, _phase_data(form))
        return phase, _("Phase saved.")

    return form_page(form, "rollout/phase_form.html", save, _to_phase, plan=plan, phase=phase)


def _to_phase(phase: Phase, anchor: str | None = None) -> str:
    return url_for("rollout.phase_view", phase_id=phase.id, _anchor=anchor)


@bp.route("/plans/<int:plan_id>/phases/new", methods=["GET", "POST"])
def phase_new(plan_id: int):
    """Add a phase at the end of the plan."""
    return _phase_form_page(PhaseForm(), plan_or_404(plan_id))


@bp.route("/phases/<int:phase_id>/edit", methods=["GET", "POST"])
def phase_edit(phase_id: int):
    """Change a phase's details."""
    phase = phase_or_404(phase_id)
    form = PhaseForm(obj=phase)
    return _phase_form_page(form, plan_or_404(phase.plan_id), phase)


def phase_page(phase: Phase, *, status: int = 200, **forms):
    """The phase page; `forms` holds the form that failed (milestone_form, signoff_form,
    raci_form, budget_form, override_form), shown with its errors."""
    plan = plan_or_404(phase.plan_id)
    milestone_form = forms.get("milestone_form") or MilestoneForm(formdata=None)
    _owner_choices(milestone_form)
    departments = queries.departments()
    raci_form = forms.get("raci_form") or RaciForm(formdata=None)
    raci_form.department_id.choices = [(d.id, d.name) for d in departments]
    before = previous_phase(phase)
    return render(
        "rollout/phase.html",
        status=status,
        plan=plan,
        phase=phase,
        today=clock.today(),
        milestone_form=milestone_form,
        signoff_form=forms.get("signoff_form") or SignOffForm(formdata=None),
        signoffs=queries.signoffs(plan, phase=phase),
        raci_form=raci_form,
        budget_form=forms.get("budget_form")
        or BudgetForm(formdata=None, amount=phase.budget_approved or phase.budget_planned),
        override_form=forms.get("override_form") or OverrideForm(formdata=None),
        before=before,
        before_signed=before is None or signed_go(before),
        overridden=overridden(phase),
    )


@bp.get("/phases/<int:phase_id>")
def phase_view(phase_id: int):
    """A phase: its milestones checklist, and its sign-off with history."""
    return phase_page(phase_or_404(phase_id))


@bp.post("/phases/<int:phase_id>/move")
def phase_move(phase_id: int):
    """Move a phase up or down; htmx gets the phase list back, others the plan page."""
    phase = phase_or_404(phase_id)
    services.move_phase(phase, MoveForm().offset)
    db.session.commit()
    plan = plan_or_404(phase.plan_id)
    if not request.htmx:
        return redirect(url_for("rollout.plan_view", plan_id=plan.id, _anchor="phases"))
    return render("rollout/plan.html", "rollout/_phases.html", plan=plan, today=clock.today())


@bp.post("/phases/<int:phase_id>/delete")
def phase_delete(phase_id: int):
    """Delete an unsigned phase."""
    phase = phase_or_404(phase_id)
    return deleted(
        lambda: services.delete_phase(phase),
        _("Phase deleted."),
        url_for("rollout.plan_view", plan_id=phase.plan_id, _anchor="phases"),
        url_for("rollout.phase_view", phase_id=phase_id),
    )


@bp.post("/phases/<int:phase_id>/milestones")
def milestone_add(phase_id: int):
    """Add a milestone to the phase's checklist."""
    phase = phase_or_404(phase_id)
    form = MilestoneForm()
    _owner_choices(form)
    return form_on_page(
        form,
        lambda: services.add_milestone(
            phase, form.title.data, form.owner_id.data or None, form.due_on.data
        ),
        _to_phase(phase, "milestones"),
        lambda: phase_page(phase, status=422, milestone_form=form),
    )


@bp.post("/milestones/<int:milestone_id>/toggle")
def milestone_toggle(milestone_id: int):
    """Tick or untick a milestone; htmx swaps just its row."""
    milestone = services.toggle_milestone(milestone_or_404(milestone_id))
    db.session.commit()
    if not request.htmx:
        return redirect(
            url_for("rollout.phase_view", phase_id=milestone.phase_id, _anchor="milestones")
        )
    return render(
        "rollout/phase.html", "rollout/_milestone.html", milestone=milestone, today=clock.today()
    )


@bp.post("/milestones/<int:milestone_id>/delete")
def milestone_delete(milestone_id: int):
    """Remove a milestone."""
    milestone = milestone_or_404(milestone_id)
    return removed(
        lambda: services.delete_milestone(milestone),
        url_for("rollout.phase_view", phase_id=milestone.phase_id, _anchor="milestones"),
        _("Milestone removed."),
    )


@bp.post("/phases/<int:phase_id>/signoff")
@executives_only
def phase_signoff(phase_id: int):
    """Sign a phase off (go) or hold it (no-go); the record cannot be changed later."""
    phase = phase_or_404(phase_id)
    form = SignOffForm()
    return form_on_page(
        form,
        lambda: services.sign_phase(phase, current_user, form.decision.data, form.comment.data),
        _to_phase(phase, "signoff"),
        lambda: phase_page(phase, status=422, signoff_form=form),
        _("Signed off. The record is kept in the history below."),
    )
