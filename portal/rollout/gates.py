"""Go-live gates: each wave's criteria judged against its learners' training evidence.

A gate is go only when it has criteria, its departments have learners, and every
criterion is met. Each criterion also names who holds it back: the departments whose own
value misses the threshold and the learners whose own record does.

One statement does the work: the database sums the wave's departments, counts the
learners holding each criterion back (holder_test, the SQL twin of holders()) and returns
only the few that may be named; Python then orders those exactly as it would order them
all (see evidence.gate_summary).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import (
    CTE,
    ColumnElement,
    Date,
    Float,
    and_,
    bindparam,
    case,
    cast,
    literal,
    or_,
)

from portal import clock
from portal.database import utcnow
from portal.rollout import evidence
from portal.rollout.metrics import METRICS, Metric, format_value
from portal.rollout.models import GateCriterion, Wave
from portal.rollout.readiness import Aggregate, LearnerEvidence

NAMED_LEARNERS = 10  # how many learners a criterion names; the rest are counted


@dataclass
class Holder:
    """A learner holding a criterion back, and why (e.g. "2 of 3 courses")."""

    user_id: int
    name: str
    department: str
    detail: str


@dataclass
class CriterionResult:
    kind: str
    threshold: float
    value: float | None
    met: bool
    learners: list[Holder] = field(default_factory=list)
    learners_total: int = 0
    departments: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Metric(self.kind).label

    @property
    def at_most(self) -> bool:
        return METRICS[Metric(self.kind)].at_most

    @property
    def shown_value(self) -> str:
        return format_value(self.kind, self.value)

    @property
    def shown_threshold(self) -> str:
        return format_value(self.kind, self.threshold)

    @property
    def reason(self) -> str:
        """One sentence saying why the criterion is not met."""
        if self.value is None:
            return _("%(label)s: no evidence yet.", label=self.label)
        needs = (
            _("at most %(value)s", value=self.shown_threshold)
            if self.at_most
            else _("at least %(value)s", value=self.shown_threshold)
        )
        held = ngettext(
            "%(num)d learner holds it back.",
            "%(num)d learners hold it back.",
            self.learners_total,
        )
        return _(
            "%(label)s is %(value)s, needs %(needs)s.",
            label=self.label,
            value=self.shown_value,
            needs=needs,
        ) + (" " + held if self.learners_total else "")


@dataclass
class GateResult:
    wave_id: int
    today: date
    learners: int
    totals: Aggregate
    criteria: list[CriterionResult]
    problems: list[str]  # reasons that stop the gate before any criterion

    @property
    def go(self) -> bool:
        return not self.problems and all(c.met for c in self.criteria)

    @property
    def status(self) -> str:
        return "go" if self.go else "no_go"

    @property
    def reasons(self) -> list[str]:
        return self.problems + [c.reason for c in self.criteria if not c.met]

    def snapshot(self) -> dict:
        """What the gate said, for keeping with a sign-off."""
        return {
            "status": self.status,
            "learners": self.learners,
            "criteria": [
                {
                    "kind": c.kind,
                    "threshold": c.threshold,
                    "value": c.value,
                    "met": c.met,
                    "holding_back": c.learners_total,
                }
                for c in self.criteria
            ],
            "reasons": self.reasons,
        }


def holders(
    kind: Metric, threshold: float, learners: list[LearnerEvidence], today: date
) -> list[tuple[float, LearnerEvidence]]:
    """The learners holding one criterion back, each with how badly (lower is worse)."""
    if kind == Metric.COMPLETION_RATE:
        return [
            (e.done_n / e.required_n if e.required_n else 0.0, e)
            for e in learners
            if e.required_n == 0 or e.done_n < e.required_n
        ]
    if kind == Metric.AVG_QUIZ_SCORE:
        limit = threshold - 1e-9
        return [
            (e.quiz_sum / e.quiz_n, e)
            for e in learners
            if e.quiz_n and e.quiz_sum / e.quiz_n < limit
        ]
    if kind == Metric.EXERCISE_PASS_RATE:
        return [
            (e.ex_passed / e.ex_required, e)
            for e in learners
            if e.ex_required and e.ex_passed < e.ex_required
        ]
    if kind == Metric.PRACTICE_ACTIONS_14D:
        limit = threshold - 1e-9
        return [(float(e.actions), e) for e in learners if e.actions < limit]
    latest = today - timedelta(days=int(threshold))  # overdue by more than threshold days
    return [
        (float((e.overdue_since - today).days), e)
        for e in learners
        if e.overdue_since is not None and e.overdue_since < latest
    ]


def holder_detail(kind: Metric, learner: LearnerEvidence, today: date) -> str:
    """Why a learner holds a criterion back, in a few words."""
    if kind == Metric.COMPLETION_RATE:
        if learner.required_n == 0:
            return _("no required course assigned")
        return _(
            "%(done)d of %(total)d required courses", done=learner.done_n, total=learner.required_n
        )
    if kind == Metric.AVG_QUIZ_SCORE:
        return _("average %(score)s", score=format_value(kind, learner.quiz_average))
    if kind == Metric.EXERCISE_PASS_RATE:
        return _(
            "%(done)d of %(total)d exercises passed",
            done=learner.ex_passed,
            total=learner.ex_required,
        )
    if kind == Metric.PRACTICE_ACTIONS_14D:
        return ngettext("%(num)d practice action", "%(num)d practice actions", learner.actions)
    days = learner.overdue_days(today)
    return ngettext("%(num)d day overdue", "%(num)d days overdue", days)


def holder_test(kind: Metric, e: CTE, index: int) -> evidence.Test:
    """holders() in SQL, on the evidence relation `e`: true for the learners holding the
    criterion back, and how badly, computed as holders() computes them (the same
    floating-point divisions), so that SQL and Python count and order them alike. A
    threshold is the parameter limit_<index> (see holder_limit)."""

    def ratio(part: ColumnElement, whole: ColumnElement) -> ColumnElement:
        return cast(part, Float) / cast(whole, Float)  # a double divided by a double

    numeric = kind in (Metric.AVG_QUIZ_SCORE, Metric.PRACTICE_ACTIONS_14D)
    limit = bindparam(f"limit_{index}", type_=Float if numeric else Date)
    if kind == Metric.COMPLETION_RATE:
        return evidence.Test(
            or_(e.c.required_n == 0, e.c.done_n < e.c.required_n),
            case(
                (e.c.required_n == 0, literal(0.0, Float)), else_=ratio(e.c.done_n, e.c.required_n)
            ),
        )
    if kind == Metric.AVG_QUIZ_SCORE:
        average = case((e.c.quiz_n > 0, ratio(e.c.quiz_sum, e.c.quiz_n)))  # NULL: no quiz
        return evidence.Test(average < limit, average)
    if kind == Metric.EXERCISE_PASS_RATE:
        return evidence.Test(
            and_(e.c.ex_required > 0, e.c.ex_passed < e.c.ex_required),
            case((e.c.ex_required > 0, ratio(e.c.ex_passed, e.c.ex_required))),
        )
    if kind == Metric.PRACTICE_ACTIONS_14D:
        return evidence.Test(e.c.actions < limit, e.c.actions)
    return evidence.Test(e.c.overdue_since < limit, e.c.overdue_since)


def holder_limit(kind: Metric, threshold: float, today: date) -> float | date | None:
    """The value of a holder_test()'s parameter, as holders() computes its limit."""
    if kind in (Metric.COMPLETION_RATE, Metric.EXERCISE_PASS_RATE):
        return None  # no parameter: the threshold does not decide who holds it back
    if kind in (Metric.AVG_QUIZ_SCORE, Metric.PRACTICE_ACTIONS_14D):
        return threshold - 1e-9
    return today - timedelta(days=int(threshold))


@dataclass
class WaveEvidence:
    """What the gate needs of a wave's evidence (one statement): each department's sums,
    and per criterion how many learners hold it back and those it may name."""

    departments: dict[str, Aggregate]
    learners: int
    holding: list[int]
    candidates: list[list[LearnerEvidence]]


def wave_evidence(
    wave: Wave, criteria: list[GateCriterion], today: date, now: datetime
) -> WaveEvidence:
    """The wave's department sums and its learners holding each criterion back: counted
    in SQL, and only the candidates for naming read (one statement)."""
    kinds = tuple(Metric(c.kind) for c in criteria)
    department_ids = [d.id for d in wave.departments]
    if not department_ids:
        return WaveEvidence({}, 0, [0] * len(kinds), [[] for _ in kinds])
    catalogue = evidence.kept_catalogue()  # no re-read while summaries are current

    def build():
        relation = evidence.learner_evidence(catalogue, department_ids, names=True)
        tests = [holder_test(kind, relation, index) for index, kind in enumerate(kinds)]
        return evidence.gate_summary(relation, tests, NAMED_LEARNERS)

    statement = evidence.cached(
        ("gate", catalogue.key, tuple(sorted(department_ids)), kinds), build
    )
    values = evidence.params(today, now)
    for index, (kind, criterion) in enumerate(zip(kinds, criteria, strict=True)):
        limit = holder_limit(kind, criterion.threshold, today)
        if limit is not None:
            values[f"limit_{index}"] = limit
    names = {d.id: d.name for d in wave.departments}
    found = evidence.read_gate_summary(statement, len(kinds), values, names)
    return WaveEvidence(
        departments={names[key]: group for key, group in found.departments.items() if key in names},
        learners=sum(group.learners for group in found.departments.values()),
        holding=found.holding,
        candidates=found.candidates,
    )


def judge(
    criteria: list[GateCriterion], found: WaveEvidence, today: date
) -> tuple[Aggregate, list[CriterionResult]]:
    """Judge each criterion on the wave's sums, naming who holds it back."""
    departments = found.departments
    totals = Aggregate()
    for group in departments.values():
        totals.merge(group)
    results = []
    for index, criterion in enumerate(criteria):
        kind = Metric(criterion.kind)
        info = METRICS[kind]
        value = totals.value(kind, today)
        # The candidates hold every learner among the first NAMED_LEARNERS of all holders.
        candidates = holders(kind, criterion.threshold, found.candidates[index], today)
        named = heapq.nsmallest(
            NAMED_LEARNERS,
            candidates,
            key=lambda item: (item[0], item[1].name.lower(), item[1].user_id),
        )
        results.append(
            CriterionResult(
                kind=kind.value,
                threshold=criterion.threshold,
                value=value,
                met=info.met(value, criterion.threshold),
                learners=[
                    Holder(
                        learner.user_id,
                        learner.name,
                        learner.department,
                        holder_detail(kind, learner, today),
                    )
                    for _, learner in named
                ],
                learners_total=found.holding[index],
                departments=sorted(
                    name
                    for name, group in departments.items()
                    if not info.met(group.value(kind, today), criterion.threshold)
                ),
            )
        )
    return totals, results


def evaluate_gate(wave: Wave, today: date | None = None, now: datetime | None = None) -> GateResult:
    """Compute the wave's gate live from its learners' evidence: go or no-go, and why."""
    now = now or utcnow()
    today = today or clock.local_date(now)
    criteria = list(wave.criteria)
    found = wave_evidence(wave, criteria, today, now)
    totals, results = judge(criteria, found, today)
    problems = []
    if not wave.departments:
        problems.append(_("The wave has no departments."))
    elif not found.learners:
        problems.append(_("No active learners in the wave's departments."))
    if not criteria:
        problems.append(_("No criteria are set for this gate."))
    return GateResult(wave.id, today, found.learners, totals, results, problems)


def gate_from_totals(criteria: list[GateCriterion], totals: Aggregate, today: date) -> bool:
    """Go or no-go from a group's sums alone (the dashboard's wave list): no names."""
    if not criteria or not totals.learners:
        return False
    return all(
        METRICS[Metric(c.kind)].met(totals.value(c.kind, today), c.threshold) for c in criteria
    )
