"""What the readiness dashboard shows, each part in a fixed number of statements.

The heavy part, every department's readiness and the learners most at risk, is one
evidence statement (portal.rollout.queries.readiness); the rest reads certificates,
requirements and the plan. Nothing here runs a statement per learner or per department.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import Select, bindparam, case, func, literal, select

from portal import clock
from portal.accounts.models import Department
from portal.authoring.models import Assignment
from portal.dashboard.plan import ShownPlan, ShownWave, choose_plan
from portal.database import UTCDateTime
from portal.extensions import db
from portal.learning.models import Certificate, Course
from portal.rollout import evidence
from portal.rollout.metrics import METRICS, Metric, format_value
from portal.rollout.models import (
    Plan,
)
from portal.rollout.queries import (
    AT_RISK_SHOWN,
    GoalStatus,
    Readiness,
    WaveStatus,
    goal_statuses,
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
# What a heatmap cell's level means, for screen readers.
LEVEL_TEXTS = {
    "good": _l("meets the threshold"),
    "warn": _l("close to the threshold"),
    "bad": _l("below the threshold"),
    "none": _l("no data"),
}
WEEKS_BACK = 12
WEEKS_MAX = 40


@dataclass
class Cell:
    """One heatmap cell, its text worked out once here rather than in the template."""

    metric: Metric
    value: float | None
    threshold: float
    shown: str = field(init=False)
    level: str = field(init=False)  # good (meets the threshold), warn (within 15%), bad, none
    limit: str = field(init=False)  # the threshold, formatted

    def __post_init__(self) -> None:
        self.shown = format_value(self.metric, self.value)
        self.limit = format_value(self.metric, self.threshold)
        if self.value is None:
            self.level = "none"
        elif METRICS[self.metric].met(self.value, self.threshold):
            self.level = "good"
        else:
            self.level = "warn" if self.value >= 0.85 * self.threshold else "bad"

    # Read by the template as attributes, not calls: the texts its _() would give.
    @property
    def said(self) -> Markup:
        """What the level means."""
        return Markup(str(LEVEL_TEXTS[self.level]))

    @property
    def title(self) -> Markup:
        """The threshold, as the cell's tooltip."""
        return Markup(str(_l("Threshold %(value)s"))) % {"value": self.limit}


@dataclass
class DepartmentRow:
    id: int | None
    name: str
    sums: Aggregate
    wave: ShownWave | None
    cells: list[Cell]


def _thresholds(wave: ShownWave | None) -> dict[Metric, float]:
    """The wave's gate thresholds where it has them, else the usual defaults."""
    found = {Metric(c.kind): c.threshold for c in wave.criteria} if wave else {}
    return {metric: found.get(metric, METRICS[metric].default) for metric in HEATMAP_METRICS}


def department_names() -> dict[int, str]:
    """Every department's name by id (read once for the heatmap and the medians)."""
    names = evidence.cached(("dashboard", "names"), lambda: select(Department.id, Department.name))
    return dict(db.session.connection().execute(names).all())


def heatmap(state: Readiness, plan: ShownPlan | None, names: dict[int, str]) -> list[DepartmentRow]:
    """Departments x readiness measures, coloured against their wave's thresholds."""
    wave_of: dict[int, ShownWave] = {}
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


def timeline(plan: ShownPlan | None, today: date) -> Timeline | None:
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


def completions_by_week(state: Readiness, plan: ShownPlan | None) -> list[Week]:
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
    counts = _kept_weeks(courses, starts[0]) if catalogue.stored else _counted_weeks(courses, edges)
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


def _kept_weeks(courses: list[int], first: date) -> dict[int, int]:
    """Certificates of `courses` per week from `first` on (-1: before it), from the
    learners' certificates kept per day (evidence.CertificateDay)."""
    kept = evidence.CertificateDay
    counts: dict[int, int] = {}
    statement = evidence.cached(
        ("dashboard", "kept weeks"),
        lambda: (
            select(kept.day, func.sum(kept.certificates))
            .where(kept.course_id.in_(bindparam("courses", expanding=True)))
            .group_by(kept.day)
        ),
    )
    rows = db.session.connection().execute(statement, {"courses": courses})
    for day, n in rows:
        week = -1 if day < first else (day - first).days // 7
        counts[week] = counts.get(week, 0) + int(n or 0)
    return counts


def _counted_weeks(courses: list[int], edges: list[datetime]) -> dict[int, int]:
    """The same counted from the certificates of the active learners."""
    issued = Certificate.issued_at
    week = case(
        (issued < edges[0], -1),
        else_=whole_weeks_between(literal(edges[0], UTCDateTime), issued),
    )
    # The active learners: their kept rows when those are current (see evidence.stored).
    learners = select(evidence.learners().subquery().c.user_id)
    weeks_of = (
        select(week.label("week"))
        .where(Certificate.course_id.in_(courses), Certificate.user_id.in_(learners))
        .subquery("weeks_of")
    )
    return dict(
        db.session.execute(select(weeks_of.c.week, func.count()).group_by(weeks_of.c.week)).all()
    )


_REQUIRED = (Assignment.required.is_(True), Course.published.is_(True))


def _due_of_departments() -> Select:
    """Per department and required course family, its earliest due date."""
    family = func.coalesce(Course.translation_of_id, Course.id)
    return (
        select(Assignment.department_id, family, func.min(Assignment.due_on))
        .join(Course, Course.id == Assignment.course_id)
        .where(*_REQUIRED, Assignment.department_id.is_not(None))
        .group_by(Assignment.department_id, family)
    )


def _due_of_people() -> Select:
    """Per due date and required course family, the learners it is assigned to by name."""
    family = func.coalesce(Course.translation_of_id, Course.id)
    return (
        select(Assignment.due_on, family, func.count(func.distinct(Assignment.user_id)))
        .join(Course, Course.id == Assignment.course_id)
        .where(*_REQUIRED, Assignment.user_id.is_not(None))
        .group_by(Assignment.due_on, family)
    )


def _due_pairs(state: Readiness, plan: ShownPlan | None) -> tuple[list[tuple[date, int]], set[int]]:
    """(due date, learner-course pairs due then) from department and personal assignments,
    and the required course families."""
    fallback = plan.target_go_live if plan else state.today
    run = db.session.connection().execute
    by_department = run(evidence.cached(("dashboard", "due", "departments"), _due_of_departments))
    by_department = by_department.all()
    personal = run(evidence.cached(("dashboard", "due", "personal"), _due_of_people)).all()
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


def time_to_proficiency(state: Readiness, names: dict[int, str]) -> list[Proficiency]:
    """Median days from first sign-in to first certificate of a required course, by
    department (computed in the readiness statement)."""
    result = [
        Proficiency(department_id, names.get(department_id, ""), certified, round(days, 1))
        for department_id, (certified, days) in state.medians.items()
    ]
    return sorted(result, key=lambda row: (row.department_id is None, row.name.lower()))


@dataclass
class Dashboard:
    today: date
    plan: ShownPlan | None
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


def organisation_readiness(today: date, now: datetime) -> Readiness:
    """Every department's readiness, the learners most at risk and the medians: from the
    department sums kept with learner_summaries when they are current (a few rows per
    department), else from the evidence relation (portal.rollout.queries.readiness)."""
    catalogue = evidence.kept_catalogue()
    if not catalogue.stored:
        return readiness(today, now, medians=True)
    departments, at_risk, medians = evidence.organisation.kept_readiness(today, now, AT_RISK_SHOWN)
    certificates = evidence.organisation.certificates_issued()
    return Readiness(today, departments, at_risk, certificates, catalogue, medians)


def dashboard(plan_id: int | None, now: datetime) -> Dashboard:
    """Everything on the readiness dashboard."""
    today = clock.local_date(now)
    plan = choose_plan(plan_id)
    state = organisation_readiness(today, now)
    names = department_names()
    return Dashboard(
        today=today,
        plan=plan,
        plans=list(db.session.execute(select(Plan.id, Plan.name).order_by(Plan.id)).all()),
        state=state,
        departments=heatmap(state, plan, names),
        waves=wave_statuses(plan.waves, state) if plan else [],
        goals=goal_statuses(plan.goals, state) if plan else [],
        timeline=timeline(plan, today),
        weeks=completions_by_week(state, plan),
        proficiency=time_to_proficiency(state, names),
    )
