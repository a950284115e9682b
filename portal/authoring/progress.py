"""The trainer's people pages' services, kept under their old name for callers not yet
moved: assignments (portal.authoring.assignments), the progress report
(portal.authoring.report) and reminders (portal.authoring.reminders).
"""

from portal.authoring.assignments import (
    AssignmentError,
    AssignmentRow,
    assign,
    assign_course,
    assignments_of,
    change_assignment,
)
from portal.authoring.reminders import nudge, recent_nudges
from portal.authoring.report import (
    DUE_SOON,
    STALLED_AFTER,
    CheckStat,
    LearnerRow,
    QuestionStat,
    Report,
    progress_report,
    report_csv,
)

__all__ = [
    "DUE_SOON",
    "STALLED_AFTER",
    "AssignmentError",
    "AssignmentRow",
    "CheckStat",
    "LearnerRow",
    "QuestionStat",
    "Report",
    "assign",
    "assign_course",
    "assignments_of",
    "change_assignment",
    "nudge",
    "progress_report",
    "recent_nudges",
    "report_csv",
]
