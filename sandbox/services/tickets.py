"""After-sale tickets: assign, prioritise, respond, pend, resolve and close, within SLA."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.accounts.models import User
from portal.extensions import db
from sandbox.models import PRIORITIES, Colleague, Sandbox, Ticket, get_in_sandbox
from sandbox.services.core import SandboxError, log_event
from sandbox.services.leads import add_note

OPEN = ("new", "assigned", "pending")


def _must_be_open(ticket: Ticket) -> None:
    if ticket.status not in OPEN:
        raise SandboxError(_("This ticket is %(status)s: reopen it first.", status=ticket.status))


def assign_ticket(sandbox: Sandbox, actor: User, ticket: Ticket, colleague_id: int) -> Ticket:
    _must_be_open(ticket)
    colleague = get_in_sandbox(Colleague, colleague_id, sandbox)
    if colleague is None:
        raise SandboxError(_("Choose a colleague."), "assignee")
    ticket.assignee_id = colleague.id
    if ticket.status == "new":
        ticket.status = "assigned"
    log_event(sandbox, actor, "ticket.assigned", "ticket", ticket.id, assignee=colleague.id)
    db.session.flush()
    return ticket


def set_priority(sandbox: Sandbox, actor: User, ticket: Ticket, priority: str) -> Ticket:
    _must_be_open(ticket)
    if priority not in PRIORITIES:
        raise SandboxError(_("Choose a priority."), "priority")
    old, ticket.priority = ticket.priority, priority
    log_event(
        sandbox,
        actor,
        "ticket.priority_changed",
        "ticket",
        ticket.id,
        **{"from": old, "to": priority},
    )
    db.session.flush()
    return ticket


def respond(sandbox: Sandbox, actor: User, ticket: Ticket, message: str) -> Ticket:
    """Reply to the customer: logs an email activity and stamps the first response."""
    _must_be_open(ticket)
    if not message.strip():
        raise SandboxError(_("Write the reply."), "message")
    add_note(
        sandbox,
        actor,
        "ticket",
        ticket.id,
        _("Reply: %(subject)s", subject=ticket.subject),
        message,
        kind="email",
    )
    first = ticket.first_responded_at is None
    if first:
        ticket.first_responded_at = sandbox.clock
    log_event(sandbox, actor, "ticket.responded", "ticket", ticket.id, first=first)
    db.session.flush()
    return ticket


def set_pending(sandbox: Sandbox, actor: User, ticket: Ticket) -> Ticket:
    _must_be_open(ticket)
    ticket.status = "pending"
    log_event(sandbox, actor, "ticket.pending", "ticket", ticket.id)
    db.session.flush()
    return ticket


def resolve(sandbox: Sandbox, actor: User, ticket: Ticket, resolution: str) -> Ticket:
    """Resolve with a note of what was wrong and what was done (required)."""
    _must_be_open(ticket)
    if not resolution.strip():
        raise SandboxError(
            _("Write the resolution: what was wrong and what you did."), "resolution"
        )
    ticket.resolution = resolution.strip()
    ticket.resolved_at = sandbox.clock
    log_event(sandbox, actor, "ticket.resolved", "ticket", ticket.id)
    from sandbox.services.automations import run_ticket_resolved

    run_ticket_resolved(sandbox, actor, ticket)
    db.session.flush()
    return ticket


def close(sandbox: Sandbox, actor: User, ticket: Ticket, satisfaction: int | None) -> Ticket:
    """Close a resolved ticket, recording the customer's satisfaction (1-5)."""
    if ticket.status == "closed":
        raise SandboxError(_("This ticket is already closed."))
    if ticket.resolved_at is None:
        raise SandboxError(_("Resolve the ticket with a resolution note before closing it."))
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise SandboxError(_("Satisfaction is from 1 to 5."), "satisfaction")
    ticket.status = "closed"
    ticket.satisfaction = satisfaction
    log_event(sandbox, actor, "ticket.closed", "ticket", ticket.id, satisfaction=satisfaction)
    db.session.flush()
    return ticket


def reopen(sandbox: Sandbox, actor: User, ticket: Ticket) -> Ticket:
    if ticket.status in OPEN:
        return ticket
    ticket.status = "assigned" if ticket.assignee_id else "new"
    ticket.resolved_at = None
    log_event(sandbox, actor, "ticket.reopened", "ticket", ticket.id)
    db.session.flush()
    return ticket
