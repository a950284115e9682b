"""The ticket queue (most urgent first), logging a new ticket and one ticket's lifecycle."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.arguments import arg_id
from portal.domain import transaction
from portal.extensions import db
from portal.forms import form_data
from portal.rendering import render, render_form
from sandbox import queries
from sandbox.forms import (
    ActivityForm,
    AssignForm,
    CategoryForm,
    CloseForm,
    PriorityForm,
    ResolveForm,
    RespondForm,
    SetAsideForm,
    TicketForm,
)
from sandbox.models import (
    Colleague,
    Customer,
    Product,
    Purchase,
    Ticket,
    get_in_sandbox,
)
from sandbox.remembered import list_filters
from sandbox.rows import ticket_rows
from sandbox.services import tickets as ticket_services
from sandbox.views.base import bp, form_saved, load_or_404, my_sandbox, page_number
from sandbox.vocabulary import choices


@bp.get("/tickets")
def ticket_queue():
    """Open tickets by their next SLA deadline on the sandbox clock, overdue ones first;
    filtered by status, assignee, category, priority and opening date (remembered)."""
    sandbox = my_sandbox()
    staff = queries.colleagues(sandbox)
    ids = {c.id for c in staff}
    filters = list_filters("tickets", lambda args: queries.TicketFilters.from_args(args, ids))
    page = queries.ticket_queue(sandbox, filters, page_number())
    customers = {t.customer_id: queries.account_name(t) for t in page.items if t.customer_id}
    owners = {c.id: c.name for c in staff}
    return render(
        "sandbox/tickets.html",
        "sandbox/_ticket_rows.html",
        sandbox=sandbox,
        page=page,
        rows=ticket_rows(page.items, sandbox.clock, customers, owners),
        filters=filters,
        staff=staff,
        statuses=choices("ticket_status"),
        categories=choices("category"),
        priorities=choices("priority"),
    )


def _ticket_choices(sandbox, form: TicketForm) -> None:
    """The sandbox's customers, and the chosen customer's purchases (newest first)."""
    customers = db.session.execute(
        select(Customer.id, Customer.first_name, Customer.last_name, Customer.company)
        .where(Customer.sandbox_id == sandbox.id)
        .order_by(Customer.last_name, Customer.first_name, Customer.id)
    ).all()
    form.customer_id.choices = [("", _("Choose…"))] + [
        (c.id, f"{c.first_name} {c.last_name}".strip() + (f" ({c.company})" if c.company else ""))
        for c in customers
    ]
    purchases = []
    if form.customer_id.data:
        purchases = db.session.execute(
            select(Purchase.id, Purchase.purchased_on, Purchase.quantity, Product.name)
            .join(Product, Product.id == Purchase.product_id)
            .where(
                Purchase.sandbox_id == sandbox.id,
                Product.sandbox_id == sandbox.id,
                Purchase.customer_id == form.customer_id.data,
            )
            .order_by(Purchase.purchased_on.desc(), Purchase.id.desc())
        ).all()
    form.purchase_id.choices = [("", _("None in particular"))] + [
        (p.id, f"{p.name} × {p.quantity}, {p.purchased_on.isoformat()}") for p in purchases
    ]


@bp.route("/tickets/new", methods=["GET", "POST"])
def ticket_new():
    """Log a ticket from a customer's call, email, visit or web form (?customer= prefills).

    Over 20 lines: the prefill on the first visit, and the ticket's fields by name.
    """
    sandbox = my_sandbox()
    form = TicketForm()
    if not form.is_submitted():
        chosen = arg_id("customer") or arg_id("customer_id")
        customer = get_in_sandbox(Customer, chosen, sandbox) if chosen else None
        form.customer_id.data = customer.id if customer else None
    _ticket_choices(sandbox, form)
    return form_saved(
        form,
        lambda: ticket_services.create_ticket(
            sandbox,
            current_user,
            form_data(ticket_services.TicketData, form, description=form.description.data or ""),
        ),
        lambda ticket: url_for("sandbox.ticket_detail", ticket_id=ticket.id),
        _("Ticket logged."),
        lambda: render_form("sandbox/ticket_form.html", form, sandbox=sandbox),
    )


# action -> (form, service call)
ACTIONS = {
    "assign": (
        AssignForm,
        lambda s, u, t, f: ticket_services.assign_ticket(s, u, t, f.assignee.data),
    ),
    "category": (
        CategoryForm,
        lambda s, u, t, f: ticket_services.change_category(
            s, u, t, f.category.data, f.assignee.data
        ),
    ),
    "priority": (
        PriorityForm,
        lambda s, u, t, f: ticket_services.set_priority(s, u, t, f.priority.data),
    ),
    "respond": (RespondForm, lambda s, u, t, f: ticket_services.respond(s, u, t, f.message.data)),
    "pending": (None, lambda s, u, t, f: ticket_services.set_pending(s, u, t)),
    "resolve": (
        ResolveForm,
        lambda s, u, t, f: ticket_services.resolve(
            s,
            u,
            t,
            ticket_services.Resolution(
                f.resolution_cause.data or "",
                f.resolution_action.data or "",
                f.resolution_expectation.data or "",
            ),
        ),
    ),
    "close": (CloseForm, lambda s, u, t, f: ticket_services.close(s, u, t, f.satisfaction.data)),
    "set_aside": (
        SetAsideForm,
        lambda s, u, t, f: ticket_services.set_aside(s, u, t, f.status.data, f.note.data),
    ),
    "reopen": (None, lambda s, u, t, f: ticket_services.reopen(s, u, t)),
}


def _forms(sandbox, ticket: Ticket, failed: str | None = None, failed_form=None) -> dict:
    colleagues = queries.colleagues(sandbox)
    forms = {
        "assign": AssignForm(formdata=None, assignee=ticket.assignee_id),
        "category": CategoryForm(formdata=None, category=ticket.category),
        "priority": PriorityForm(formdata=None, priority=ticket.priority),
        "respond": RespondForm(formdata=None),
        "resolve": ResolveForm(formdata=None),
        "close": CloseForm(formdata=None),
        "set_aside": SetAsideForm(formdata=None),
    }
    if failed in forms and failed_form is not None:
        forms[failed] = failed_form
    forms["assign"].assignee.choices = [
        (c.id, c.name + (f" ({_('you')})" if c.is_learner else "")) for c in colleagues
    ]
    forms["category"].assignee.choices = [("", _("Keep the assignee"))] + [
        (c.id, c.name + (f" ({_('you')})" if c.is_learner else "")) for c in colleagues
    ]
    if ticket.assignee_id is None and colleagues:
        forms["assign"].assignee.data = colleagues[0].id  # the learner: take it yourself
    return forms


def ticket_page(
    sandbox,
    ticket: Ticket,
    *,
    status=200,
    form=None,
    failed=None,
    failed_form=None,
    action_error: str = "",
):
    """One ticket: SLA clock, details, actions that make sense now, history."""
    customer = get_in_sandbox(Customer, ticket.customer_id, sandbox) if ticket.customer_id else None
    purchase = get_in_sandbox(Purchase, ticket.purchase_id, sandbox) if ticket.purchase_id else None
    product = queries.names_of(Product, [purchase.product_id], sandbox) if purchase else {}
    changes = ticket_services.changes(sandbox, ticket)
    return render(
        "sandbox/ticket.html",
        status=status,
        sandbox=sandbox,
        ticket=ticket,
        customer=customer,
        purchase=purchase,
        product=product.get(purchase.product_id, "") if purchase else "",
        history=queries.timeline(sandbox, "ticket", ticket.id),
        changes=changes,
        colleague_names=queries.names_of(
            Colleague, [e.data.get("assignee") for e in changes], sandbox
        ),
        forms=_forms(sandbox, ticket, failed, failed_form),
        note_form=form or ActivityForm(formdata=None),
        is_open=ticket_services.is_open(ticket),
        failed=failed,
        action_error=action_error,
    )


@bp.get("/tickets/<int:ticket_id>")
def ticket_detail(ticket_id: int):
    """One ticket."""
    sandbox = my_sandbox()
    return ticket_page(sandbox, load_or_404(Ticket, ticket_id, sandbox))


def _action_form(sandbox, form_class):
    """The action's form as posted, or None for an action without one."""
    form = form_class() if form_class else None
    if isinstance(form, AssignForm):
        form.assignee.choices = [(c.id, c.name) for c in queries.colleagues(sandbox)]
    return form


@bp.post("/tickets/<int:ticket_id>/<action>")
def ticket_action(ticket_id: int, action: str):
    """Assign, recategorise, prioritise, respond, set pending, resolve, close, set aside or
    reopen.

    Over 20 lines: one view serves every ticket action, each with its own form.
    """
    if action not in ACTIONS:
        abort(404)
    sandbox = my_sandbox()
    ticket = load_or_404(Ticket, ticket_id, sandbox)
    form_class, act = ACTIONS[action]
    form = _action_form(sandbox, form_class)
    message = ""
    if form is None or form.validate():
        # A refusal that names no field goes above the ticket's actions, not on the form.
        with transaction(form, aside={None}) as saved:
            act(sandbox, current_user, ticket, form)
        if saved:
            flash(_("Ticket updated."), "success")
            return redirect(url_for("sandbox.ticket_detail", ticket_id=ticket.id))
        message = saved.aside_message or ""
    return ticket_page(
        sandbox, ticket, status=422, failed=action, failed_form=form, action_error=message
    )
