"""What the dashboard reads of the sums kept per department (portal.rollout.evidence.
departments): every department's readiness, the learners most at risk, the medians of days
to proficiency and the certificates issued, in a few statements none of which reads every
learner.

What depends on the day is worked out at read time from the learners it may concern
only: overdue (due_on before today), inactive (idle_from before the window) or stuck,
each a range of its own index of learner_summaries, read once for the department counts
and the list. Practice in the window is a range of department_practice's hours (the
window starts on the hour). A median is read where department_proficiency's running
counts put it: from the whole day of the lower middle learner, past the learners before
them in that day, one or two rows of the (department, proficiency_days) index.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    null,
    select,
    union_all,
)

from portal.accounts.models import Department, User
from portal.extensions import db
from portal.rollout.evidence.departments import NO_DEPARTMENT, SUMS, flag
from portal.rollout.evidence.parts import SINCE, TODAY, params
from portal.rollout.evidence.practice import practice_actions_of
from portal.rollout.evidence.stored import (
    CourseCertificates,
    DepartmentPractice,
    DepartmentProficiency,
    DepartmentSummary,
    LearnerSummary,
)
from portal.rollout.evidence.summary import cached
from portal.rollout.readiness import Aggregate, LearnerEvidence


def _risk_flags() -> tuple:
    s = LearnerSummary
    return flag(s.due_on < TODAY), flag(s.stuck > 0), flag(s.idle_from < SINCE)


def _risky() -> tuple[ColumnElement, ...]:
    """The learners at risk as three ranges that do not overlap, each of its own index:
    overdue; stuck, not overdue; inactive, neither (an OR of the three, SQLite scans
    the whole table)."""
    s = LearnerSummary
    not_overdue = flag(s.due_on < TODAY) == 0  # (due_on may be NULL)
    return (
        s.due_on < TODAY,
        and_(s.stuck > 0, not_overdue),
        and_(s.idle_from < SINCE, s.stuck <= 0, not_overdue),
    )


def _kept_sums() -> Select:
    """Each department's sums, and where its median days to proficiency lie: the whole
    day (of department_proficiency) of its lower middle certified learner, and how many
    of that day's learners come before them (None without certified learners)."""
    d, h = DepartmentSummary, DepartmentProficiency
    upto = func.sum(h.learners).over(partition_by=h.department_key, order_by=h.day, rows=(None, 0))
    running = select(h.department_key, h.day, h.learners, upto.label("upto")).subquery()
    lower = (d.certified - 1) // 2  # the lower middle's place, from 0
    before = running.c.upto - running.c.learners
    return (
        select(
            d.department_key,
            *(d.__table__.c[n] for n in SUMS),
            running.c.day,
            (lower - before).label("skip"),
        )
        .outerjoin(
            running,
            and_(
                running.c.department_key == d.department_key,
                before <= lower,
                running.c.upto > lower,
            ),
        )
        .where(d.learners > 0)
    )


def _practice_sums() -> Select:
    """Per department, practice actions since SINCE: its hours from SINCE on in
    department_practice (the window starts on the hour)."""
    d = DepartmentPractice
    return (
        select(d.department_key, func.sum(d.actions))
        .where(d.hour >= SINCE)
        .group_by(d.department_key)
    )


def _risk(limit: int) -> Select:
    """Per department, over the learners at risk only (their rows read once, each
    condition a range of its own index): overdue, the earliest overdue, inactive, at
    risk; then, on the department's row (repeated), one of the `limit` learners most at
    risk if they are in it (readiness.LearnerEvidence's fields, else NULL), most at risk
    first."""
    s = LearnerSummary
    overdue, stuck, idle = _risk_flags()
    columns = (
        s.user_id,
        func.coalesce(s.department_id, NO_DEPARTMENT).label("department_key"),
        overdue.label("overdue"),
        case((s.due_on < TODAY, s.due_on), else_=null()).label("overdue_since"),
        idle.label("idle"),
        (overdue + stuck + idle).label("signs"),
    )
    ranges = (select(*columns).where(condition) for condition in _risky())
    risky = union_all(*ranges).cte("risky").prefix_with("MATERIALIZED")
    sums = (
        select(
            risky.c.department_key,
            func.sum(risky.c.overdue).label("overdue"),
            func.min(risky.c.overdue_since).label("earliest"),
            func.sum(risky.c.idle).label("inactive"),
            func.count().label("at_risk"),
        )
        .group_by(risky.c.department_key)
        .subquery("sums")
    )

    def order(rows) -> tuple:
        """Most warning signs first, then longest overdue, then by id (as risk_order)."""
        return (rows.c.signs.desc(), 1 - rows.c.overdue, rows.c.overdue_since, rows.c.user_id)

    chosen = select(risky).order_by(*order(risky)).limit(limit).subquery("chosen")
    complete = and_(s.required_n > 0, s.done_n >= s.required_n)
    fields = (
        chosen.c.user_id,
        User.name,
        User.email,
        s.department_id,
        func.coalesce(Department.name, "").label("department"),
        s.required_n,
        s.done_n,
        chosen.c.overdue_since,
        s.ex_required,
        s.ex_passed,
        s.quiz_sum,
        s.quiz_n,
        s.stuck,
        practice_actions_of(s.user_id, SINCE).label("actions"),
        case((complete, null()), (s.studied_at >= SINCE, 1), else_=0).label("studied"),
        case((s.created_at >= SINCE, 1), else_=0).label("new_account"),
    )
    learners = (
        select(chosen.c.department_key, chosen.c.signs, chosen.c.overdue, *fields)
        .join_from(chosen, s, s.user_id == chosen.c.user_id)
        .join(User, User.id == s.user_id)
        .outerjoin(Department, Department.id == s.department_id)
        .subquery("learners")
    )
    return (
        select(
            sums.c.department_key,
            sums.c.overdue,
            sums.c.earliest,
            sums.c.inactive,
            sums.c.at_risk,
            *(learners.c[name] for name in LearnerEvidence.FIELDS),
        )
        .outerjoin(learners, learners.c.department_key == sums.c.department_key)
        .order_by(*order(learners))
    )


def _medians(keys: tuple[int, ...]) -> Select:
    """Each department's (key, median days to proficiency), of the departments `keys`:
    from the whole day its middle lies in (day_<key>), past the learners before it
    (skip_<key>), the middle one or two (take_<key>) of its ordered index."""
    s = LearnerSummary
    parts = []
    for key in keys:
        department = s.department_id.is_(None) if key == NO_DEPARTMENT else s.department_id == key
        middle = (
            select(s.proficiency_days.label("days"))
            .where(department, s.proficiency_days >= bindparam(f"day_{key}", type_=Integer))
            .order_by(s.proficiency_days)
            .offset(bindparam(f"skip_{key}", type_=Integer))
            .limit(bindparam(f"take_{key}", type_=Integer))
            .subquery("middle")
        )
        days = select(func.avg(middle.c.days, type_=Float)).scalar_subquery()
        parts.append(select(literal(key), days))
    return union_all(*parts) if len(parts) > 1 else parts[0]


def kept_readiness(today: date, now: datetime, at_risk: int) -> tuple:
    """Every department's readiness sums (readiness.Aggregate), the `at_risk` learners most
    at risk (readiness.LearnerEvidence, most at risk first) and each department's
    (certified learners, median days to proficiency), from the kept rows (four
    statements, none reading every learner; each built once)."""
    values = params(today, now)
    run = db.session.connection().execute  # Core: the rows need no ORM
    found: dict[int | None, Aggregate] = {}
    certified: dict[int, int] = {}
    middles: dict[int, tuple[int, int]] = {}  # department key: its median's day, skip
    for row in run(cached(("departments", "sums"), _kept_sums)):
        key, *sums, day, skip = row
        named = dict(zip(SUMS, (int(v or 0) for v in sums), strict=True))
        certified[key] = named.pop("certified")
        found[None if key == NO_DEPARTMENT else key] = Aggregate(**named)
        if certified[key] and day is not None:
            middles[key] = (day, skip)
    practice = cached(("departments", "practice"), _practice_sums)
    for key, actions in run(practice, values):
        group = found.get(None if key == NO_DEPARTMENT else key)
        if group is not None:
            group.actions = int(actions or 0)
    counts, names = LearnerEvidence.COUNTS, LearnerEvidence.FIELDS
    learners = []
    risk = cached(("departments", "risk", at_risk), lambda: _risk(at_risk))
    for key, overdue, earliest, inactive, risky, *learner in run(risk, values):
        group = found.get(None if key == NO_DEPARTMENT else key)
        if group is not None:
            group.overdue, group.inactive, group.at_risk = int(overdue), int(inactive), int(risky)
            group.earliest_overdue = earliest
        if learner[0] is not None:  # one of the learners most at risk
            named = zip(names, learner, strict=True)
            learners.append(LearnerEvidence(*(int(v or 0) if n in counts else v for n, v in named)))
    medians = {}
    keys = tuple(sorted(middles))
    if keys:
        statement = cached(("departments", "medians", keys), lambda: _medians(keys))
        where = {}
        for key, (day, skip) in middles.items():
            where |= {f"day_{key}": day, f"skip_{key}": skip, f"take_{key}": 2 - certified[key] % 2}
        for key, days in run(statement, where):
            medians[None if key == NO_DEPARTMENT else key] = (certified[key], float(days))
    return found, learners, medians


def certificates_issued() -> int:
    """Every certificate issued, anyone's, from course_certificates (a few rows)."""
    statement = cached(
        ("departments", "issued"), lambda: select(func.sum(CourseCertificates.certificates))
    )
    return int(db.session.connection().scalar(statement) or 0)
