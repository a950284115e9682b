"""The ticket queue (most urgent first) and one ticket's whole lifecycle."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.domain import transaction
from portal.rendering import render
from sandbox import profiles, queries
from sandbox.forms import (
    ActivityForm,
    AssignForm,
    CloseForm,
    PriorityForm,
    ResolveForm,
    RespondForm,
    SetAsideForm,
)
from sandbox.models import (
    Colleague,
    Customer,
    Product,
    Purchase,
    Ticket,
    get_in_sandbox,
)
from sandbox.services import tickets as ticket_services
from sandbox.views import bp, load_or_404, my_sandbox, page_number


@bp.get("/tickets")
def ticket_queue():
    """Open tickets by their next SLA deadline on the sandbox clock, overdue ones first."""
    sandbox = my_sandbox()
    filters = queries.TicketFilters.from_args(request.args)
    page = queries.ticket_queue(sandbox, filters, page_number())
    return render(
        "sandbox/tickets.html",
        "sandbox/_ticket_rows.html",
        sandbox=sandbox,
        page=page,
        filters=filters,
        categories=profiles.active().codes("category"),
        customers=queries.names_of(Customer, [t.customer_id for t in page.items], sandbox),
        owners=queries.names_of(Colleague, [t.assignee_id for t in page.items], sandbox),
    )


# action -> (form, service call)
ACTIONS = {
    "assign": (
        AssignForm,
        lambda s, u, t, f: ticket_services.assign_ticket(s, u, t, f.assignee.data),
    ),
    "priority": (
        PriorityForm,
        lambda s, u, t, f: ticket_services.set_priority(s, u, t, f.priority.data),
    ),
    "respond": (RespondForm, lambda s, u, t, f: ticket_services.respond(s, u, t, f.message.data)),
    "pending": (None, lambda s, u, t, f: ticket_services.set_pending(s, u, t)),
    "resolve": (
        ResolveForm,
        lambda s, u, t, f: ticket_services.resolve(s, u, t, f.resolution.data),
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
    return render(
        "sandbox/ticket.html",
        status=status,
        sandbox=sandbox,
        ticket=ticket,
        customer=customer,
        purchase=purchase,
        product=product.get(purchase.product_id, "") if purchase else "",
        history=queries.timeline(sandbox, "ticket", ticket.id),
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
    """Assign, prioritise, respond, set pending, resolve, close, set aside or reopen."""
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
