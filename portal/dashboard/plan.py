"""The plan the readiness dashboard shows: its waves with their departments and gate
criteria, its phases and goals, read as plain rows in a few small statements (no ORM
object graph); the names match the models' so the rollout code reads either."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from sqlalchemy import Date, Integer, Select, bindparam, func, select

from portal import clock
from portal.accounts.models import Department
from portal.extensions import db
from portal.rollout.models import (
    GateCriterion,
    Goal,
    Objective,
    Phase,
    Plan,
    Wave,
    wave_departments,
)


@dataclass
class Shown:
    """A wave's department: what the dashboard shows of it."""

    id: int
    name: str


@dataclass
class Criterion:
    """One of a wave's gate criteria: a metric and its threshold."""

    kind: str
    threshold: float


@dataclass
class ShownWave:
    """A wave as the dashboard shows it: its departments (id, name) by name and its gate
    criteria (kind, threshold)."""

    id: int
    name: str
    go_live_on: date
    departments: list = field(default_factory=list)
    criteria: list = field(default_factory=list)


@dataclass
class ShownPlan:
    """What the dashboard shows of a plan, read as plain rows (no ORM objects): phases
    (without owners nor milestones), goals, objectives and waves, in the plan's orders."""

    id: int
    name: str
    target_go_live: date
    mission: str | None
    phases: list = field(default_factory=list)
    goals: list = field(default_factory=list)
    objectives: list = field(default_factory=list)
    waves: list[ShownWave] = field(default_factory=list)


ASKED = bindparam("asked", type_=Integer)  # the plan asked for, or None
TODAY = bindparam("today", type_=Date)
PLAN = bindparam("plan", type_=Integer)
WAVES = bindparam("waves", expanding=True, type_=Integer)


@cache
def _statements() -> dict[str, Select]:
    """What choose_plan runs, built once: the plan and today are parameters."""
    choices = (
        select(Plan.id).where(Plan.id == ASKED).scalar_subquery(),
        select(Plan.id)
        .where(Plan.target_go_live >= TODAY)
        .order_by(Plan.target_go_live, Plan.id)
        .limit(1)
        .scalar_subquery(),
        select(func.max(Plan.id)).scalar_subquery(),
    )
    members = wave_departments.c
    return {
        "plan": select(Plan.id, Plan.name, Plan.target_go_live, Plan.mission).where(
            Plan.id == func.coalesce(*choices)
        ),
        "phases": select(Phase.id, Phase.name, Phase.status, Phase.starts_on, Phase.ends_on)
        .where(Phase.plan_id == PLAN)
        .order_by(Phase.position, Phase.id),
        "goals": select(
            Goal.id,
            Goal.title,
            Goal.horizon,
            Goal.metric,
            Goal.target,
            Goal.manual_value,
            Goal.due_on,
            Goal.objective_id,
        )
        .where(Goal.plan_id == PLAN)
        .order_by(Goal.id),
        "objectives": select(Objective.id, Objective.title)
        .where(Objective.plan_id == PLAN)
        .order_by(Objective.id),
        "waves": select(Wave.id, Wave.name, Wave.go_live_on)
        .where(Wave.plan_id == PLAN)
        .order_by(Wave.go_live_on, Wave.id),
        "departments": select(members.wave_id, Department.id, Department.name)
        .join(Department, Department.id == members.department_id)
        .where(members.wave_id.in_(WAVES))
        .order_by(Department.name, Department.id),
        "criteria": select(GateCriterion.wave_id, GateCriterion.kind, GateCriterion.threshold)
        .where(GateCriterion.wave_id.in_(WAVES))
        .order_by(GateCriterion.id),
    }


def choose_plan(plan_id: int | None) -> ShownPlan | None:
    """The plan asked for, else the one going live soonest from today on, else the most
    recent (as rollout.queries.latest_plan): chosen in the statement that reads it, with
    what the dashboard shows of it (Core: the rows need no ORM)."""
    statements = _statements()
    run = db.session.connection().execute
    found = run(statements["plan"], {"asked": plan_id or None, "today": clock.today()}).first()
    if found is None:
        return None
    plan = ShownPlan(*found)
    of_plan = {"plan": plan.id}
    plan.phases = run(statements["phases"], of_plan).all()
    plan.goals = run(statements["goals"], of_plan).all()
    plan.objectives = run(statements["objectives"], of_plan).all()
    plan.waves = [ShownWave(*row) for row in run(statements["waves"], of_plan)]
    if plan.waves:
        of = {wave.id: wave for wave in plan.waves}
        waves = {"waves": list(of)}
        for wave_id, *department in run(statements["departments"], waves):
            of[wave_id].departments.append(Shown(*department))
        for wave_id, kind, threshold in run(statements["criteria"], waves):
            of[wave_id].criteria.append(Criterion(kind, threshold))
    return plan
