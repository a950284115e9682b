"""What a sandbox list shows on each row, worked out in Python once per row.

A list page shows the same few labels, badges and deadlines on every row. Worked out in
Jinja macros, each row paid for dozens of template calls, label and translation look-ups
through Flask's context proxies, and URL builds. Here a page looks up what every row
shares once (the CRM profile's roles, the labels, the translated phrases, the URL of a
record), and each row is a handful of plain values the template prints.

The ticket badges (`TicketBadges`) are the same markup wherever a ticket appears: the
queue, the home page's overdue list, the customer page and the ticket page, whose
macros (`ticket_status`, `sla_badge` in sandbox/_macros.html) call them too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import g, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal.i18n import bdi
from sandbox import profiles
from sandbox.dates import formats
from sandbox.models import Customer, Lead, Ticket
from sandbox.services.tickets import OPEN
from sandbox.vocabulary import label

# An id no record has, to find where a record's id goes in its URL.
_SLOT = 987654321
# Under four hours to a deadline, its badge turns yellow.
_SOON = 4 * 3600


class Labels(dict):
    """(group, code) -> the code's label in the request's language, each looked up once."""

    def __missing__(self, key: tuple[str, str | None]) -> str:
        found = self[key] = label(*key)
        return found


def record_url(endpoint: str, key: str) -> Callable[[int], str]:
    """The URL of a record by its id (`endpoint` with `key`=id), the route built once."""
    head, _slot, tail = url_for(endpoint, **{key: _SLOT}).partition(str(_SLOT))
    return lambda record_id: f"{head}{record_id}{tail}"


class TicketBadges:
    """A ticket's status badge and its next SLA deadline, relative to the sandbox clock.

    An open ticket that was resolved reads "Resolved, awaiting close", not the status
    it had before (Assigned, Pending); its deadline is done ("—")."""

    def __init__(self, now: datetime):
        profile = profiles.active()
        self.now = now
        self.formats = formats()
        self.roles = {entry.code: entry.plays for entry in profile.ticket_status}
        self.pauses = profile.sla.pending_pauses
        self.labels = Labels()
        self.badges: dict[tuple, Markup] = {}
        self.awaiting = Markup(_("Resolved, awaiting close"))
        self.paused = Markup(_("Clock paused while pending"))
        self.overdue = Markup(_("Overdue by %(time)s"))
        self.left = Markup(_("%(time)s left"))
        self.first_response = Markup(_("first response"))
        self.resolution = Markup(_("resolution"))

    def status(
        self, ticket: Ticket, tone: str = "text-bg-light border", testid: str | None = None
    ) -> Markup:
        waiting = ticket.resolved_at is not None and self.roles.get(ticket.status) in OPEN
        key = (ticket.status, waiting, tone, testid)  # a page shows the same few badges
        found = self.badges.get(key)
        if found is not None:
            return found
        if waiting:
            tone, code, text = "text-bg-success", "resolved", self.awaiting
        else:
            code, text = ticket.status, self.labels["ticket_status", ticket.status]
        test = f' data-testid="{escape(testid)}"' if testid else ""
        found = self.badges[key] = Markup(
            f'<span class="badge {escape(tone)}" data-code="{escape(code)}"{test}>'
            f"{escape(text)}</span>"
        )
        return found

    def sla(self, ticket: Ticket) -> Markup:
        role = self.roles.get(ticket.status)
        waiting = ticket.first_responded_at is None
        due = ticket.first_response_due if waiting else ticket.resolution_due
        if role in OPEN and ticket.resolved_at is not None:
            badge = '<span class="text-body-secondary" data-sla="resolved">—</span>'
        elif role not in OPEN or due is None:
            badge = '<span class="text-body-secondary">—</span>'
        elif role == "pending" and self.pauses:  # resolved_at is None here
            paused = self.paused
            badge = f'<span class="badge text-bg-light border" data-sla="paused">{paused}</span>'
        elif due < self.now:
            text = self.overdue % {"time": self.formats.length(self.now - due)}
            badge = f'<span class="badge text-bg-danger" data-sla="overdue">{text}</span>'
        else:
            left = due - self.now
            tone = "text-bg-warning" if left.total_seconds() < _SOON else "text-bg-light border"
            text = self.left % {"time": self.formats.length(left)}
            badge = f'<span class="badge {tone}" data-sla="left">{text}</span>'
        if ticket.resolved_at is None:
            measure = self.first_response if waiting else self.resolution
            badge += f'<div class="small text-body-secondary">{measure}</div>'
        return Markup(badge)


def ticket_badges(now: datetime | None) -> TicketBadges:
    """The request's TicketBadges at sandbox time `now`: a page with several tickets
    (the home page, a customer's page) looks up the profile and phrases once."""
    made = g.setdefault("sandbox_ticket_badges", {})
    found = made.get(now)
    if found is None:
        found = made[now] = TicketBadges(now)
    return found


@dataclass(frozen=True, slots=True)
class TicketRow:
    """One line of the ticket queue."""

    id: int
    url: str
    subject: Markup | str
    category: str
    opened: Markup | str
    customer_url: str
    customer: str
    priority: str
    priority_label: str
    status: Markup
    sla: Markup
    owner: Markup | str


def ticket_rows(
    tickets: Iterable[Ticket], now: datetime, customers: dict[int, str], owners: dict[int, str]
) -> list[TicketRow]:
    """The queue's rows; `customers` and `owners` name the accounts and colleagues."""
    badges = ticket_badges(now)
    labels = badges.labels
    ticket_url = record_url("sandbox.ticket_detail", "ticket_id")
    customer_url = record_url("sandbox.customer_detail", "customer_id")
    unassigned = Markup(_("Unassigned"))
    moment = badges.formats.moment
    return [
        TicketRow(
            id=t.id,
            url=ticket_url(t.id),
            subject=bdi(t.subject),
            category=labels["category", t.category],
            opened=moment(t.opened_at),
            customer_url=customer_url(t.customer_id) if t.customer_id else "",
            customer=customers.get(t.customer_id, ""),
            priority=t.priority,
            priority_label=labels["priority", t.priority],
            status=badges.status(t),
            sla=badges.sla(t),
            owner=owners.get(t.assignee_id) or unassigned,
        )
        for t in tickets
    ]


@dataclass(frozen=True, slots=True)
class CustomerRow:
    """One line of the customer list: a company account, a person at one, or a person."""

    id: int
    url: str
    name: Markup | str
    email: Markup | str
    is_company: bool
    company_url: str  # a person at a company account: the account's page
    company: Markup | str
    title: Markup | str
    city: Markup | str
    tier: str
    loyalty_card: str


def customer_rows(customers: Iterable) -> list[CustomerRow]:
    """The list's rows, from customers or rows of their columns (queries.customers)."""
    labels = Labels()
    url = record_url("sandbox.customer_detail", "customer_id")
    return [
        CustomerRow(
            id=c.id,
            url=url(c.id),
            name=bdi(Customer.name.fget(c)),  # the property, on a row's columns
            email=bdi(c.email),
            is_company=c.is_company,
            company_url=url(c.company_id) if c.company_id and not c.is_company else "",
            company=bdi(c.company),
            title=bdi(c.title),
            city=bdi(c.city),
            tier=labels["tier", c.tier],
            loyalty_card=c.loyalty_card,
        )
        for c in customers
    ]


@dataclass(frozen=True, slots=True)
class LeadRow:
    """One line of the lead list."""

    id: int
    url: str
    name: Markup | str
    email: Markup | str
    company: Markup | str
    source: str
    status: str
    status_label: str
    logged: Markup | str


def lead_rows(leads: Iterable[Lead]) -> list[LeadRow]:
    """The lead list's rows."""
    labels = Labels()
    url = record_url("sandbox.lead_detail", "lead_id")
    day = formats().day
    return [
        LeadRow(
            id=lead.id,
            url=url(lead.id),
            name=bdi(lead.name),
            email=bdi(lead.email),
            company=bdi(lead.company),
            source=labels["lead_source", lead.source],
            status=lead.status,
            status_label=labels["lead_status", lead.status],
            logged=day(lead.created_at),
        )
        for lead in leads
    ]
