"""Automations and their outbox, and the reports page."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.extensions import db
from portal.rendering import render
from sandbox.models import (
    STAGES,
    TRIGGERS,
    Automation,
    Colleague,
    Customer,
    Opportunity,
    OutboxEmail,
    SalesTarget,
    Ticket,
    scoped,
)
from sandbox.services import SandboxError, log_event
from sandbox.services.automations import PLACEHOLDERS, render_template, save_automation
from sandbox.views import bp, load_or_404, my_sandbox
from sandbox.views.tickets import names_of

SAMPLE = {
    "first_name": "Farah",
    "last_name": "Khan",
    "company": "Khan Traders",
    "product": "Aroma 3 espresso machine",
    "years": "1",
    "ticket_subject": "Scanner stops working",
    "company_name": "Harbour Retail Systems",
}


@bp.get("/automations")
def automation_list():
    sandbox = my_sandbox()
    automations = db.session.scalars(scoped(Automation, sandbox).order_by(Automation.id)).all()
    db.session.commit()
    return render(
        "sandbox/automations.html",
        sandbox=sandbox,
        automations=automations,
        triggers=TRIGGERS,
        placeholders=PLACEHOLDERS,
        values={},
        errors={},
    )


@bp.post("/automations/preview")
def automation_preview():
    """The email as a customer would get it, with sample values (htmx)."""
    return render(
        "sandbox/_automation_preview.html",
        subject=render_template(request.form.get("subject", "")[:200], SAMPLE),
        body=render_template(request.form.get("body", "")[:5000], SAMPLE),
    )


@bp.post("/automations")
@bp.post("/automations/<int:automation_id>")
def automation_save(automation_id: int | None = None):
    sandbox = my_sandbox()
    automation = load_or_404(Automation, automation_id, sandbox) if automation_id else None
    values = {k: request.form.get(k, "")[:5000] for k in ("name", "trigger", "subject", "body")}
    try:
        save_automation(
            sandbox, current_user, automation, active=request.form.get("active") == "y", **values
        )
    except SandboxError as error:
        db.session.rollback()
        automations = db.session.scalars(scoped(Automation, sandbox).order_by(Automation.id)).all()
        return render(
            "sandbox/automations.html",
            status=422,
            sandbox=sandbox,
            automations=automations,
            triggers=TRIGGERS,
            placeholders=PLACEHOLDERS,
            values=values,
            errors={error.field or "form": error.message},
        )
    db.session.commit()
    flash(_("Automation saved."), "success")
    return redirect(url_for("sandbox.automation_list"))


@bp.get("/outbox")
def outbox():
    sandbox = my_sandbox()
    q = request.args.get("q", "").strip()[:100]
    query = scoped(OutboxEmail, sandbox).order_by(OutboxEmail.sent_at.desc(),
                                                  OutboxEmail.id.desc())
    if q:
        pattern = f"%{q.lower()}%"
        matching = select(Customer.id).where(
            Customer.sandbox_id == sandbox.id,
            func.lower(Customer.first_name + " " + Customer.last_name).like(pattern))
        query = query.where(OutboxEmail.customer_id.in_(matching)
                            | func.lower(OutboxEmail.to).like(pattern))
    page = db.paginate(query, page=request.args.get("page", 1, type=int), per_page=25,
                       error_out=False)
    customers = names_of(Customer, {e.customer_id for e in page.items}, sandbox)
    db.session.commit()
    return render("sandbox/outbox.html", sandbox=sandbox, page=page, q=q, customers=customers)


@bp.get("/reports")
def reports():
    sandbox = my_sandbox()
    won = dict(
        db.session.execute(
            select(Opportunity.owner_id, func.sum(Opportunity.amount))
            .where(Opportunity.sandbox_id == sandbox.id, Opportunity.stage == "closed_won")
            .group_by(Opportunity.owner_id)
        ).all()
    )
    weighted = {}
    for owner, stage, amount in db.session.execute(
        select(Opportunity.owner_id, Opportunity.stage, func.sum(Opportunity.amount))
        .where(Opportunity.sandbox_id == sandbox.id, Opportunity.stage.not_like("closed%"))
        .group_by(Opportunity.owner_id, Opportunity.stage)
    ):
        weighted[owner] = weighted.get(owner, 0) + Decimal(amount) * STAGES[stage] / 100
    targets = db.session.execute(
        select(Colleague, SalesTarget)
        .join(SalesTarget, SalesTarget.owner_id == Colleague.id)
        .where(Colleague.sandbox_id == sandbox.id)
        .order_by(Colleague.name)
    ).all()
    sales = [
        {
            "colleague": c,
            "target": t,
            "won": Decimal(won.get(c.id) or 0),
            "weighted": weighted.get(c.id, Decimal(0)),
        }
        for c, t in targets
    ]
    pipeline = db.session.execute(
        select(Opportunity.stage, func.count(), func.sum(Opportunity.amount))
        .where(Opportunity.sandbox_id == sandbox.id)
        .group_by(Opportunity.stage)
    ).all()
    tickets = db.session.execute(
        select(
            Ticket.category,
            func.count(),
            func.sum(
                func.coalesce(
                    (Ticket.first_responded_at <= Ticket.first_response_due).cast(db.Integer), 0
                )
            ),
            func.sum(
                func.coalesce((Ticket.resolved_at <= Ticket.resolution_due).cast(db.Integer), 0)
            ),
            func.count(Ticket.resolved_at),
        )
        .where(Ticket.sandbox_id == sandbox.id)
        .group_by(Ticket.category)
    ).all()
    log_event(sandbox, current_user, "report.viewed", report="sales_targets")
    db.session.commit()
    return render(
        "sandbox/reports.html",
        sandbox=sandbox,
        sales=sales,
        pipeline=pipeline,
        tickets=tickets,
        stages=STAGES,
    )
