"""The ticket queue (most urgent first) and one ticket's whole lifecycle."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case

from portal.extensions import db
from portal.rendering import render
from sandbox.models import PRIORITIES, Activity, Colleague, Customer, Ticket, scoped
from sandbox.scenarios import learner_colleague
from sandbox.services import SandboxError
from sandbox.services import tickets as ticket_services
from sandbox.views import bp, load_or_404, my_sandbox

OPEN = ("new", "assigned", "pending")


@bp.get("/tickets")
def ticket_queue():
    sandbox = my_sandbox()
    show = request.args.get("show", "open")
    query = scoped(Ticket, sandbox)
    if show == "open":
        query = query.where(Ticket.status.in_(OPEN))
    # Most urgent first: whichever deadline is next (first response while unanswered).
    next_due = case(
        (Ticket.first_responded_at.is_(None), Ticket.first_response_due),
        else_=Ticket.resolution_due,
    )
    page = db.paginate(
        query.order_by(next_due, Ticket.id),
        page=request.args.get("page", 1, type=int),
        per_page=25,
        error_out=False,
    )
    customers = names_of(Customer, {t.customer_id for t in page.items}, sandbox)
    owners = names_of(Colleague, {t.assignee_id for t in page.items}, sandbox)
    db.session.commit()
    return render("sandbox/tickets.html", sandbox=sandbox, page=page, show=show,
                  customers=customers, owners=owners)


def names_of(model, ids: set, sandbox) -> dict[int, str]:
    """Display names for a page's worth of ids, in one query."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {r.id: r.name for r in db.session.scalars(scoped(model, sandbox).where(
        model.id.in_(ids)))}


def _ticket_page(sandbox, ticket, *, status: int = 200, **extra):
    history = db.session.scalars(
        scoped(Activity, sandbox)
        .where(Activity.parent_type == "ticket", Activity.parent_id == ticket.id)
        .order_by(Activity.at.desc())
    ).all()
    customer = db.session.get(Customer, ticket.customer_id) if ticket.customer_id else None
    colleagues = db.session.scalars(scoped(Colleague, sandbox).order_by(Colleague.name)).all()
    return render(
        "sandbox/ticket.html",
        status=status,
        sandbox=sandbox,
        ticket=ticket,
        customer=customer,
        history=history,
        colleagues=colleagues,
        priorities=PRIORITIES,
        me=learner_colleague(sandbox),
        **extra,
    )


@bp.get("/tickets/<int:ticket_id>")
def ticket_detail(ticket_id: int):
    sandbox = my_sandbox()
    return _ticket_page(sandbox, load_or_404(Ticket, ticket_id, sandbox))


ACTIONS = {
    "assign": lambda s, u, t, f: ticket_services.assign_ticket(
        s, u, t, f.get("assignee", type=int) or 0
    ),
    "priority": lambda s, u, t, f: ticket_services.set_priority(s, u, t, f.get("priority", "")),
    "respond": lambda s, u, t, f: ticket_services.respond(s, u, t, f.get("message", "")[:5000]),
    "pending": lambda s, u, t, f: ticket_services.set_pending(s, u, t),
    "resolve": lambda s, u, t, f: ticket_services.resolve(s, u, t, f.get("resolution", "")[:5000]),
    "close": lambda s, u, t, f: ticket_services.close(s, u, t, f.get("satisfaction", type=int)),
    "reopen": lambda s, u, t, f: ticket_services.reopen(s, u, t),
}


@bp.post("/tickets/<int:ticket_id>/<action>")
def ticket_action(ticket_id: int, action: str):
    """Assign, prioritise, respond, set pending, resolve, close or reopen."""
    if action not in ACTIONS:
        abort(404)
    sandbox = my_sandbox()
    ticket = load_or_404(Ticket, ticket_id, sandbox)
    try:
        ACTIONS[action](sandbox, current_user, ticket, request.form)
    except SandboxError as error:
        db.session.rollback()
        return _ticket_page(
            sandbox,
            load_or_404(Ticket, ticket_id, sandbox),
            status=422,
            action_error=error.message,
            failed_action=action,
            form=request.form,
        )
    db.session.commit()
    flash(_("Ticket updated."), "success")
    return redirect(url_for("sandbox.ticket_detail", ticket_id=ticket.id))
