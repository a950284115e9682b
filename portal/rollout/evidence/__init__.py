"""Training evidence in SQL: one row per learner, summed per department by the database.

Every readiness number (gate criteria, goals, the dashboard) comes from the per-learner
relation built here, so they always agree. GROUP BY over progress, attempts,
certificates and sandbox events gives one row per learner; a page then reads its
departments' sums and the learners it names in one statement. The constructs are
portable (CASE, COUNT, window functions, dates as bound parameters), so the same SQL
runs on SQLite and PostgreSQL.

- catalogue: facts about the course library read first (a few small statements)
- parts: the learners, their practice and the dates (bound parameters) the relation reads
- relation: the per-learner relation
- summary: department sums and named learners in one statement (for a gate: only the
  learners it may name); the statement cache
- names: ordering names in SQL as Python does
- stored: the relation kept as one row per learner (learner_summaries), kept exact by
  portal.rollout.summaries (whose session hooks the app factory loads) and counting (what
  a transaction changed, counted again before it commits; the full recount)
- departments: learner_summaries summed per department (and practice and certificates
  per day or hour), kept with them
- organisation: the dashboard's reads of those sums

Metric definitions are in portal.rollout.metrics.
"""

from portal.rollout.evidence import departments, organisation
from portal.rollout.evidence.catalogue import Catalogue, kept_catalogue, load_catalogue
from portal.rollout.evidence.parts import PRACTICE_WINDOW, SINCE, TODAY, learners, params
from portal.rollout.evidence.relation import learner_evidence, learner_facts
from portal.rollout.evidence.stored import CertificateDay, LearnerSummary, SummaryState
from portal.rollout.evidence.summary import (
    GateSummary,
    Summary,
    Test,
    cached,
    department_sums,
    gate_summary,
    is_complete,
    read_gate_summary,
    read_summary,
    risk,
    risk_order,
    summary,
)

__all__ = [
    "PRACTICE_WINDOW",
    "SINCE",
    "TODAY",
    "Catalogue",
    "CertificateDay",
    "GateSummary",
    "Summary",
    "Test",
    "cached",
    "departments",
    "organisation",
    "department_sums",
    "gate_summary",
    "is_complete",
    "learner_evidence",
    "learner_facts",
    "LearnerSummary",
    "SummaryState",
    "kept_catalogue",
    "learners",
    "load_catalogue",
    "params",
    "read_gate_summary",
    "read_summary",
    "risk",
    "risk_order",
    "summary",
]
