"""The reports page: sales against target, the pipeline by stage, tickets and SLAs, and
the customer portfolio."""

from __future__ import annotations

from flask_login import current_user

from portal.database import best_effort
from portal.rendering import render
from sandbox import reports as report_queries
from sandbox.services import log_event
from sandbox.views.base import bp, my_sandbox


@bp.get("/reports")
def reports():
    """Four reports; opening them is logged (exercises ask learners to read them)."""
    sandbox = my_sandbox()
    columns = report_queries.pipeline_board(sandbox)
    context = {
        "sales": report_queries.sales_against_target(sandbox),
        "columns": columns,
        "weighted": report_queries.weighted_pipeline(columns),
        "tickets": report_queries.tickets_by_category(sandbox),
        "portfolio": report_queries.customer_portfolio(sandbox),
    }
    best_effort(
        lambda: log_event(sandbox, current_user, "report.viewed", report="sales_targets"),
        "a report view",
    )
    return render("sandbox/reports.html", sandbox=sandbox, **context)
