"""Plans and their goals: list, create, edit, delete; the plan overview page."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import clock
from portal.arguments import arg_id
from portal.domain import transaction
from portal.forms import form_data
from portal.rendering import render
from portal.rollout import queries, services
from portal.rollout import strategy_queries as strategy
from portal.rollout.forms import NOBODY, GoalForm, PlanForm
from portal.rollout.models import Plan
from portal.rollout.readiness import Aggregate
from portal.rollout.services import GoalData
from portal.rollout.views.base import bp, form_page, goal_or_404, plan_or_404, removed


@bp.get("/")
def home():
    """Every rollout plan, soonest go-live first."""
    return render("rollout/home.html", plans=queries.plans(), today=clock.today())


@bp.route("/plans/new", methods=["GET", "POST"])
def plan_new():
    """Start a rollout plan."""
    return _plan_form(
        None,
        lambda f: services.create_plan(
            f.name.data, f.target_go_live.data, f.description.data or "", current_user
        ),
        _("Plan created. Add its phases, goals and waves."),
    )


def _plan_status(plan) -> tuple[dict, queries.Readiness]:
    """What the plan page and its read-only twin both show (the plan, today, goals with
    their status, objectives, waves with their gates), and the readiness it was read from."""
    now, today = clock.instant()
    state = queries.readiness(today, now)
    goals = queries.goal_statuses(plan.goals, state)
    shown = {
        "plan": plan,
        "today": today,
        "goals": goals,
        "objectives": strategy.objectives_with_goals(plan, goals),
        "waves": queries.wave_statuses(plan.waves, state),
    }
    return shown, state


@bp.get("/plans/<int:plan_id>")
def plan_view(plan_id: int):
    """The plan: phases with milestones, goals by horizon, waves with their gates."""
    plan = plan_or_404(plan_id)
    shown, _state = _plan_status(plan)
    decisions = strategy.decisions(plan)
    return render(
        "rollout/plan.html",
        **shown,
        signoffs=queries.signoffs(plan),
        missing=services.implementation_missing(plan),
        budget=strategy.budget(plan),
        decision=decisions[0] if decisions else None,
    )


@bp.get("/overview")
def plan_read():
    """The plan read-only, for trainers too: phases, waves, dates, goals, and the
    readiness of the departments the reader looks after; no edit or sign controls."""
    plan_id = arg_id("plan")
    plan = queries.load_plan(plan_id) if plan_id else queries.latest_plan()
    if plan_id and plan is None:
        abort(404)
    if plan is None:
        return render("rollout/plan_read.html", plan=None, today=clock.today())
    shown, state = _plan_status(plan)
    departments = strategy.own_departments(current_user)
    return render(
        "rollout/plan_read.html",
        **shown,
        departments=[(d, state.departments.get(d.id) or Aggregate()) for d in departments],
        plans=queries.plans(),
    )


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
def plan_edit(plan_id: int):
    """Change the plan's name, target go-live or description."""
    plan = plan_or_404(plan_id)

    def save(f: PlanForm):
        services.update_plan(plan, f.name.data, f.target_go_live.data, f.description.data or "")
        return plan

    return _plan_form(plan, save, _("Plan saved."))


def _plan_form(plan: Plan | None, save: Callable[[PlanForm], Plan], message: str):
    """The plan form for a new plan (`plan` None) or an existing one: on a valid post,
    `save` the form and go to the plan saved."""
    form = PlanForm(obj=plan)
    return form_page(
        form,
        "rollout/plan_form.html",
        lambda: (save(form), message),
        lambda saved: url_for("rollout.plan_view", plan_id=saved.id),
        plan=plan,
    )


@bp.post("/plans/<int:plan_id>/delete")
def plan_delete(plan_id: int):
    """Delete a plan nobody has signed anything of."""
    plan = plan_or_404(plan_id)
    with transaction() as saved:
        services.delete_plan(plan)
    saved.flash(_("Plan deleted."))
    if not saved:
        return redirect(url_for("rollout.plan_view", plan_id=plan_id))
    return redirect(url_for("rollout.home"))


def _goal_form_page(form: GoalForm, plan, goal=None):
    form.objective_id.choices = [(NOBODY, _("None yet"))] + [
        (o.id, o.title) for o in plan.objectives
    ]
    if form.objective_id.data is None:  # a goal serving no objective
        form.objective_id.data = NOBODY
    return form_page(
        form,
        "rollout/goal_form.html",
        lambda: (services.save_goal(plan, form_data(GoalData, form), goal), _("Goal saved.")),
        lambda _goal: url_for("rollout.plan_view", plan_id=plan.id, _anchor="goals"),
        plan=plan,
        goal=goal,
    )


@bp.route("/plans/<int:plan_id>/goals/new", methods=["GET", "POST"])
def goal_new(plan_id: int):
    """Add a goal to the plan."""
    return _goal_form_page(GoalForm(), plan_or_404(plan_id))


@bp.route("/goals/<int:goal_id>/edit", methods=["GET", "POST"])
def goal_edit(goal_id: int):
    """Change a goal."""
    goal = goal_or_404(goal_id)
    return _goal_form_page(GoalForm(obj=goal), plan_or_404(goal.plan_id), goal)


@bp.post("/goals/<int:goal_id>/delete")
def goal_delete(goal_id: int):
    """Remove a goal."""
    goal = goal_or_404(goal_id)
    return removed(
        lambda: services.delete_goal(goal),
        url_for("rollout.plan_view", plan_id=goal.plan_id, _anchor="goals"),
        _("Goal removed."),
    )
