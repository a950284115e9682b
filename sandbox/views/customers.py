"""Customers: live search and filters, and a profile with everything about one customer."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.rendering import render
from sandbox.models import (
    TIERS,
    Activity,
    Customer,
    Lead,
    Opportunity,
    Product,
    Purchase,
    Ticket,
    scoped,
)
from sandbox.services import SandboxError
from sandbox.services.leads import add_note
from sandbox.views import bp, load_or_404, my_sandbox

OPEN = ("new", "assigned", "pending")


@bp.get("/customers")
def customer_list():
    sandbox = my_sandbox()
    q = request.args.get("q", "").strip()[:100]
    tier = request.args.get("tier", "")
    open_ticket = request.args.get("open_ticket") == "1"
    query = scoped(Customer, sandbox).order_by(Customer.last_name, Customer.first_name)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(
            or_(
                *(
                    func.lower(c).like(pattern)
                    for c in (
                        Customer.first_name,
                        Customer.last_name,
                        Customer.company,
                        Customer.email,
                        Customer.loyalty_card,
                    )
                )
            )
        )
    if tier in TIERS:
        query = query.where(Customer.tier == tier)
    if open_ticket:
        query = query.where(
            Customer.id.in_(
                select(Ticket.customer_id).where(
                    Ticket.sandbox_id == sandbox.id, Ticket.status.in_(OPEN)
                )
            )
        )
    page = db.paginate(
        query, page=request.args.get("page", 1, type=int), per_page=25, error_out=False
    )
    db.session.commit()
    return render(
        "sandbox/customers.html",
        "sandbox/_customer_rows.html",
        sandbox=sandbox,
        page=page,
        q=q,
        tier=tier,
        open_ticket=open_ticket,
        tiers=TIERS,
    )


@bp.get("/customers/<int:customer_id>")
def customer_detail(customer_id: int):
    sandbox = my_sandbox()
    customer = load_or_404(Customer, customer_id, sandbox)
    purchases = db.session.execute(
        select(Purchase, Product.name)
        .join(Product, Product.id == Purchase.product_id)
        .where(Purchase.sandbox_id == sandbox.id, Purchase.customer_id == customer.id)
        .order_by(Purchase.purchased_on.desc())
    ).all()
    tickets = db.session.scalars(
        scoped(Ticket, sandbox)
        .where(Ticket.customer_id == customer.id)
        .order_by(Ticket.opened_at.desc())
    ).all()
    opportunities = db.session.scalars(
        scoped(Opportunity, sandbox).where(Opportunity.customer_id == customer.id)
    ).all()
    timeline = db.session.scalars(
        scoped(Activity, sandbox)
        .where(Activity.parent_type == "customer", Activity.parent_id == customer.id)
        .order_by(Activity.at.desc())
    ).all()
    lifetime_value = sum((p.amount for p, _name in purchases), 0)
    return render(
        "sandbox/customer.html",
        sandbox=sandbox,
        customer=customer,
        purchases=purchases,
        tickets=tickets,
        opportunities=opportunities,
        timeline=timeline,
        lifetime_value=lifetime_value,
    )


@bp.post("/activities/<parent>/<int:parent_id>")
def activity_add(parent: str, parent_id: int):
    """Log a call, email, meeting, note or task on a customer, lead, deal or ticket."""
    sandbox = my_sandbox()
    models = {"customer": Customer, "lead": Lead, "opportunity": Opportunity, "ticket": Ticket}
    if parent not in models:
        abort(404)
    record = load_or_404(models[parent], parent_id, sandbox)
    due_on = request.form.get("due_on") or None
    try:
        add_note(
            sandbox,
            current_user,
            parent,
            record.id,
            request.form.get("subject", "")[:200],
            request.form.get("body", "")[:5000],
            kind=request.form.get("kind", "note"),
            due_on=date.fromisoformat(due_on) if due_on else None,
        )
    except (SandboxError, ValueError) as error:
        db.session.rollback()
        flash(getattr(error, "message", _("Check the date.")), "danger")
    else:
        db.session.commit()
        flash(_("Logged."), "success")
    return redirect(url_for(f"sandbox.{parent}_detail", **{f"{parent}_id": record.id}))
