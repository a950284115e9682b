"""Read-side queries for the rollout pages; each page runs a fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import clock
from portal.accounts.models import Department, User, UserRole
from portal.accounts.roles import Role
from portal.authoring.models import Assignment
from portal.extensions import db
from portal.learning.models import Certificate, Course
from portal.rollout import evidence
from portal.rollout.gates import gate_from_totals
from portal.rollout.metrics import ADOPTION_METRICS, METRICS, Metric, format_value
from portal.rollout.models import GateCriterion, Goal, Milestone, Phase, Plan, SignOff, Wave
from portal.rollout.readiness import Aggregate, LearnerEvidence

AT_RISK_SHOWN = 25


def plans() -> list[Plan]:
    """Every plan, soonest target go-live first."""
    return list(db.session.scalars(select(Plan).order_by(Plan.target_go_live, Plan.id)))


def all_waves(departments: bool = False) -> list[tuple[Wave, str]]:
    """Every wave with its plan's name, plan by plan, in go-live order; with `departments`,
    each wave's departments loaded in one more statement."""
    statement = (
        select(Wave, Plan.name)
        .join(Plan, Plan.id == Wave.plan_id)
        .order_by(Plan.name, Wave.go_live_on, Wave.id)
    )
    if departments:
        statement = statement.options(selectinload(Wave.departments))
    return db.session.execute(statement).all()


def load_plan(plan_id: int) -> Plan | None:
    """A plan with its phases (owners, milestones), goals and waves (departments, criteria)."""
    return db.session.scalar(
        select(Plan)
        .where(Plan.id == plan_id)
        .options(
            selectinload(Plan.phases).selectinload(Phase.owner),
            selectinload(Plan.phases).selectinload(Phase.milestones).selectinload(Milestone.owner),
            selectinload(Plan.goals).selectinload(Goal.objective),
            selectinload(Plan.objectives),
            selectinload(Plan.waves).selectinload(Wave.departments),
            selectinload(Plan.waves).selectinload(Wave.criteria),
        )
    )


def latest_plan() -> Plan | None:
    """The plan the dashboard shows by default: the one going live soonest from today on,
    else the most recent."""
    plan_id = db.session.scalar(
        select(Plan.id)
        .where(Plan.target_go_live >= clock.today())
        .order_by(Plan.target_go_live, Plan.id)
        .limit(1)
    ) or db.session.scalar(select(Plan.id).order_by(Plan.id.desc()).limit(1))
    return load_plan(plan_id) if plan_id else None


def staff() -> list[User]:
    """People who can own a phase or milestone: active executives, admins and trainers."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.id.in_(
                    select(UserRole.user_id).where(
                        UserRole.role.in_([Role.EXECUTIVE, Role.ADMIN, Role.TRAINER])
                    )
                ),
            )
            .order_by(func.lower(User.name))
        )
    )


def departments() -> list[Department]:
    """Every department, by name."""
    return list(db.session.scalars(select(Department).order_by(func.lower(Department.name))))


def published_courses() -> list[Course]:
    """Courses learners can take, by title."""
    return list(
        db.session.scalars(
            select(Course).where(Course.published.is_(True)).order_by(func.lower(Course.title))
        )
    )


@dataclass
class TiedCourse:
    """One course tied to a wave, over the wave's departments."""

    course: Course
    required: bool
    lead_days: int | None
    due_on: date | None
    assignments: list[tuple[Assignment, str]] = field(default_factory=list)  # with dept name


def tied_courses(wave: Wave) -> list[TiedCourse]:
    """The wave's tied assignments grouped by course (one statement)."""
    grouped: dict[int, TiedCourse] = {}
    rows = db.session.execute(
        select(Assignment, Course, Department.name)
        .join(Course, Course.id == Assignment.course_id)
        .outerjoin(Department, Department.id == Assignment.department_id)
        .where(Assignment.wave_id == wave.id)
        .order_by(func.lower(Course.title), Department.name)
    )
    for assignment, course, department in rows:
        entry = grouped.setdefault(
            course.id,
            TiedCourse(course, assignment.required, assignment.lead_days, assignment.due_on),
        )
        entry.assignments.append((assignment, department or ""))
    return list(grouped.values())


def signoffs(plan: Plan, *, phase: Phase | None = None, wave: Wave | None = None) -> list[SignOff]:
    """Sign-off history, newest first: of a phase, of a wave's gate, or of the whole plan."""
    query = (
        select(SignOff)
        .where(SignOff.plan_id == plan.id)
        .options(selectinload(SignOff.phase), selectinload(SignOff.wave))
    )
    if phase is not None:
        query = query.where(SignOff.phase_id == phase.id)
    if wave is not None:
        query = query.where(SignOff.wave_id == wave.id)
    return list(db.session.scalars(query.order_by(SignOff.signed_at.desc(), SignOff.id.desc())))


# Organisation-wide readiness: one evidence statement serves goals, waves and the dashboard.


@dataclass
class Readiness:
    today: date
    departments: dict[int | None, Aggregate]
    at_risk: list[LearnerEvidence]
    certificates: int
    catalogue: evidence.Catalogue
    medians: dict[int | None, tuple[int, float]]  # department: certified, median days

    @property
    def totals(self) -> Aggregate:
        total = Aggregate()
        for group in self.departments.values():
            total.merge(group)
        return total

    def of(self, department_ids: list[int]) -> Aggregate:
        """The sums over some departments (a wave)."""
        total = Aggregate()
        for department_id in department_ids:
            if department_id in self.departments:
                total.merge(self.departments[department_id])
        return total


def readiness(
    today: date, now: datetime, at_risk: int = AT_RISK_SHOWN, medians: bool = False
) -> Readiness:
    """Every department's readiness sums and the learners most at risk, and with `medians`
    each department's time to proficiency (five statements, one of them heavy)."""
    catalogue = evidence.load_catalogue()

    def build():
        relation = evidence.learner_evidence(catalogue)
        chosen = (
            select(relation)
            .where(evidence.risk(relation) > 0)
            .order_by(*evidence.risk_order(relation))
            .limit(at_risk)
        )
        return evidence.summary(relation, chosen, medians=medians)

    statement = evidence.cached(("organisation", catalogue.key, at_risk, medians), build)
    found = evidence.read_summary(statement, today, now)
    learners = found.learners
    learners.sort(
        key=lambda e: (
            -len(e.risks()),
            e.overdue_since is None,
            e.overdue_since or today,
            e.user_id,
        )
    )
    certificates = db.session.scalar(select(func.count()).select_from(Certificate))
    return Readiness(
        today, found.departments, learners, certificates or 0, catalogue, found.medians
    )


@dataclass
class GoalStatus:
    goal: Goal
    value: float | None

    @property
    def met(self) -> bool:
        return METRICS[Metric(self.goal.metric)].met(self.value, self.goal.target)

    @property
    def shown_value(self) -> str:
        return format_value(self.goal.metric, self.value)

    @property
    def shown_target(self) -> str:
        return format_value(self.goal.metric, self.goal.target)

    @property
    def progress(self) -> int:
        if self.value is None or not self.goal.target:
            return 100 if self.met else 0
        return max(0, min(100, round(100 * self.value / self.goal.target)))


def adoption_last_week(today: date):
    """Adoption in the CRM in the last complete week (the adoption goals' values)."""
    from portal.adoption.queries import last_week
    from portal.database import utcnow

    return last_week(today, utcnow())


def goal_statuses(goals: list[Goal], state: Readiness) -> list[GoalStatus]:
    """Each goal with its current value: live from the evidence or the CRM usage, or as
    measured by hand."""
    totals = state.totals
    statuses = []
    adoption = None
    for goal in goals:
        if goal.metric == Metric.MANUAL:
            value = goal.manual_value
        elif goal.metric in ADOPTION_METRICS:
            adoption = adoption or adoption_last_week(state.today)
            value = adoption.value(goal.metric)
        elif goal.metric == Metric.CERTIFICATES_ISSUED:
            value = float(state.certificates)
        else:
            value = totals.value(goal.metric, state.today)
        statuses.append(GoalStatus(goal, value))
    return statuses


@dataclass
class WaveStatus:
    wave: Wave
    totals: Aggregate
    go: bool
    decision: SignOff | None = None  # the latest signed decision on the wave's gate


def latest_gate_decisions(waves: list[Wave]) -> dict[int, SignOff]:
    """The newest gate sign-off of each wave that has one, in one statement."""
    if not waves:
        return {}
    latest: dict[int, SignOff] = {}
    query = (
        select(SignOff)
        .where(SignOff.wave_id.in_([w.id for w in waves]))
        .order_by(SignOff.signed_at.desc(), SignOff.id.desc())
    )
    for signoff in db.session.scalars(query):
        latest.setdefault(signoff.wave_id, signoff)
    return latest


def wave_statuses(waves: list[Wave], state: Readiness) -> list[WaveStatus]:
    """Each wave's gate judged from its departments' sums (no names: see the wave page)."""
    decisions = latest_gate_decisions(waves)
    result = []
    for wave in waves:
        totals = state.of([d.id for d in wave.departments])
        criteria: list[GateCriterion] = list(wave.criteria)
        go = gate_from_totals(criteria, totals, state.today)
        result.append(WaveStatus(wave, totals, go, decisions.get(wave.id)))
    return result
