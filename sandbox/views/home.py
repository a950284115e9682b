"""The sandbox home: what needs doing, the simulated clock, and reset."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from portal.extensions import db
from portal.rendering import render
from sandbox.models import Activity, Customer, Lead, Opportunity, OutboxEmail, Ticket
from sandbox.services import SandboxError, advance_clock, reset_sandbox
from sandbox.views import bp, my_sandbox


def _count(model, sandbox, *where) -> int:
    return db.session.scalar(
        select(func.count(model.id)).where(model.sandbox_id == sandbox.id, *where)
    )


@bp.get("/")
def home():
    sandbox = my_sandbox()
    overdue = db.session.scalars(
        select(Ticket)
        .where(
            Ticket.sandbox_id == sandbox.id,
            Ticket.status.in_(("new", "assigned", "pending")),
            Ticket.resolution_due < sandbox.clock,
        )
        .order_by(Ticket.resolution_due)
        .limit(5)
    ).all()
    tasks = db.session.scalars(
        select(Activity)
        .where(Activity.sandbox_id == sandbox.id, Activity.kind == "task", Activity.done.is_(False))
        .order_by(Activity.due_on)
        .limit(5)
    ).all()
    counts = {
        "customers": _count(Customer, sandbox),
        "leads": _count(Lead, sandbox, Lead.status.not_in(("converted", "dead"))),
        "opportunities": _count(Opportunity, sandbox, Opportunity.stage.not_like("closed%")),
        "tickets": _count(Ticket, sandbox, Ticket.status.in_(("new", "assigned", "pending"))),
        "outbox": _count(OutboxEmail, sandbox),
    }
    db.session.commit()
    return render("sandbox/home.html", sandbox=sandbox, counts=counts, overdue=overdue, tasks=tasks)


@bp.post("/clock")
def clock_advance():
    sandbox = my_sandbox()
    try:
        sent = advance_clock(sandbox, current_user, request.form.get("days", type=int) or 0)
    except SandboxError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(
            ngettext(
                "The clock moved on; %(num)d email went to the outbox.",
                "The clock moved on; %(num)d emails went to the outbox.",
                sent,
            ),
            "info",
        )
    target = request.form.get("next") or ""
    return redirect(target if target.startswith("/sandbox") else url_for("sandbox.home"))


@bp.post("/reset")
def reset():
    sandbox = my_sandbox()
    reset_sandbox(sandbox, current_user)
    db.session.commit()
    flash(_("Your sandbox is back to a fresh start."), "success")
    return redirect(url_for("sandbox.home"))
