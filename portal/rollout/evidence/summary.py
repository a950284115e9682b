"""Summing the evidence relation: each department's sums and the learners a page names,
in one statement, and a cache of built statements. For a gate, gate_summary() also counts
the learners holding each criterion back, and returns only those it may name.

`summary()` returns one result in parts (a department's sums; a learner's row; a
department's time to proficiency), so the per-learner relation is computed once per
page however many ways the page uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
    Float,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    text,
    union_all,
)

from portal.accounts.models import Department, User
from portal.extensions import db
from portal.rollout.evidence.names import by_code_point
from portal.rollout.evidence.parts import params
from portal.rollout.readiness import Aggregate, LearnerEvidence
from portal.rollout.sqltime import days_between

_built: dict[tuple, CompoundSelect] = {}


def cached(key: tuple, build: Callable[[], CompoundSelect]) -> CompoundSelect:
    """The statement built for `key` (which must name everything it depends on, the
    catalogue's key included), building it the first time. Statements are immutable and
    take the day as parameters, so requests on any thread can share them."""
    statement = _built.get(key)
    if statement is None:
        if len(_built) >= 256:
            _built.clear()
        statement = _built[key] = build()
    return statement


# Conditions on the evidence relation.


def is_complete(e: CTE) -> ColumnElement:
    """Every required course certified (and at least one required)."""
    return and_(e.c.required_n > 0, e.c.done_n >= e.c.required_n)


def is_overdue(e: CTE) -> ColumnElement:
    """A required course past its due date and not certified."""
    return e.c.overdue_since.is_not(None)


def is_stuck(e: CTE) -> ColumnElement:
    """A quiz failed three times or more and never passed."""
    return e.c.stuck > 0


def is_inactive(e: CTE) -> ColumnElement:
    """Neither practice nor study in the window while required training is still open,
    of an account at least as old as the window."""
    return and_(e.c.actions == 0, e.c.studied == 0, ~is_complete(e), e.c.new_account == 0)


def _flag(condition: ColumnElement) -> ColumnElement:
    return case((condition, 1), else_=0)


def department_sums(e: CTE) -> dict[str, ColumnElement]:
    """Aggregates of the evidence rows, per group; names match readiness.Aggregate."""
    has_exercises = e.c.ex_required > 0
    return {
        "learners": func.count(),
        "complete": func.sum(_flag(is_complete(e))),
        "quiz_sum": func.sum(e.c.quiz_sum),
        "quiz_n": func.sum(e.c.quiz_n),
        "ex_learners": func.sum(_flag(has_exercises)),
        "ex_ok": func.sum(_flag(and_(has_exercises, e.c.ex_passed >= e.c.ex_required))),
        "actions": func.sum(e.c.actions),
        "overdue": func.sum(_flag(is_overdue(e))),
        "stuck": func.sum(_flag(is_stuck(e))),
        "inactive": func.sum(_flag(is_inactive(e))),
        "at_risk": func.sum(_flag(risk(e) > 0)),
        "earliest_overdue": func.min(e.c.overdue_since),
    }


def risk(e: CTE) -> ColumnElement:
    """How many warning signs a learner shows: overdue, stuck on a quiz, inactive."""
    return _flag(is_overdue(e)) + _flag(is_stuck(e)) + _flag(is_inactive(e))


def risk_order(e: CTE) -> tuple[ColumnElement, ...]:
    """Most at risk first: more warning signs, then longest overdue, then by id."""
    return (risk(e).desc(), _flag(e.c.overdue_since.is_(None)), e.c.overdue_since, e.c.user_id)


def _median_days_part(e: CTE) -> tuple[dict, Select]:
    """Per department: learners certified and the median days from their first sign-in
    to their first certificate of a required course (window functions find the middle)."""
    elapsed = days_between(e.c.first_login_at, e.c.first_certificate)
    spans = (
        select(
            e.c.department_id,
            # A certificate dated before the first sign-in (imported history) is day 0.
            case((elapsed < 0, 0.0), else_=elapsed).label("days"),
        )
        .where(e.c.first_login_at.is_not(None), e.c.first_certificate.is_not(None))
        .subquery("spans")
    )
    ranked = select(
        spans.c.department_id,
        spans.c.days,
        func.row_number()
        .over(partition_by=spans.c.department_id, order_by=spans.c.days)
        .label("position"),
        func.count().over(partition_by=spans.c.department_id).label("size"),
    ).subquery("ranked")
    middle = ranked.c.position.in_([(ranked.c.size + 1) // 2, (ranked.c.size + 2) // 2])
    columns = {
        "part": literal(3),
        "department_id": ranked.c.department_id,
        "certified_learners": func.max(ranked.c.size),
        "median_days": func.avg(ranked.c.days, type_=Float),
    }
    return columns, select().where(middle).group_by(ranked.c.department_id)


def summary(evidence: CTE, learners: Select, *, medians: bool = False) -> CompoundSelect:
    """Department sums and some learners' rows of the evidence, in one statement.

    `learners` selects evidence rows (ordered, limited as the page needs). The parts come
    back as one result (`part` 1: a department's sums in columns s_*; part 2: a learner,
    with name and department; part 3, with `medians`: a department's time to
    proficiency), so the evidence is computed once.
    """
    e = evidence
    chosen = learners.subquery("chosen")
    learner_part = {
        "part": literal(2),
        "department_id": chosen.c.department_id,
        **{name: chosen.c[name] for name in LEARNER_COLUMNS if name != "department_id"},
        "name": User.name,
        "email": User.email,
        "department": func.coalesce(Department.name, ""),
    }
    department_part = {
        "part": literal(1),
        "department_id": e.c.department_id,
        **{"s_" + name: aggregate for name, aggregate in department_sums(e).items()},
    }
    parts = [department_part, learner_part]
    if medians:
        median_part, median_query = _median_days_part(e)
        parts.append(median_part)
    names = list(dict.fromkeys(name for part in parts for name in part))
    types = {name: column.type for part in reversed(parts) for name, column in part.items()}

    def pad(part: dict) -> list:
        # A missing column is a NULL cast to the other part's type: results keep their
        # types, and PostgreSQL can match the parts' columns.
        return [part.get(name, cast(null(), types[name])).label(name) for name in names]

    selects = [
        select(*pad(department_part)).group_by(e.c.department_id),
        select(*pad(learner_part))
        .select_from(chosen)
        .join(User, User.id == chosen.c.user_id)
        .outerjoin(Department, Department.id == chosen.c.department_id),
    ]
    if medians:
        selects.append(median_query.add_columns(*pad(median_part)))
    return union_all(*selects)


# The evidence relation's columns: LearnerEvidence's fields less the looked-up names.
LEARNER_COLUMNS = tuple(
    name for name in LearnerEvidence.FIELDS if name not in ("name", "email", "department")
)


@dataclass
class Summary:
    """What a summary() statement returned."""

    departments: dict[int | None, Aggregate]
    learners: list[LearnerEvidence]
    medians: dict[int | None, tuple[int, float]]  # department -> (certified, median days)


def _run(statement: CompoundSelect, values: dict, **settings: str):
    """Execute an evidence statement with the settings it needs (and `settings`, more
    PostgreSQL settings for this transaction), set in one round trip."""
    if db.session.get_bind().dialect.name == "postgresql":
        # For this transaction only: JIT compiling the statement takes longer than running
        # it, and a prepared statement's generic plan (psycopg prepares after five runs)
        # cannot see the day and the window, which the plan depends on.
        settings = {"jit": "off", "plan_cache_mode": "force_custom_plan", **settings}
        calls = [f"set_config('{name}', '{value}', true)" for name, value in settings.items()]
        db.session.execute(text("SELECT " + ", ".join(calls)))
    return db.session.execute(statement, values)


def _aggregate(row, sums: list[tuple[str, int]]) -> Aggregate:
    return Aggregate(
        **{name: int(row[index] or 0) for name, index in sums[:-1]},
        earliest_overdue=row[sums[-1][1]],
    )


def read_summary(statement: CompoundSelect, today: date, now: datetime) -> Summary:
    """Run a summary() for `now`: each department's sums, the learners' rows, any medians."""
    result = _run(statement, params(today, now))
    keys = list(result.keys())
    part = keys.index("part")
    department = keys.index("department_id")
    sums = [(name, keys.index("s_" + name)) for name in Aggregate.FIELDS]
    fields = [keys.index(name) for name in LearnerEvidence.FIELDS]
    # PostgreSQL sums integers as numeric (Decimal in Python): counts are made ints again.
    whole = [name in LearnerEvidence.COUNTS for name in LearnerEvidence.FIELDS]
    found = Summary({}, [], {})
    for row in result:
        if row[part] == 1:
            found.departments[row[department]] = _aggregate(row, sums)
        elif row[part] == 2:
            found.learners.append(
                LearnerEvidence(
                    *[
                        int(row[index] or 0) if count else row[index]
                        for index, count in zip(fields, whole, strict=True)
                    ]
                )
            )
        else:
            found.medians[row[department]] = (
                int(row[keys.index("certified_learners")]),
                float(row[keys.index("median_days")]),
            )
    return found


# A gate: department sums, and per test (a criterion) how many learners fail it and which
# of them a page names first.


@dataclass(frozen=True)
class Test:
    """Learners failing one criterion: `holds` is true for them, `badness` orders them
    (lowest first), as portal.rollout.gates.holders does in Python."""

    holds: ColumnElement
    badness: ColumnElement


GATE_COLUMNS = tuple(name for name in LEARNER_COLUMNS if name != "department_id")


def gate_summary(evidence: CTE, tests: list[Test], named: int) -> CompoundSelect:
    """Department sums with how many learners fail each test (columns h_0, h_1...), and
    for each test the `named` learners a page names first by (badness, name lower-cased,
    user id), in one statement. users.sort_name compared code point by code point orders
    names exactly as Python's name.lower() does, whatever their script. The learners come
    back as part 2 rows with `criterion` (the test's index) and `name`.
    """
    e = evidence
    columns = [*[e.c[name] for name in LEARNER_COLUMNS], e.c.name]
    department_part = {
        "part": literal(1),
        "department_id": e.c.department_id,
        **{"s_" + name: aggregate for name, aggregate in department_sums(e).items()},
        **{f"h_{index}": func.sum(_flag(test.holds)) for index, test in enumerate(tests)},
    }
    candidates = []  # (part, subquery)
    for index, test in enumerate(tests):
        first = (
            select(*columns)
            .where(test.holds)
            .order_by(test.badness, by_code_point(e.c.sort_name), e.c.user_id)
            .limit(named)
            .subquery(f"first_{index}")
        )
        part = {
            "part": literal(2),
            "department_id": first.c.department_id,
            "criterion": literal(index),
            **{name: first.c[name] for name in GATE_COLUMNS},
            "name": first.c.name,
        }
        candidates.append((part, first))
    parts = [department_part, *(part for part, _ in candidates)]
    names = list(dict.fromkeys(name for part in parts for name in part))
    types = {name: column.type for part in reversed(parts) for name, column in part.items()}

    def pad(part: dict) -> list:
        return [part.get(name, cast(null(), types[name])).label(name) for name in names]

    selects = [select(*pad(department_part)).group_by(e.c.department_id)]
    selects += [select(*pad(part)).select_from(chosen) for part, chosen in candidates]
    return union_all(*selects)


@dataclass
class GateSummary:
    """What a gate_summary() statement returned."""

    departments: dict[int | None, Aggregate]
    holding: list[int]  # per test: how many learners fail it
    candidates: list[list[LearnerEvidence]]  # per test: the candidates for naming


def read_gate_summary(
    statement: CompoundSelect, tests: int, values: dict, departments: dict[int, str]
) -> GateSummary:
    """Run a gate_summary() of `tests` tests with its parameters `values`; `departments`
    names the departments (the learners' rows carry only the id)."""
    # The wave's learners joined to their names: PostgreSQL would hash the whole users
    # table, where walking both primary keys in step (or looking each up) costs a
    # fraction. For this statement only, so set back once its rows are read.
    result = _run(statement, values, enable_hashjoin="off")
    keys = list(result.keys())
    rows = result.all()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL enable_hashjoin TO DEFAULT"))
    part = keys.index("part")
    department = keys.index("department_id")
    sums = [(name, keys.index("s_" + name)) for name in Aggregate.FIELDS]
    counts = [keys.index(f"h_{index}") for index in range(tests)]
    if tests:  # else there are no learner rows, nor their columns
        criterion, name = keys.index("criterion"), keys.index("name")
        fields = [keys.index(column) for column in GATE_COLUMNS]
        whole = [column in LearnerEvidence.COUNTS for column in GATE_COLUMNS]
    found = GateSummary({}, [0] * tests, [[] for _ in range(tests)])
    for row in rows:
        if row[part] == 1:
            found.departments[row[department]] = _aggregate(row, sums)
            for index, column in enumerate(counts):
                found.holding[index] += int(row[column] or 0)
        else:
            user_id, *rest = (
                int(row[index] or 0) if count else row[index]
                for index, count in zip(fields, whole, strict=True)
            )
            found.candidates[row[criterion]].append(
                LearnerEvidence(  # email not read
                    user_id,
                    row[name],
                    "",
                    row[department],
                    departments.get(row[department], ""),
                    *rest,
                )
            )
    return found
