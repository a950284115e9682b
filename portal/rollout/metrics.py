"""Readiness metrics: what each gate criterion and goal measures, and how it is judged.

Definitions (the same for gates, goals and the dashboard):

- completion_rate: share of learners who hold a certificate (in any language of the
  course) for every required course that reaches them, through their department or
  by name. A learner with no required course counts as not complete: nothing shows
  they were trained.
- avg_quiz_score: the mean of each learner's best score on each quiz they attempted.
- exercise_pass_rate: among learners whose required courses hold hands-on exercises,
  the share who passed every required exercise of those courses.
- practice_actions_14d: practice actions per learner, on average, in the last 14 days:
  the events the sandbox logged for their work there (see evidence.practice_actions).
- max_overdue_days: how many days the most overdue learner is late with a required
  course they have not completed; judged "at most", where the others are "at least".
- certificates_issued (goals only): certificates issued so far.
- manual (goals only): a value someone measured outside the portal and typed in.
- adoption_active_rate, adoption_records, adoption_deals (goals only): adoption in the
  real CRM in the last complete week, over the departments of every wave that has gone
  live, from the imported usage: the share of learners active, records created and
  updated per active person, and deals logged (created and updated). Definitions in
  portal.adoption.queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext


class Metric(StrEnum):
    COMPLETION_RATE = "completion_rate"
    AVG_QUIZ_SCORE = "avg_quiz_score"
    EXERCISE_PASS_RATE = "exercise_pass_rate"
    PRACTICE_ACTIONS_14D = "practice_actions_14d"
    MAX_OVERDUE_DAYS = "max_overdue_days"
    CERTIFICATES_ISSUED = "certificates_issued"
    MANUAL = "manual"
    ADOPTION_ACTIVE_RATE = "adoption_active_rate"
    ADOPTION_RECORDS = "adoption_records"
    ADOPTION_DEALS = "adoption_deals"

    @property
    def info(self) -> MetricInfo:
        return METRICS[self]

    @property
    def label(self) -> str:
        return str(METRICS[self].label)


@dataclass(frozen=True)
class MetricInfo:
    label: object  # a lazy string
    unit: str  # "%", "days", "actions" or ""
    at_most: bool  # True: the value must not exceed the threshold
    default: float
    maximum: float

    def met(self, value: float | None, threshold: float) -> bool:
        """Whether `value` satisfies `threshold`; no value never does."""
        if value is None:
            return False
        # A small tolerance so that 90.0000001% computed from counts meets 90%.
        return value <= threshold + 1e-9 if self.at_most else value >= threshold - 1e-9


METRICS: dict[Metric, MetricInfo] = {
    Metric.COMPLETION_RATE: MetricInfo(_l("Required courses completed"), "%", False, 90, 100),
    Metric.AVG_QUIZ_SCORE: MetricInfo(_l("Average quiz score"), "%", False, 80, 100),
    Metric.EXERCISE_PASS_RATE: MetricInfo(_l("Hands-on exercises passed"), "%", False, 85, 100),
    Metric.PRACTICE_ACTIONS_14D: MetricInfo(
        _l("Practice actions per learner, last 14 days"), "actions", False, 5, 100000
    ),
    Metric.MAX_OVERDUE_DAYS: MetricInfo(_l("Longest overdue"), "days", True, 7, 3650),
    Metric.CERTIFICATES_ISSUED: MetricInfo(_l("Certificates issued"), "", False, 100, 10**9),
    Metric.MANUAL: MetricInfo(_l("Measured by hand"), "", False, 0, 10**12),
    Metric.ADOPTION_ACTIVE_RATE: MetricInfo(
        _l("Learners active in the CRM, last week"), "%", False, 80, 100
    ),
    Metric.ADOPTION_RECORDS: MetricInfo(
        _l("CRM records per active user, last week"), "", False, 20, 10**6
    ),
    Metric.ADOPTION_DEALS: MetricInfo(
        _l("Deals logged in the CRM, last week"), "", False, 100, 10**9
    ),
}
ADOPTION_METRICS = (Metric.ADOPTION_ACTIVE_RATE, Metric.ADOPTION_RECORDS, Metric.ADOPTION_DEALS)

GATE_METRICS = (
    Metric.COMPLETION_RATE,
    Metric.AVG_QUIZ_SCORE,
    Metric.EXERCISE_PASS_RATE,
    Metric.PRACTICE_ACTIONS_14D,
    Metric.MAX_OVERDUE_DAYS,
)
GOAL_METRICS = (
    Metric.COMPLETION_RATE,
    Metric.AVG_QUIZ_SCORE,
    Metric.EXERCISE_PASS_RATE,
    Metric.PRACTICE_ACTIONS_14D,
    Metric.CERTIFICATES_ISSUED,
    *ADOPTION_METRICS,
    Metric.MANUAL,
)


def format_value(metric: Metric | str, value: float | None) -> str:
    """A metric value as people read it: 87.5%, 3 days, 12.4 actions, or an em dash."""
    if value is None:
        return "—"
    unit = METRICS[Metric(metric)].unit
    if unit == "%":
        return f"{value:.1f}%".replace(".0%", "%")
    if unit == "days":
        return ngettext("%(num)d day", "%(num)d days", round(value))
    if unit == "actions":
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:,.2f}".removesuffix(".00")
