"""The executive's readiness dashboard under /dashboard/: executives and admins only."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import login_required

from portal import bulkjobs, clock
from portal.accounts.models import Department
from portal.accounts.roles import Role
from portal.arguments import arg_id, arg_page
from portal.dashboard import exports, people, queries
from portal.database import utcnow
from portal.extensions import db
from portal.rendering import attachment, render
from portal.rollout.metrics import format_value
from portal.security import roles_required

bp = Blueprint("dashboard", __name__, template_folder="templates", static_folder="static")

EXECUTIVES = (Role.EXECUTIVE, Role.ADMIN)


@bp.app_template_filter("metric_value")
def metric_value(value: float | None, metric: str) -> str:
    """A metric's value as people read it (87.5%, 3 days...)."""
    return format_value(metric, value)


@bp.get("/")
@login_required
@roles_required(*EXECUTIVES)
def home():
    """Readiness at a glance: departments, plan timeline, completions, risks, goals."""
    board = queries.dashboard(arg_id("plan"), utcnow())
    return render("dashboard/home.html", board=board, tables=exports.TABLES)


@bp.get("/export/<table>.csv")
@login_required
@roles_required(*EXECUTIVES)
def export(table: str):
    """One of the dashboard's tables as CSV."""
    if table not in exports.TABLES:
        abort(404)
    now = utcnow()
    filename = f"readiness-{table}-{clock.local_date(now)}.csv"
    rows = exports.learner_count() if table in exports.LEARNER_TABLES else 0
    if bulkjobs.is_large(rows):
        return bulkjobs.queue_export(
            "dashboard-table", {"table": table, "plan": arg_id("plan")}, filename, rows
        )
    board = queries.dashboard(arg_id("plan"), now)
    return attachment(exports.table_csv(board, table), filename)


@bp.get("/departments/<int:department_id>")
@login_required
@roles_required(*EXECUTIVES)
def department(department_id: int):
    """A department's learners, least ready first, with their evidence."""
    now, today = clock.instant()
    page = people.department_page(
        db.get_or_404(Department, department_id),
        today,
        now,
        page=arg_page(),
        order=request.args.get("order", "ready"),
    )
    return render("dashboard/department.html", view=page, today=today)


@bp.get("/departments/<int:department_id>/learners.csv")
@login_required
@roles_required(*EXECUTIVES)
def department_csv(department_id: int):
    """A department's learners with their evidence, as CSV."""
    now, today = clock.instant()
    department = db.get_or_404(Department, department_id)
    filename = f"readiness-department-{department.id}-{today}.csv"
    rows = exports.learner_count(department.id)
    if bulkjobs.is_large(rows):
        return bulkjobs.queue_export(
            "department-learners", {"department": department.id}, filename, rows
        )
    return attachment(exports.department_job({"department": department.id}), filename)


@bp.get("/learners/<int:user_id>")
@login_required
@roles_required(*EXECUTIVES)
def learner(user_id: int):
    """One learner's record: courses, progress, scores, exercises, certificates."""
    user = people.learner_or_none(user_id)
    if user is None:
        abort(404)
    now, today = clock.instant()
    return render(
        "dashboard/learner.html", record=people.learner_record(user, today, now), today=today
    )
