"""After-sale tickets: assign, prioritise, respond, pend, resolve and close, within SLA.

Status roles follow EspoCRM's cases: New, Assigned, Pending, Closed, Rejected, Duplicate
(the CRM profile names them, sandbox.profiles). Resolving is a stamp (resolved_at plus a
required note) on an open ticket; closing needs it, and records the customer's
satisfaction. SLA deadlines and stamps are on the sandbox clock; under a policy that stops
the clock while pending, resolving moves the deadlines on by the time the ticket waited.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from sandbox import profiles
from sandbox.models import Colleague, Sandbox, SandboxEvent, Ticket, get_in_sandbox
from sandbox.services.activities import add_activity
from sandbox.services.automations import run_ticket_resolved
from sandbox.services.events import SandboxError, log_event
from sandbox.vocabulary import label

# Status roles (sandbox.codes); the CRM profile may store other codes that play them.
OPEN = ("new", "assigned", "pending")
FINISHED = ("closed", "rejected", "duplicate")


def open_statuses() -> tuple[str, ...]:
    """The stored statuses of tickets still being worked on, in the active CRM profile."""
    return profiles.active().playing("ticket_status", OPEN)


def is_open(ticket: Ticket) -> bool:
    """New, Assigned or Pending: someone still has work to do on it."""
    return ticket.status_role in OPEN


def _must_be_open(ticket: Ticket) -> None:
    if not is_open(ticket):
        raise SandboxError(
            _("This ticket is %(status)s: reopen it first.", status=_status_label(ticket))
        )


def _status_label(ticket: Ticket) -> str:
    return label("ticket_status", ticket.status).lower()


def assign_ticket(sandbox: Sandbox, actor: User, ticket: Ticket, colleague_id: int) -> Ticket:
    """Give the ticket to a colleague (a new ticket becomes Assigned)."""
    _must_be_open(ticket)
    colleague = get_in_sandbox(Colleague, colleague_id, sandbox)
    if colleague is None:
        raise SandboxError(_("Choose a colleague."), "assignee")
    ticket.assignee_id = colleague.id
    if ticket.status_role == "new":
        ticket.status = "assigned"
    log_event(
        sandbox,
        actor,
        "ticket.assigned",
        "ticket",
        ticket.id,
        assignee=colleague.id,
        to_me=colleague.is_learner,
    )
    db.session.flush()
    return ticket


def set_priority(sandbox: Sandbox, actor: User, ticket: Ticket, priority: str) -> Ticket:
    """Change the priority; the SLA deadlines already set stay as they are."""
    _must_be_open(ticket)
    if priority not in profiles.active().codes("priority"):
        raise SandboxError(_("Choose a priority."), "priority")
    if priority == ticket.priority:
        return ticket
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
    add_activity(
        sandbox,
        actor,
        "ticket",
        ticket.id,
        kind="email",
        subject=_("Reply: %(subject)s", subject=ticket.subject),
        body=message,
    )
    first = ticket.first_responded_at is None
    if first:
        ticket.first_responded_at = sandbox.clock
    late = (
        first
        and ticket.first_response_due is not None
        and (sandbox.clock > ticket.first_response_due)
    )
    log_event(sandbox, actor, "ticket.responded", "ticket", ticket.id, first=first, late=late)
    db.session.flush()
    return ticket


def set_pending(sandbox: Sandbox, actor: User, ticket: Ticket) -> Ticket:
    """Waiting for the customer: the ticket stays open."""
    _must_be_open(ticket)
    if ticket.status_role == "pending":
        return ticket
    ticket.status = "pending"
    log_event(sandbox, actor, "ticket.pending", "ticket", ticket.id)
    db.session.flush()
    return ticket


def _restart_clock(sandbox: Sandbox, ticket: Ticket) -> None:
    """Leaving Pending under an SLA policy that stops the clock while pending: the
    deadlines still ahead move on by the time the ticket waited."""
    if not ticket.clock_paused:
        return
    since = db.session.scalar(
        select(SandboxEvent.sandbox_at)
        .where(
            SandboxEvent.sandbox_id == sandbox.id,
            SandboxEvent.entity == "ticket",
            SandboxEvent.entity_id == ticket.id,
            SandboxEvent.verb == "ticket.pending",
        )
        .order_by(SandboxEvent.id.desc())
        .limit(1)
    )
    if since is None or since >= sandbox.clock:
        return
    waited = sandbox.clock - since
    if ticket.first_responded_at is None and ticket.first_response_due is not None:
        ticket.first_response_due += waited
    if ticket.resolution_due is not None:
        ticket.resolution_due += waited


def resolve(sandbox: Sandbox, actor: User, ticket: Ticket, resolution: str) -> Ticket:
    """Resolve with a note of what was wrong and what was done (required)."""
    _must_be_open(ticket)
    if ticket.resolved_at is not None:
        raise SandboxError(_("This ticket is already resolved: close it."))
    if not resolution.strip():
        raise SandboxError(
            _("Write the resolution: what was wrong and what you did."), "resolution"
        )
    _restart_clock(sandbox, ticket)
    ticket.resolution = resolution.strip()
    ticket.resolved_at = sandbox.clock
    late = ticket.resolution_due is not None and sandbox.clock > ticket.resolution_due
    log_event(sandbox, actor, "ticket.resolved", "ticket", ticket.id, late=late)
    run_ticket_resolved(sandbox, actor, ticket)
    db.session.flush()
    return ticket


def close(sandbox: Sandbox, actor: User, ticket: Ticket, satisfaction: int | None) -> Ticket:
    """Close a resolved ticket, recording the customer's satisfaction (1 to 5)."""
    if ticket.status_role == "closed":
        raise SandboxError(_("This ticket is already closed."))
    _must_be_open(ticket)
    if ticket.resolved_at is None:
        raise SandboxError(_("Resolve the ticket with a resolution note before closing it."))
    if satisfaction is None or not 1 <= satisfaction <= 5:
        raise SandboxError(_("Record the customer's satisfaction, from 1 to 5."), "satisfaction")
    ticket.status = "closed"
    ticket.satisfaction = satisfaction
    log_event(sandbox, actor, "ticket.closed", "ticket", ticket.id, satisfaction=satisfaction)
    db.session.flush()
    return ticket


def set_aside(sandbox: Sandbox, actor: User, ticket: Ticket, status: str, note: str) -> Ticket:
    """Reject a ticket (not ours to fix) or mark it a duplicate, saying why."""
    _must_be_open(ticket)
    if status not in ("rejected", "duplicate"):
        raise SandboxError(_("Choose Rejected or Duplicate."), "status")
    if not note.strip():
        raise SandboxError(_("Say why, for the customer and your colleagues."), "note")
    ticket.status = status
    ticket.resolution = note.strip()
    log_event(sandbox, actor, f"ticket.{status}", "ticket", ticket.id)
    db.session.flush()
    return ticket


def reopen(sandbox: Sandbox, actor: User, ticket: Ticket) -> Ticket:
    """Open a finished ticket again; it needs a new resolution before it closes."""
    if is_open(ticket):
        return ticket
    ticket.status = "assigned" if ticket.assignee_id else "new"
    ticket.resolved_at = None
    ticket.satisfaction = None
    log_event(sandbox, actor, "ticket.reopened", "ticket", ticket.id)
    db.session.flush()
    return ticket
