"""Readiness numbers in Python: a group's sums and one learner's evidence row.

The database does the summing (portal.rollout.evidence); these classes carry its
results and turn them into the metrics defined in portal.rollout.metrics.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from portal.rollout.metrics import Metric

SUM_FIELDS = (
    "learners",
    "complete",
    "quiz_sum",
    "quiz_n",
    "ex_learners",
    "ex_ok",
    "actions",
    "overdue",
    "stuck",
    "inactive",
    "at_risk",
)


@dataclass
class Aggregate:
    """Readiness sums for a group of learners (a department, a wave, the organisation)."""

    learners: int = 0
    complete: int = 0
    quiz_sum: int = 0
    quiz_n: int = 0
    ex_learners: int = 0
    ex_ok: int = 0
    actions: int = 0
    overdue: int = 0
    stuck: int = 0
    inactive: int = 0
    at_risk: int = 0
    earliest_overdue: date | None = None

    def merge(self, other: Aggregate) -> Aggregate:
        """Add another group's sums into this one; returns self."""
        for name in SUM_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.earliest_overdue and (
            self.earliest_overdue is None or other.earliest_overdue < self.earliest_overdue
        ):
            self.earliest_overdue = other.earliest_overdue
        return self

    def value(self, metric: Metric | str, today: date) -> float | None:
        """The metric for this group; None where there is no evidence to compute it from."""
        metric = Metric(metric)
        if metric == Metric.COMPLETION_RATE:
            return 100 * self.complete / self.learners if self.learners else None
        if metric == Metric.AVG_QUIZ_SCORE:
            return self.quiz_sum / self.quiz_n if self.quiz_n else None
        if metric == Metric.EXERCISE_PASS_RATE:
            return 100 * self.ex_ok / self.ex_learners if self.ex_learners else None
        if metric == Metric.PRACTICE_ACTIONS_14D:
            return self.actions / self.learners if self.learners else None
        if metric == Metric.MAX_OVERDUE_DAYS:
            if not self.learners:
                return None
            return (today - self.earliest_overdue).days if self.earliest_overdue else 0
        return None


@dataclass
class LearnerEvidence:
    """One learner's row of the evidence relation, with their name and department."""

    user_id: int
    name: str
    email: str
    department_id: int | None
    department: str
    required_n: int
    done_n: int
    overdue_since: date | None
    ex_required: int
    ex_passed: int
    quiz_sum: int
    quiz_n: int
    stuck: int
    actions: int  # practice in the sandbox, last 14 days
    # 1 if they opened a lesson or tried a quiz or exercise, last 14 days; looked up only
    # while their required training is open (0 once complete: it changes nothing then)
    studied: int
    new_account: int  # 1 while the account is younger than the window

    @property
    def complete(self) -> bool:
        return self.required_n > 0 and self.done_n >= self.required_n

    @property
    def completion_percent(self) -> int:
        return round(100 * self.done_n / self.required_n) if self.required_n else 0

    @property
    def quiz_average(self) -> float | None:
        return self.quiz_sum / self.quiz_n if self.quiz_n else None

    @property
    def exercises_ok(self) -> bool:
        return self.ex_passed >= self.ex_required

    def overdue_days(self, today: date) -> int:
        return (today - self.overdue_since).days if self.overdue_since else 0

    @property
    def inactive(self) -> bool:
        """Neither practice nor study in the window while required training is still open,
        of an account at least as old as the window."""
        return self.actions == 0 and not self.studied and not self.complete and not self.new_account

    def risks(self) -> list[str]:
        """Codes of what puts the learner at risk: overdue, stuck, inactive."""
        found = []
        if self.overdue_since is not None:
            found.append("overdue")
        if self.stuck:
            found.append("stuck")
        if self.inactive:
            found.append("inactive")
        return found


Aggregate.FIELDS = (*SUM_FIELDS, "earliest_overdue")
LearnerEvidence.FIELDS = tuple(f.name for f in fields(LearnerEvidence))
LearnerEvidence.COUNTS = frozenset(
    (
        "required_n",
        "done_n",
        "ex_required",
        "ex_passed",
        "quiz_sum",
        "quiz_n",
        "stuck",
        "actions",
        "studied",
        "new_account",
    )
)
