"""What the readiness dashboard shows, each part in a fixed number of statements.

The heavy part, every department's readiness and the learners most at risk, is one
evidence statement (portal.rollout.queries.readiness); the rest reads certificates,
requirements and the plan. Nothing here runs a statement per learner or per department.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import case, func, literal, select

from portal import clock
from portal.accounts.models import Department
from portal.authoring.models import Assignment
from portal.database import UTCDateTime
from portal.extensions import db
from portal.learning.models import Certificate, Course
from portal.rollout import evidence
from portal.rollout.metrics import METRICS, Metric, format_value
from portal.rollout.models import Plan, Wave
from portal.rollout.queries import (
    GoalStatus,
    Readiness,
    WaveStatus,
    goal_statuses,
    latest_plan,
    load_plan,
    readiness,
    wave_statuses,
)
from portal.rollout.readiness import Aggregate
from portal.rollout.sqltime import whole_weeks_between

HEATMAP_METRICS = (
    Metric.COMPLETION_RATE,
    Metric.AVG_QUIZ_SCORE,
    Metric.EXERCISE_PASS_RATE,
    Metric.PRACTICE_ACTIONS_14D,
)
WEEKS_BACK = 12
WEEKS_MAX = 40


@dataclass
class Cell:
    metric: Metric
    value: float | None
    threshold: float

    @property
    def shown(self) -> str:
        return format_value(self.metric, self.value)

    @property
    def level(self) -> str:
        """good (meets the threshold), warn (within 15% of it), bad, or none."""
        if self.value is None:
            return "none"
        if METRICS[self.metric].met(self.value, self.threshold):
            return "good"
        return "warn" if self.value >= 0.85 * self.threshold else "bad"


@dataclass
class DepartmentRow:
    id: int | None
    name: str
    sums: Aggregate
    wave: Wave | None
    cells: list[Cell]


def _thresholds(wave: Wave | None) -> dict[Metric, float]:
    """The wave's gate thresholds where it has them, else the usual defaults."""
    found = {Metric(c.kind): c.threshold for c in wave.criteria} if wave else {}
    return {metric: found.get(metric, METRICS[metric].default) for metric in HEATMAP_METRICS}


def heatmap(state: Readiness, plan: Plan | None) -> list[DepartmentRow]:
    """Departments x readiness measures, coloured against their wave's thresholds."""
    names = dict(db.session.execute(select(Department.id, Department.name)).all())
    wave_of: dict[int, Wave] = {}
    for wave in plan.waves if plan else []:
        for department in wave.departments:
            wave_of.setdefault(department.id, wave)
    rows = []
    for department_id, sums in state.departments.items():
        wave = wave_of.get(department_id)
        limits = _thresholds(wave)
        rows.append(
            DepartmentRow(
                department_id,
                names.get(department_id, "") if department_id else "",
                sums,
                wave,
                [Cell(m, sums.value(m, state.today), limits[m]) for m in HEATMAP_METRICS],
            )
        )
    return sorted(rows, key=lambda row: (row.id is None, row.name.lower()))


@dataclass
class Bar:
    label: str
    status: str
    starts_on: date
    ends_on: date
    left: float
    width: float
    phase_id: int


@dataclass
class Timeline:
    starts_on: date
    ends_on: date
    today_left: float
    bars: list[Bar]
    undated: list  # phases without both dates
    markers: list[tuple[str, date, float]]  # wave name, go-live, position


def timeline(plan: Plan | None, today: date) -> Timeline | None:
    """The plan's phases on a time axis, with today and each wave's go-live marked."""
    if plan is None or not plan.phases:
        return None
    dated = [p for p in plan.phases if p.starts_on and p.ends_on]
    points = [today, plan.target_go_live, *(w.go_live_on for w in plan.waves)]
    points += [d for p in dated for d in (p.starts_on, p.ends_on)]
    start, end = min(points), max(points) + timedelta(days=1)
    span = (end - start).days

    def at(day: date) -> float:
        return round(100 * (day - start).days / span, 2)

    bars = [
        Bar(
            p.name,
            p.status,
            p.starts_on,
            p.ends_on,
            at(p.starts_on),
            max(round(100 * ((p.ends_on - p.starts_on).days + 1) / span, 2), 0.5),
            p.id,
        )
        for p in dated
    ]
    markers = [(w.name, w.go_live_on, at(w.go_live_on)) for w in plan.waves]
    undated = [p for p in plan.phases if p not in dated]
    return Timeline(start, end, at(today), bars, undated, markers)


@dataclass
class Week:
    starts_on: date
    completions: int | None  # None for weeks still to come
    cumulative: int | None
    planned: int


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def completions_by_week(state: Readiness, plan: Plan | None) -> list[Week]:
    """Certificates of required courses per week against the plan's line.

    The plan's line is the cumulative number of (learner, required course) pairs due by
    the end of each week, from the assignments' due dates (a course with no due date is
    due at the plan's target go-live).
    """
    today = state.today
    first = _week_start(today) - timedelta(weeks=WEEKS_BACK - 1)
    last = _week_start(max(today, plan.target_go_live if plan else today) + timedelta(weeks=1))
    last = min(last, first + timedelta(weeks=WEEKS_MAX - 1))
    starts = [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
    edges = [datetime(d.year, d.month, d.day, tzinfo=UTC) for d in starts]

    due, families = _due_pairs(state, plan)
    catalogue = state.catalogue
    courses = [c for c in catalogue.published if catalogue.family.get(c, c) in families]
    issued = Certificate.issued_at
    week = case(
        (issued < edges[0], -1),
        else_=whole_weeks_between(literal(edges[0], UTCDateTime), issued),
    )
    weeks_of = (
        select(week.label("week"))
        .where(
            Certificate.course_id.in_(courses),
            Certificate.user_id.in_(select(evidence.learners().subquery().c.user_id)),
        )
        .subquery("weeks_of")
    )
    counts = dict(
        db.session.execute(select(weeks_of.c.week, func.count()).group_by(weeks_of.c.week)).all()
    )
    weeks, total = [], counts.get(-1, 0)
    for index, start in enumerate(starts):
        week_end = start + timedelta(days=7)
        planned = sum(n for day, n in due if day < week_end)
        if start <= today:
            total += counts.get(index, 0)
            weeks.append(Week(start, counts.get(index, 0), total, planned))
        else:
            weeks.append(Week(start, None, None, planned))
    return weeks


def _due_pairs(state: Readiness, plan: Plan | None) -> tuple[list[tuple[date, int]], set[int]]:
    """(due date, learner-course pairs due then) from department and personal assignments,
    and the required course families."""
    fallback = plan.target_go_live if plan else state.today
    family = func.coalesce(Course.translation_of_id, Course.id)
    required = (Assignment.required.is_(True), Course.published.is_(True))
    by_department = db.session.execute(
        select(Assignment.department_id, family, func.min(Assignment.due_on))
        .join(Course, Course.id == Assignment.course_id)
        .where(*required, Assignment.department_id.is_not(None))
        .group_by(Assignment.department_id, family)
    ).all()
    personal = db.session.execute(
        select(Assignment.due_on, family, func.count(func.distinct(Assignment.user_id)))
        .join(Course, Course.id == Assignment.course_id)
        .where(*required, Assignment.user_id.is_not(None))
        .group_by(Assignment.due_on, family)
    ).all()
    pairs = [
        (due_on or fallback, state.departments[department_id].learners)
        for department_id, _family, due_on in by_department
        if department_id in state.departments
    ]
    pairs += [(due_on or fallback, count) for due_on, _family, count in personal]
    families = {row[1] for row in by_department} | {row[1] for row in personal}
    return pairs, families


@dataclass
class Proficiency:
    department_id: int | None
    name: str
    learners: int  # with a first certificate and a known first sign-in
    median_days: float


def time_to_proficiency(state: Readiness) -> list[Proficiency]:
    """Median days from first sign-in to first certificate of a required course, by
    department (computed in the readiness statement)."""
    names = dict(db.session.execute(select(Department.id, Department.name)).all())
    result = [
        Proficiency(department_id, names.get(department_id, ""), certified, round(days, 1))
        for department_id, (certified, days) in state.medians.items()
    ]
    return sorted(result, key=lambda row: (row.department_id is None, row.name.lower()))


@dataclass
class Dashboard:
    today: date
    plan: Plan | None
    plans: list[tuple[int, str]]
    state: Readiness
    departments: list[DepartmentRow]
    waves: list[WaveStatus]
    goals: list[GoalStatus]
    timeline: Timeline | None
    weeks: list[Week]
    proficiency: list[Proficiency] = field(default_factory=list)

    @property
    def totals(self) -> Aggregate:
        return self.state.totals


def choose_plan(plan_id: int | None) -> Plan | None:
    """The plan asked for, else the one going live soonest."""
    return (load_plan(plan_id) if plan_id else None) or latest_plan()


def dashboard(plan_id: int | None, now: datetime) -> Dashboard:
    """Everything on the readiness dashboard."""
    today = clock.local_date(now)
    plan = choose_plan(plan_id)
    state = readiness(today, now, medians=True)
    return Dashboard(
        today=today,
        plan=plan,
        plans=list(db.session.execute(select(Plan.id, Plan.name).order_by(Plan.id)).all()),
        state=state,
        departments=heatmap(state, plan),
        waves=wave_statuses(plan.waves, state) if plan else [],
        goals=goal_statuses(plan.goals, state) if plan else [],
        timeline=timeline(plan, today),
        weeks=completions_by_week(state, plan),
        proficiency=time_to_proficiency(state),
    )
