"""The strategy pages: choosing the CRM, the mission and objectives, RACI, budgets,
starting a phase early, and the printable sign-off history. Executives alone change
these records (`executives_only`); admins may read them."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db
from portal.rendering import render
from portal.rollout import crm_choice, queries, services
from portal.rollout import strategy_queries as strategy
from portal.rollout.forms import (
    NOBODY,
    BudgetForm,
    DecisionForm,
    MissionForm,
    ObjectiveForm,
    OverrideForm,
    RaciForm,
    RequirementForm,
    ScoreForm,
)
from portal.rollout.strategy import Objective, Requirement
from portal.rollout.views.base import (
    bp,
    executives_only,
    form_on_page,
    phase_or_404,
    plan_or_404,
    removed,
)
from portal.rollout.views.phases import phase_page


def _to_selection(plan_id: int, anchor: str | None = None) -> str:
    return url_for("rollout.selection_view", plan_id=plan_id, _anchor=anchor)


def _selection_page(plan, *, status: int = 200, forms=None, scored: int | None = None):
    forms = forms or {}
    requirement_form = forms.get("requirement") or RequirementForm(formdata=None)
    requirement_form.department_id.choices = [(NOBODY, _("Whole organisation"))] + [
        (d.id, d.name) for d in queries.departments()
    ]
    candidates = strategy.candidates()
    choices = [(p.key, p.name) for p in candidates]
    decision_form = forms.get("decision") or DecisionForm(formdata=None)
    decision_form.profile.choices = choices

    def score_form_for(requirement_id: int) -> ScoreForm:
        """The score form of a requirement's row: the one that failed, or a blank one."""
        if requirement_id == scored and forms.get("score"):
            return forms["score"]
        blank = ScoreForm(formdata=None)
        blank.candidate.choices = choices
        return blank

    current = crm_choice.chosen_key()
    wanted = decision_form.profile.data if forms.get("decision") else None
    return render(
        "rollout/selection.html",
        status=status,
        plan=plan,
        card=strategy.scorecard(plan),
        candidates=candidates,
        current=crm_choice.profile_for(current) or crm_choice.configured(),
        chosen=current,
        changes=strategy.profile_changes(current, wanted) if wanted else [],
        decisions=strategy.decisions(plan),
        requirement_form=requirement_form,
        score_form_for=score_form_for,
        decision_form=decision_form,
    )


@bp.get("/plans/<int:plan_id>/selection")
def selection_view(plan_id: int):
    """Choosing the CRM: requirements by department, the scorecard, the signed decision."""
    return _selection_page(plan_or_404(plan_id))


def _selection_post(plan, key: str, form, change, anchor: str, scored: int | None = None):
    """Run `change()` for a valid form and go back to the page, or show it again (422)."""
    if key == "requirement":
        form.department_id.choices = [(NOBODY, "")] + [
            (d.id, d.name) for d in queries.departments()
        ]
    else:
        field = form.candidate if key == "score" else form.profile
        field.choices = [(p.key, p.name) for p in strategy.candidates()]
    return form_on_page(
        form,
        change,
        _to_selection(plan.id, anchor),
        lambda: _selection_page(plan, status=422, forms={key: form}, scored=scored),
    )


@bp.post("/plans/<int:plan_id>/requirements")
@executives_only
def requirement_add(plan_id: int):
    """Add a requirement of the CRM."""
    plan = plan_or_404(plan_id)
    form = RequirementForm()
    return _selection_post(
        plan,
        "requirement",
        form,
        lambda: services.add_requirement(
            plan, current_user, form.title.data, form.priority.data, form.department_id.data
        ),
        "requirements",
    )


@bp.post("/requirements/<int:requirement_id>/delete")
@executives_only
def requirement_delete(requirement_id: int):
    """Remove a requirement and its scores."""
    requirement = db.get_or_404(Requirement, requirement_id)
    return removed(
        lambda: services.delete_requirement(requirement, current_user),
        _to_selection(requirement.plan_id, "requirements"),
    )


@bp.post("/requirements/<int:requirement_id>/scores")
@executives_only
def requirement_score(requirement_id: int):
    """Score a candidate CRM on a requirement, with a note from its demo."""
    requirement = db.get_or_404(Requirement, requirement_id)
    form = ScoreForm()
    return _selection_post(
        plan_or_404(requirement.plan_id),
        "score",
        form,
        lambda: services.score_candidate(
            requirement, current_user, form.candidate.data, form.score.data, form.note.data
        ),
        f"requirement-{requirement.id}",
        scored=requirement.id,
    )


@bp.post("/plans/<int:plan_id>/selection/decide")
@executives_only
def selection_decide(plan_id: int):
    """Sign the choice of CRM: the sandbox speaks its words from now on."""
    plan = plan_or_404(plan_id)
    form = DecisionForm()
    return _selection_post(
        plan,
        "decision",
        form,
        lambda: services.decide_crm(
            plan,
            current_user,
            form.profile.data,
            form.rationale.data,
            confirmed=form.confirm.data,
        ),
        "decision",
    )


# Mission and objectives


def _mission_page(plan, *, status: int = 200, mission_form=None, objective_form=None):
    return render(
        "rollout/mission.html",
        status=status,
        plan=plan,
        mission_form=mission_form or MissionForm(formdata=None, obj=plan),
        objective_form=objective_form or ObjectiveForm(formdata=None),
    )


@bp.get("/plans/<int:plan_id>/mission")
def mission_view(plan_id: int):
    """The mission in a sentence and the objectives that follow from it."""
    return _mission_page(plan_or_404(plan_id))


def _mission_post(plan_id: int, key: str, form_class, change, message: str, anchor=None):
    """A form of the mission page posted: `change(plan, form)` saved, or the page again."""
    plan = plan_or_404(plan_id)
    form = form_class()
    return form_on_page(
        form,
        lambda: change(plan, form),
        url_for("rollout.mission_view", plan_id=plan.id, _anchor=anchor),
        lambda: _mission_page(plan, status=422, **{key: form}),
        message,
    )


@bp.post("/plans/<int:plan_id>/mission")
@executives_only
def mission_edit(plan_id: int):
    """Record the company's mission."""
    return _mission_post(
        plan_id,
        "mission_form",
        MissionForm,
        lambda plan, form: services.set_mission(plan, current_user, form.mission.data),
        _("Mission saved."),
    )


@bp.post("/plans/<int:plan_id>/objectives")
@executives_only
def objective_add(plan_id: int):
    """Add an objective that follows from the mission."""
    return _mission_post(
        plan_id,
        "objective_form",
        ObjectiveForm,
        lambda plan, form: services.add_objective(plan, current_user, form.title.data),
        _("Objective added. Link the goals that serve it."),
        "objectives",
    )


@bp.post("/objectives/<int:objective_id>/delete")
@executives_only
def objective_delete(objective_id: int):
    """Remove an objective; its goals are flagged as serving none."""
    objective = db.get_or_404(Objective, objective_id)
    return removed(
        lambda: services.delete_objective(objective, current_user),
        url_for("rollout.mission_view", plan_id=objective.plan_id, _anchor="objectives"),
    )


# A phase's RACI, budget and early start


def _phase_post(phase_id: int, key: str, form_class, change, anchor: str):
    phase = phase_or_404(phase_id)
    form = form_class()
    if key == "raci_form":
        form.department_id.choices = [(d.id, d.name) for d in queries.departments()]
    return form_on_page(
        form,
        lambda: change(phase, form),
        url_for("rollout.phase_view", phase_id=phase.id, _anchor=anchor),
        lambda: phase_page(phase, status=422, **{key: form}),
    )


@bp.post("/phases/<int:phase_id>/raci")
@executives_only
def phase_raci(phase_id: int):
    """Say what a department is for the phase: responsible, accountable, consulted, informed."""
    return _phase_post(
        phase_id,
        "raci_form",
        RaciForm,
        lambda phase, form: services.set_raci(
            phase, current_user, form.department_id.data, form.role.data
        ),
        "raci",
    )


@bp.post("/phases/<int:phase_id>/budget")
@executives_only
def phase_budget(phase_id: int):
    """Approve the phase's budget."""
    return _phase_post(
        phase_id,
        "budget_form",
        BudgetForm,
        lambda phase, form: services.approve_budget(phase, current_user, form.amount.data),
        "budget",
    )


@bp.post("/phases/<int:phase_id>/override")
@executives_only
def phase_override(phase_id: int):
    """Let the phase start before the previous one is signed off, with the reason why."""
    return _phase_post(
        phase_id,
        "override_form",
        OverrideForm,
        lambda phase, form: services.override_start(phase, current_user, form.reason.data),
        "signoff",
    )


@bp.get("/plans/<int:plan_id>/history/print")
def history_print(plan_id: int):
    """The whole sign-off history as one printable document."""
    plan = plan_or_404(plan_id)
    return render(
        "rollout/signoffs_print.html",
        plan=plan,
        signoffs=list(reversed(queries.signoffs(plan))),
        decisions=list(reversed(strategy.decisions(plan))),
        overrides=list(reversed(strategy.overrides(plan))),
        budget=strategy.budget(plan),
    )
