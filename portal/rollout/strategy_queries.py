"""Read-side queries for the strategy pages: the scorecard, objectives with their goals,
signed decisions, overrides and budgets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.extensions import db
from portal.rollout.models import Plan
from portal.rollout.strategy import (
    MAX_SCORE,
    Objective,
    Requirement,
    Score,
    SelectionDecision,
    StartOverride,
)
from sandbox.profiles import BUILT_IN, Profile, load


def _tidy(number: float) -> float | int:
    """A number to one decimal, shown without ".0" when whole."""
    number = round(float(number), 1)
    return int(number) if number.is_integer() else number


def candidates() -> list[Profile]:
    """The CRMs a selection can choose from: the sandbox's built-in profiles."""
    return [load(key) for key in BUILT_IN]


@dataclass
class Cell:
    """What the evaluators gave one candidate on one requirement."""

    scores: list[tuple[str, int, str]] = field(default_factory=list)  # name, score, note

    @property
    def average(self) -> float | None:
        if not self.scores:
            return None
        return _tidy(sum(s for _name, s, _note in self.scores) / len(self.scores))


@dataclass
class Row:
    requirement: Requirement
    cells: dict[str, Cell]


@dataclass
class CandidateTotal:
    key: str
    name: str
    total: float
    maximum: float
    scored: int  # requirements with at least one score


@dataclass
class Scorecard:
    groups: list[tuple[str, list[Row]]]  # department name, its requirements
    candidates: list[CandidateTotal]

    @property
    def leader(self) -> CandidateTotal | None:
        scored = [c for c in self.candidates if c.scored]
        return max(scored, key=lambda c: c.total) if scored else None


def scorecard(plan: Plan) -> Scorecard:
    """The requirements by department, each candidate's scores, and the weighted totals
    (weight × average score, summed); two statements."""
    requirements = list(
        db.session.scalars(
            select(Requirement)
            .where(Requirement.plan_id == plan.id)
            .options(selectinload(Requirement.department))
            .order_by(Requirement.id)
        )
    )
    cells: dict[tuple[int, str], Cell] = defaultdict(Cell)
    if requirements:
        rows = db.session.execute(
            select(Score, User.name)
            .join(User, User.id == Score.evaluator_id)
            .where(Score.requirement_id.in_([r.id for r in requirements]))
            .order_by(Score.id)
        )
        for score, name in rows:
            cells[score.requirement_id, score.candidate].scores.append(
                (name, score.score, score.note)
            )
    grouped: dict[str, list[Row]] = defaultdict(list)
    for requirement in requirements:
        label = requirement.department.name if requirement.department else _("Whole organisation")
        grouped[label].append(
            Row(requirement, {key: cells.get((requirement.id, key), Cell()) for key in BUILT_IN})
        )
    maximum = _tidy(sum(r.weight * MAX_SCORE for r in requirements))
    totals = []
    for profile in candidates():
        averages = [
            (r.weight, cells[r.id, profile.key].average)
            for r in requirements
            if (r.id, profile.key) in cells
        ]
        total = sum(weight * average for weight, average in averages if average is not None)
        totals.append(
            CandidateTotal(profile.key, profile.name, _tidy(total), maximum, len(averages))
        )
    return Scorecard(sorted(grouped.items()), totals)


def decisions(plan: Plan | None = None) -> list[SelectionDecision]:
    """Signed CRM decisions, newest first: of a plan, or of every plan."""
    query = select(SelectionDecision)
    if plan is not None:
        query = query.where(SelectionDecision.plan_id == plan.id)
    return list(
        db.session.scalars(
            query.order_by(SelectionDecision.signed_at.desc(), SelectionDecision.id.desc())
        )
    )


def overrides(plan: Plan) -> list[StartOverride]:
    """Phases started before the previous one was signed, newest first."""
    return list(
        db.session.scalars(
            select(StartOverride)
            .where(StartOverride.plan_id == plan.id)
            .options(selectinload(StartOverride.phase))
            .order_by(StartOverride.signed_at.desc(), StartOverride.id.desc())
        )
    )


@dataclass
class ObjectiveGoals:
    objective: Objective | None  # None: the goals that serve no objective
    goals: list  # GoalStatus

    @property
    def met(self) -> int:
        return sum(1 for status in self.goals if status.met)


def objectives_with_goals(plan: Plan, statuses: list) -> list[ObjectiveGoals]:
    """Each objective with its goals' statuses; last, if any, the goals serving none."""
    by_objective: dict[int | None, list] = defaultdict(list)
    for status in statuses:
        by_objective[status.goal.objective_id].append(status)
    result = [ObjectiveGoals(o, by_objective.get(o.id, [])) for o in plan.objectives]
    if by_objective.get(None):
        result.append(ObjectiveGoals(None, by_objective[None]))
    return result


@dataclass
class Budget:
    planned: float
    approved: float


def budget(plan: Plan) -> Budget:
    """The plan's budget: planned and approved, summed over its phases."""
    return Budget(
        sum(p.budget_planned or 0 for p in plan.phases),
        sum(p.budget_approved or 0 for p in plan.phases),
    )


def profile_changes(old: str | None, new: str | None) -> list[tuple[str, str, str]]:
    """What learners would see change if the CRM changed from `old` to `new`: each
    record kind's name and the deal stages, as (what, before, after)."""
    from portal.rollout.crm_choice import configured, profile_for
    from sandbox.profiles import ProfileError

    before = profile_for(old) or configured()
    try:
        after = profile_for(new)
    except ProfileError:  # not a CRM we know: the form says so at the field
        return []
    if after is None or after.key == before.key:
        return []
    changes = []
    for entity in before.entities:
        was, will = before.entity_label(entity, True), after.entity_label(entity, True)
        if was != will:
            changes.append((_("Records"), was, will))
    changes.append(
        (
            _("Deal stages"),
            ", ".join(e.label for e in before.stage),
            ", ".join(e.label for e in after.stage),
        )
    )
    changes.append(
        (
            _("Lead statuses"),
            ", ".join(e.label for e in before.lead_status),
            ", ".join(e.label for e in after.lead_status),
        )
    )
    return changes


def own_departments(user: User) -> list:
    """The departments a trainer looks after: theirs, and every one they assigned a
    course to, by name."""
    from sqlalchemy import func, or_

    from portal.accounts.models import Department
    from portal.authoring.models import Assignment

    assigned = select(Assignment.department_id).where(
        Assignment.assigned_by_id == user.id, Assignment.department_id.is_not(None)
    )
    return list(
        db.session.scalars(
            select(Department)
            .where(or_(Department.id == user.department_id, Department.id.in_(assigned)))
            .order_by(func.lower(Department.name))
        )
    )
