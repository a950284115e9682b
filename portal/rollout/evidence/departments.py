"""learner_summaries summed per department, and the certificates and practice of their
learners per day or hour, kept exact with them (portal.rollout.summaries) so that the dashboard
reads a few rows per department instead of every learner's (portal.rollout.evidence.
organisation reads them).

These tables follow learner_summaries in the same transaction:

- department_summaries: per department, the sums that do not depend on the day (learners,
  complete, quiz scores, exercises, stuck, certified learners);
- department_proficiency: per department and whole day, the learners whose days to
  proficiency fall in it (where a median lies);
- department_practice: per UTC hour and department, the practice actions of its
  learners (practice_hours summed);
- certificate_days: per UTC day and course, the certificates of the learners;
- course_certificates: per course, every certificate issued, anyone's.

When some learners are counted again, the change of their rows (old and new, read around
the recount) is added to the sums: a department move, a deactivation or a new certificate
moves the sums by exactly that learner's part. A recount of everyone, or of whole
departments, builds the tables again from the rows (two statements each).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable

from sqlalchemy import (
    Integer,
    Select,
    and_,
    case,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.functions import FunctionElement

from portal.extensions import db
from portal.learning.models import Certificate
from portal.rollout.evidence.practice import (
    PracticeHour,
    utc_date,
    utc_day,
)
from portal.rollout.evidence.stored import (
    CertificateDay,
    CourseCertificates,
    DepartmentPractice,
    DepartmentProficiency,
    DepartmentSummary,
    LearnerSummary,
)
from portal.rollout.sqltime import spell

NO_DEPARTMENT = 0  # department_key of learners without a department


class latest(FunctionElement):
    """The greatest of three non-NULL values, in SQL (max() on SQLite, greatest() on
    PostgreSQL)."""

    inherit_cache = True


spell(latest, sqlite="max({0}, {1}, {2})", postgresql="greatest({0}, {1}, {2})")


class whole_days(FunctionElement):
    """The whole days of a non-negative number of days (its floor), in SQL: the day of
    department_proficiency a learner's proficiency_days falls in."""

    type = Integer()
    inherit_cache = True


spell(whole_days, sqlite="CAST({0} AS INTEGER)", postgresql="CAST(floor({0}) AS INTEGER)")


def _key(department_id: int | None) -> int:
    return NO_DEPARTMENT if department_id is None else department_id


# What a learner's row adds to their department's sums, in SQL and in Python.

SUMS = ("learners", "complete", "quiz_sum", "quiz_n", "ex_learners", "ex_ok", "stuck", "certified")


def flag(condition):
    """1 where `condition` holds, else 0 (summed into counts)."""
    return case((condition, 1), else_=0)


def _sum_columns() -> dict:
    s = LearnerSummary
    has_exercises = s.ex_required > 0
    return {
        "learners": func.count(),
        "complete": func.sum(flag(and_(s.required_n > 0, s.done_n >= s.required_n))),
        "quiz_sum": func.sum(s.quiz_sum),
        "quiz_n": func.sum(s.quiz_n),
        "ex_learners": func.sum(flag(has_exercises)),
        "ex_ok": func.sum(flag(and_(has_exercises, s.ex_passed >= s.ex_required))),
        "stuck": func.sum(flag(s.stuck > 0)),
        "certified": func.count(s.proficiency_days),
    }


def _part(row) -> tuple:
    """A learner's row (user_id, department_id, required_n, done_n, ex_required,
    ex_passed, quiz_sum, quiz_n, stuck, proficiency_days) as its department's sums."""
    _user, _dept, required, done, ex_required, ex_passed, quiz_sum, quiz_n, stuck, days = row
    return (
        1,
        int(required > 0 and done >= required),
        quiz_sum,
        quiz_n,
        int(ex_required > 0),
        int(ex_required > 0 and ex_passed >= ex_required),
        int(stuck > 0),
        int(days is not None),
    )


def _learner_rows(users: Collection[int]) -> dict[int, tuple]:
    s = LearnerSummary
    rows = db.session.execute(
        select(
            s.user_id,
            s.department_id,
            s.required_n,
            s.done_n,
            s.ex_required,
            s.ex_passed,
            s.quiz_sum,
            s.quiz_n,
            s.stuck,
            s.proficiency_days,
        ).where(s.user_id.in_(list(users)))
    ).all()
    return {row[0]: tuple(row) for row in rows}


def _upsert(model, keys: list[str], rows: list[dict]) -> None:
    """Add `rows` to `model`'s counts (one statement): a new key is inserted."""
    if not rows:
        return
    table = model.__table__
    upsert = (sqlite_insert if db.session.get_bind().dialect.name == "sqlite" else pg_insert)(table)
    counts = [c.name for c in table.columns if c.name not in keys]
    db.session.execute(
        upsert.on_conflict_do_update(
            index_elements=keys,
            set_={name: table.c[name] + upsert.excluded[name] for name in counts},
        ),
        rows,
    )


def _where(rows: dict[int, tuple], user: int) -> int | None:
    """The learner's department key in `rows`, None when not there."""
    return _key(rows[user][1]) if user in rows else None


class Before:
    """Some learners' rows before they are counted again (see follow)."""

    def __init__(self, users: Collection[int]) -> None:
        self.users = list(users)
        self.rows = _learner_rows(self.users)


def follow(before: Before, certificates: dict[int, Counter]) -> None:
    """Move the department sums, practice and certificates by what counting `before`'s
    learners again changed. `certificates`: per learner, the transaction's own changes
    of their certificates ((day, course): +1 added, -1 removed), which the rows counted
    before did not include."""
    after = _learner_rows(before.users)
    old, new = before.rows, after
    sums: dict[int, list[int]] = defaultdict(lambda: [0] * len(SUMS))
    proficiency: Counter = Counter()  # (department key, whole days): learners
    for rows, sign in ((old, -1), (new, 1)):
        for row in rows.values():
            total = sums[_key(row[1])]
            for index, value in enumerate(_part(row)):
                total[index] += sign * value
            if row[9] is not None:  # proficiency_days, never negative: int() is its floor
                proficiency[(_key(row[1]), int(row[9]))] += sign
    moved = {u for u in {*old, *new} if _where(old, u) != _where(new, u)}
    entering = set(new) - set(old)
    leaving = set(old) - set(new)
    _upsert(
        DepartmentSummary,
        ["department_key"],
        [
            {"department_key": key, **dict(zip(SUMS, values, strict=True))}
            for key, values in sorted(sums.items())
            if any(values)
        ],
    )
    _add_counts(DepartmentProficiency, ["department_key", "day"], proficiency)
    if moved:  # their practice goes with them
        practice: Counter = Counter()
        hours = db.session.execute(
            select(PracticeHour.user_id, PracticeHour.hour, PracticeHour.actions).where(
                PracticeHour.user_id.in_(sorted(moved))
            )
        ).all()
        for user, day, actions in hours:
            if user in old:
                practice[(_key(old[user][1]), day)] -= actions
            if user in new:
                practice[(_key(new[user][1]), day)] += actions
        _add_practice(practice)
    issued: Counter = Counter()
    for user in set(old) & set(certificates):
        # Counted before: the certificates now less the transaction's; so a learner
        # still here moves by the transaction's, one leaving by all they have now less it.
        issued.update(certificates[user])
    if entering or leaving:
        rows = db.session.execute(
            select(Certificate.user_id, Certificate.issued_at, Certificate.course_id).where(
                Certificate.user_id.in_(sorted(entering | leaving))
            )
        ).all()
        for user, issued_at, course in rows:
            issued[(utc_day(issued_at), course)] += 1 if user in entering else -1
    _add_counts(CertificateDay, ["day", "course_id"], issued)


def add_certificates(certificates: dict[int, Counter]) -> None:
    """Add a transaction's certificates (per learner, (day, course): +1 or -1), anyone's,
    to course_certificates (one statement)."""
    issued: Counter = Counter()
    for changes in certificates.values():
        for (_day, course), n in changes.items():
            issued[(course,)] += n
    _add_counts(CourseCertificates, ["course_id"], issued)


def rebuild(*, sums: bool = True, practice: bool = True, certificates: bool = True) -> None:
    """Build the tables (or some) again from learner_summaries and certificates (two
    statements each)."""
    wanted = {
        DepartmentSummary: sums,
        DepartmentProficiency: sums,
        DepartmentPractice: practice,
        CertificateDay: certificates,
        CourseCertificates: certificates,
    }
    for model, query in counted().items():
        if wanted[model]:
            _refill(model, query)


def counted() -> dict[type, Select]:
    """What each table should hold, counted from learner_summaries (and certificates)."""
    s = LearnerSummary
    key = func.coalesce(s.department_id, NO_DEPARTMENT)
    columns = (c.label(n) for n, c in _sum_columns().items())
    p = PracticeHour
    day = utc_date(Certificate.issued_at)
    days = whole_days(s.proficiency_days)
    return {
        DepartmentSummary: select(key.label("department_key"), *columns).group_by(key),
        DepartmentProficiency: select(
            key.label("department_key"), days.label("day"), func.count().label("learners")
        )
        .where(s.proficiency_days.is_not(None))
        .group_by(key, days),
        DepartmentPractice: select(
            p.hour, key.label("department_key"), func.sum(p.actions).label("actions")
        )
        .join_from(p, s, s.user_id == p.user_id)
        .group_by(key, p.hour),
        CertificateDay: select(
            day.label("day"), Certificate.course_id, func.count().label("certificates")
        )
        .join_from(Certificate, s, s.user_id == Certificate.user_id)
        .group_by(day, Certificate.course_id),
        CourseCertificates: select(
            Certificate.course_id, func.count().label("certificates")
        ).group_by(Certificate.course_id),
    }


def _refill(model, query: Select) -> None:
    table = model.__table__
    db.session.execute(delete(table))
    db.session.execute(insert(table).from_select(list(query.selected_columns.keys()), query))


def add_practice(rows: Iterable[dict], departments: dict[int, int | None]) -> None:
    """Add practice actions ({hour, user_id, actions}) to their learners' departments
    (`departments`, from learner_practice.practising(); one statement; actions of people not in
    learner_summaries are not theirs to count)."""
    rows = list(rows)
    if not rows:
        return
    practice: Counter = Counter()
    for row in rows:
        if row["user_id"] in departments:
            practice[(_key(departments[row["user_id"]]), row["hour"])] += row["actions"]
    _add_practice(practice)


def _add_practice(practice: Counter) -> None:
    """Add (department key, hour): actions to department_practice (one statement)."""
    _add_counts(DepartmentPractice, ["department_key", "hour"], practice)


def _add_counts(model, keys: list[str], counts: Counter) -> None:
    """Add `counts` ((values of `keys`): n) to `model`'s one count column (one statement)."""
    column = next(c.name for c in model.__table__.columns if c.name not in keys)
    _upsert(
        model,
        keys,
        [
            {**dict(zip(keys, key, strict=True)), column: n}
            for key, n in sorted(counts.items())
            if n
        ],
    )
