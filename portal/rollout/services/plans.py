"""Plans, their phases (ordered), milestones and goals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.database import utcnow
from portal.extensions import db
from portal.rollout.metrics import GOAL_METRICS, METRICS, Metric
from portal.rollout.models import Goal, Horizon, Milestone, Phase, PhaseStatus, Plan
from portal.rollout.services.common import (
    RolloutError,
    added,
    clean_text,
    has_signoffs,
    owner_or_none,
)
from portal.rollout.services.strategy import check_new_phase, check_start, objective_or_none
from portal.rollout.services.waves import untie_all


@dataclass
class PhaseData:
    name: str
    status: str = PhaseStatus.PLANNED.value
    starts_on: date | None = None
    ends_on: date | None = None
    owner_id: int | None = None
    description: str = ""
    implementation: bool = False
    budget_planned: float | None = None


@dataclass
class GoalData:
    horizon: str
    title: str
    metric: str
    target: float
    manual_value: float | None = None
    due_on: date | None = None
    objective_id: int | None = None


# Plans


def create_plan(name: str, target_go_live: date, description: str, actor: User) -> Plan:
    """Start a new rollout plan."""
    plan = Plan(
        name=clean_text(name, "name", 200),
        target_go_live=target_go_live,
        description=clean_text(description, "description", 5000, required=False),
        created_by_id=actor.id,
    )
    return added(plan)


def update_plan(plan: Plan, name: str, target_go_live: date, description: str) -> None:
    """Change the plan's name, target go-live or description."""
    plan.name = clean_text(name, "name", 200)
    plan.target_go_live = target_go_live
    plan.description = clean_text(description, "description", 5000, required=False)
    db.session.flush()


def delete_plan(plan: Plan) -> None:
    """Delete a plan that nobody has signed anything of; signed plans are evidence."""
    if has_signoffs(plan_id=plan.id):
        raise RolloutError(_("This plan has sign-offs; it is kept as a record."))
    for wave in plan.waves:
        untie_all(wave)
    db.session.delete(plan)
    db.session.flush()


# Phases and milestones


def _check_phase(data: PhaseData) -> PhaseData:
    data.name = clean_text(data.name, "name", 120)
    data.description = clean_text(data.description, "description", 5000, required=False)
    if data.status not in {s.value for s in PhaseStatus}:
        raise RolloutError(_("Choose a status from the list."), "status")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise RolloutError(_("The phase cannot end before it starts."), "ends_on")
    data.owner_id = owner_or_none(data.owner_id)
    if data.budget_planned is not None and data.budget_planned < 0:
        raise RolloutError(_("Enter an amount of 0 or more."), "budget_planned")
    return data


def add_phase(plan: Plan, data: PhaseData) -> Phase:
    """Add a phase at the end of the plan."""
    data = _check_phase(data)
    check_new_phase(plan, data.status, data.implementation)
    last = db.session.scalar(select(func.max(Phase.position)).where(Phase.plan_id == plan.id))
    phase = Phase(plan_id=plan.id, position=(last if last is not None else -1) + 1, **data.__dict__)
    return added(phase)


def update_phase(phase: Phase, data: PhaseData) -> None:
    """Change a phase's details; it starts only in order (see `check_start`)."""
    check_start(phase, data.status)
    for name, value in _check_phase(data).__dict__.items():
        setattr(phase, name, value)
    db.session.flush()


def move_phase(phase: Phase, offset: int) -> None:
    """Move a phase up (-1) or down (+1) in its plan; at either end nothing moves."""
    phases = list(
        db.session.scalars(
            select(Phase).where(Phase.plan_id == phase.plan_id).order_by(Phase.position, Phase.id)
        )
    )
    index = phases.index(phase)
    target = index + (1 if offset > 0 else -1)
    if 0 <= target < len(phases):
        phases[index], phases[target] = phases[target], phases[index]
    for position, item in enumerate(phases):
        item.position = position
    db.session.flush()


def delete_phase(phase: Phase) -> None:
    """Delete a phase nobody has signed off."""
    if has_signoffs(phase_id=phase.id):
        raise RolloutError(_("This phase has sign-offs; it is kept as a record."))
    db.session.delete(phase)
    db.session.flush()


def add_milestone(phase: Phase, title: str, owner_id: int | None, due_on: date | None) -> Milestone:
    """Add a checklist item to a phase."""
    milestone = Milestone(
        phase_id=phase.id,
        title=clean_text(title, "title", 200),
        owner_id=owner_or_none(owner_id),
        due_on=due_on,
    )
    return added(milestone)


def toggle_milestone(milestone: Milestone) -> Milestone:
    """Tick a milestone done, or untick it."""
    milestone.done_at = None if milestone.done_at else utcnow()
    db.session.flush()
    return milestone


def delete_milestone(milestone: Milestone) -> None:
    """Remove a milestone from its phase."""
    db.session.delete(milestone)
    db.session.flush()


# Goals


def save_goal(plan: Plan, data: GoalData, goal: Goal | None = None) -> Goal:
    """Create a goal, or update `goal`, after checking its metric and target."""
    if data.horizon not in {h.value for h in Horizon}:
        raise RolloutError(_("Choose a horizon from the list."), "horizon")
    if data.metric not in {m.value for m in GOAL_METRICS}:
        raise RolloutError(_("Choose a metric from the list."), "metric")
    info = METRICS[Metric(data.metric)]
    if not 0 <= data.target <= info.maximum:
        raise RolloutError(
            _("The target must be between 0 and %(max)s.", max=format_decimal(info.maximum)),
            "target",
        )
    if data.metric != Metric.MANUAL and data.manual_value is not None:
        raise RolloutError(
            _("Only a goal measured by hand takes a measured value."), "manual_value"
        )
    goal = goal or Goal(plan_id=plan.id)
    goal.horizon = data.horizon
    goal.title = clean_text(data.title, "title", 200)
    goal.metric = data.metric
    goal.target = data.target
    goal.manual_value = data.manual_value
    goal.due_on = data.due_on
    goal.objective_id = objective_or_none(plan, data.objective_id)
    return added(goal)


def delete_goal(goal: Goal) -> None:
    """Remove a goal from the plan."""
    db.session.delete(goal)
    db.session.flush()
