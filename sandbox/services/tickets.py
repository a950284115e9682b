"""After-sale tickets: assign, prioritise, respond, pend, resolve and close, within SLA.

A ticket is logged from a customer's call, email, visit or web form (its channel), with the
category, priority and purchase it concerns; its SLA deadlines follow from the CRM
profile's policy for that priority. Its category may change later, and it may be handed
to someone else; both are in the ticket's history (its events).

Status roles follow EspoCRM's cases: New, Assigned, Pending, Closed, Rejected, Duplicate
(the CRM profile names them, sandbox.profiles). Resolving is a stamp (resolved_at plus a
required note) on an open ticket; closing needs it, and records the customer's
satisfaction. SLA deadlines and stamps are on the sandbox clock; under a policy that stops
the clock while pending, resolving moves the deadlines on by the time the ticket waited.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from sandbox import profiles
from sandbox.codes import CHANNELS
from sandbox.models import (
    TEXT_LIMIT,
    Colleague,
    Customer,
    Purchase,
    Sandbox,
    SandboxEvent,
    Ticket,
    get_in_sandbox,
)
from sandbox.services.activities import add_activity
from sandbox.services.automations import run_ticket_resolved
from sandbox.services.events import SandboxError, add_logged, log_event, record_events
from sandbox.vocabulary import PART_LABELS, label

# Status roles (sandbox.codes); the CRM profile may store other codes that play them.
OPEN = ("new", "assigned", "pending")
FINISHED = ("closed", "rejected", "duplicate")
SUBJECT_LIMIT = 200
# Events that change who has a ticket or what it is about: its history of changes.
CHANGES = (
    "ticket.created",
    "ticket.category_changed",
    "ticket.assigned",
    "ticket.priority_changed",
)


@dataclass
class TicketData:
    """A new ticket's fields, as the form or a scenario gives them."""

    customer_id: int | None
    subject: str
    channel: str
    category: str
    priority: str
    purchase_id: int | None = None
    description: str = ""


def _clean(sandbox: Sandbox, data: TicketData) -> TicketData:
    """The CRM's rules for a new ticket; a broken one names its field."""
    profile = profiles.active()
    if get_in_sandbox(Customer, data.customer_id, sandbox) is None:
        raise SandboxError(_("Choose the customer who contacted you."), "customer_id")
    if data.purchase_id is not None:
        purchase = get_in_sandbox(Purchase, data.purchase_id, sandbox)
        if purchase is None or purchase.customer_id != data.customer_id:
            raise SandboxError(_("Choose one of this customer's purchases."), "purchase_id")
    subject = data.subject.strip()
    if not subject:
        raise SandboxError(_("Write what the customer needs, in a line."), "subject")
    if len(subject) > SUBJECT_LIMIT:
        raise SandboxError(
            _("Keep the subject under %(n)d characters.", n=SUBJECT_LIMIT + 1), "subject"
        )
    if len(data.description.strip()) > TEXT_LIMIT:
        raise SandboxError(
            _("Keep the description under %(n)d characters.", n=TEXT_LIMIT + 1), "description"
        )
    if data.channel not in CHANNELS:
        raise SandboxError(_("Choose how the customer contacted you."), "channel")
    if data.category not in profile.codes("category"):
        raise SandboxError(_("Choose a category."), "category")
    if data.priority not in profile.codes("priority"):
        raise SandboxError(_("Choose a priority."), "priority")
    return TicketData(
        data.customer_id,
        subject,
        data.channel,
        data.category,
        data.priority,
        data.purchase_id,
        data.description.strip(),
    )


def create_ticket(sandbox: Sandbox, actor: User, data: TicketData) -> Ticket:
    """Log a new ticket (status New), due by the SLA policy's targets for its priority."""
    data = _clean(sandbox, data)
    sla = profiles.active().sla
    level = profiles.active().role("priority", data.priority) or "normal"
    opened = sandbox.clock
    ticket = Ticket(
        sandbox_id=sandbox.id,
        status="new",
        opened_at=opened,
        first_response_due=sla.due(opened, level, "first_response"),
        resolution_due=sla.due(opened, level, "resolution"),
        **data.__dict__,
    )
    return add_logged(
        sandbox,
        actor,
        ticket,
        "ticket.created",
        channel=ticket.channel,
        category=ticket.category,
        priority=ticket.priority,
    )


def change_category(
    sandbox: Sandbox, actor: User, ticket: Ticket, category: str, assignee_id: int | None
) -> Ticket:
    """Recategorise an open ticket and, when another colleague is named, hand it over."""
    _must_be_open(ticket)
    if category not in profiles.active().codes("category"):
        raise SandboxError(_("Choose a category."), "category")
    if assignee_id is not None and get_in_sandbox(Colleague, assignee_id, sandbox) is None:
        raise SandboxError(_("Choose a colleague."), "assignee")
    if category == ticket.category and assignee_id in (None, ticket.assignee_id):
        raise SandboxError(_("Choose another category or another colleague."), "category")
    if category != ticket.category:
        old, ticket.category = ticket.category, category
        log_event(
            sandbox,
            actor,
            "ticket.category_changed",
            "ticket",
            ticket.id,
            **{"from": old, "to": category},
        )
    if assignee_id is not None and assignee_id != ticket.assignee_id:
        assign_ticket(sandbox, actor, ticket, assignee_id)
    db.session.flush()
    return ticket


def changes(sandbox: Sandbox, ticket: Ticket) -> list[SandboxEvent]:
    """Who logged, recategorised, reprioritised and reassigned the ticket, newest first."""
    return record_events(sandbox, "ticket", ticket.id, CHANGES)


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


@dataclass
class Resolution:
    """A resolution note in its three parts: what was wrong, what we did, and what the
    customer should expect now. `what_we_did` is required."""

    cause: str = ""
    action: str = ""
    expectation: str = ""

    def text(self) -> str:
        """The note as one text (what `resolution` keeps): each part after its label, or
        what we did alone when that is all there is."""
        parts = {name: value.strip() for name, value in self.__dict__.items() if value.strip()}
        if list(parts) == ["action"]:
            return parts["action"]
        return "\n".join(f"{PART_LABELS[f'resolution_{n}']}: {v}" for n, v in parts.items())


def resolve(sandbox: Sandbox, actor: User, ticket: Ticket, resolution: Resolution | str) -> Ticket:
    """Resolve with a note of what was wrong, what was done and what the customer should
    expect (what was done is required). Plain text is a note without parts."""
    _must_be_open(ticket)
    if ticket.resolved_at is not None:
        raise SandboxError(_("This ticket is already resolved: close it."))
    parts = resolution if isinstance(resolution, Resolution) else Resolution(action=resolution)
    if not parts.action.strip():
        raise SandboxError(_("Write what you did to resolve it."), "resolution_action")
    if isinstance(resolution, Resolution):
        ticket.resolution_cause = parts.cause.strip()[:5000]
        ticket.resolution_action = parts.action.strip()[:5000]
        ticket.resolution_expectation = parts.expectation.strip()[:5000]
        resolution = parts.text()
    _restart_clock(sandbox, ticket)
    ticket.resolution = resolution.strip()[:5000]
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
