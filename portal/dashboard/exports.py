"""The dashboard's tables as CSV, safe to open in a spreadsheet (see portal.csvfiles).

The tables of learners (at risk, a department's) have a row per learner: with more
learners than EXPORT_BACKGROUND_ROWS they are written by a job (portal.bulkjobs).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from portal import bulkjobs, clock
from portal.accounts.models import Department, User, UserRole
from portal.accounts.roles import Role
from portal.csvfiles import to_csv
from portal.dashboard import people, queries
from portal.dashboard.queries import Dashboard
from portal.database import utcnow
from portal.extensions import db
from portal.rollout.readiness import LearnerEvidence

TABLES = ("departments", "at-risk", "completions", "proficiency", "goals", "waves")
# Tables with a row per learner (at most); the others have a row per department, week...
LEARNER_TABLES = ("at-risk",)


def learner_count(department_id: int | None = None) -> int:
    """Active learners (of a department): the most rows a table of learners has."""
    query = select(func.count(User.id)).where(
        User.active.is_(True),
        User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.LEARNER.value)),
    )
    if department_id is not None:
        query = query.where(User.department_id == department_id)
    return db.session.scalar(query) or 0


@bulkjobs.export_builder("dashboard-table")
def table_job(params: dict[str, Any]) -> str:
    """A dashboard table, written by a job."""
    return table_csv(queries.dashboard(params.get("plan"), utcnow()), params["table"])


@bulkjobs.export_builder("department-learners")
def department_job(params: dict[str, Any]) -> str:
    """A department's learners, written by a job."""
    now, today = clock.instant()
    department = db.session.get(Department, params["department"])
    if department is None:
        raise LookupError("the department was deleted")
    return learners_csv(people.all_department_learners(department, today, now), today)


def _rounded(value: float | None) -> float | str:
    return "" if value is None else round(value, 1)


def table_csv(board: Dashboard, table: str) -> str:
    """One of the dashboard's tables (see TABLES) as CSV text."""
    today = board.today
    if table == "departments":
        return to_csv(
            [
                "department",
                "wave",
                "learners",
                "completion_rate",
                "avg_quiz_score",
                "exercise_pass_rate",
                "practice_actions_14d",
                "overdue",
                "at_risk",
            ],
            [
                [
                    row.name,
                    row.wave.name if row.wave else "",
                    row.sums.learners,
                    *(_rounded(cell.value) for cell in row.cells),
                    row.sums.overdue,
                    row.sums.at_risk,
                ]
                for row in board.departments
            ],
        )
    if table == "at-risk":
        return learners_csv(board.state.at_risk, today)
    if table == "completions":
        return to_csv(
            ["week_starting", "completions", "cumulative", "plan_cumulative"],
            [[w.starts_on, w.completions, w.cumulative, w.planned] for w in board.weeks],
        )
    if table == "proficiency":
        return to_csv(
            ["department", "learners_certified", "median_days_to_first_certificate"],
            [[p.name, p.learners, p.median_days] for p in board.proficiency],
        )
    if table == "goals":
        return to_csv(
            ["horizon", "goal", "metric", "target", "current", "met", "due_on"],
            [
                [
                    g.goal.horizon,
                    g.goal.title,
                    g.goal.metric,
                    g.goal.target,
                    _rounded(g.value),
                    g.met,
                    g.goal.due_on,
                ]
                for g in board.goals
            ],
        )
    if table == "waves":
        return to_csv(
            ["wave", "go_live", "departments", "learners", "gate"],
            [
                [
                    w.wave.name,
                    w.wave.go_live_on,
                    "; ".join(d.name for d in w.wave.departments),
                    w.totals.learners,
                    "go" if w.go else "no_go",
                ]
                for w in board.waves
            ],
        )
    raise KeyError(table)


def learners_csv(learners: list[LearnerEvidence], today: date) -> str:
    """Learners with their evidence, one row each."""
    return to_csv(
        [
            "name",
            "email",
            "department",
            "required_courses",
            "completed",
            "complete",
            "avg_quiz_score",
            "exercises_required",
            "exercises_passed",
            "practice_actions_14d",
            "overdue_since",
            "stuck_quizzes",
            "at_risk",
        ],
        [
            [
                e.name,
                e.email,
                e.department,
                e.required_n,
                e.done_n,
                e.complete,
                _rounded(e.quiz_average),
                e.ex_required,
                e.ex_passed,
                e.actions,
                e.overdue_since,
                e.stuck,
                ", ".join(e.risks()),
            ]
            for e in learners
        ],
    )
