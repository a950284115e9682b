"""What a sandbox list shows on each row, worked out in Python once per row.

A list page shows the same few labels, badges and deadlines on every row. Worked out in
Jinja macros, each row paid for dozens of template calls, label and translation look-ups
through Flask's context proxies, and URL builds. Here a page looks up what every row
shares once (the CRM profile's roles, the labels, the translated phrases, the URL of a
record). The customer list's and the ticket queue's rows are each one <tr> made here,
every value escaped where it is put in: Jinja escapes each value it prints, a dozen a
row, which cost those pages a tenth of their time. The lead list's rows are a handful
of plain values its template prints.

The ticket badges (`TicketBadges`) are the same markup wherever a ticket appears: the
queue, the home page's overdue list, the customer page and the ticket page, whose
macros (`ticket_status`, `sla_badge` in sandbox/_macros.html) call them too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import g, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from portal.i18n import bdi, content_attrs, current_language
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


class HtmlLabels(dict):
    """Labels (see `Labels`) escaped for HTML, each escaped once."""

    def __missing__(self, key: tuple[str, str | None]) -> str:
        found = self[key] = str(escape(label(*key)))
        return found


def _isolating() -> Callable[[object], str]:
    """`portal.i18n.bdi` for the many texts of a list: the tag's attributes are taken
    once, and no Markup is made per text (each costs a Python call of its own)."""
    attrs = content_attrs()

    def isolated(value: object) -> str:
        return "" if value is None or value == "" else f"<bdi{attrs}>{escape(value)}</bdi>"

    return isolated


def record_url(endpoint: str, key: str) -> Callable[[int], str]:
    """The URL of a record by its id (`endpoint` with `key`=id), escaped for HTML (the
    text to put in an attribute as it is); the route is built and escaped once."""
    head, _slot, tail = str(escape(url_for(endpoint, **{key: _SLOT}))).partition(str(_SLOT))
    return lambda record_id: f"{head}{record_id}{tail}"


class TicketBadges:
    """A ticket's status badge and its next SLA deadline, relative to the sandbox clock.

    An open ticket that was resolved reads "Resolved, awaiting close", not the status
    it had before (Assigned, Pending); its deadline is done ("—")."""

    def __init__(self, now: datetime):
        # The request's catalogue, looked up once for the phrases below (named `_`, so
        # that message extraction finds them).
        _ = current_language().translations.ugettext
        profile = profiles.active()
        self.now = now
        self.formats = formats()
        self.roles = {entry.code: entry.plays for entry in profile.ticket_status}
        self.pauses = profile.sla.pending_pauses
        self.labels = Labels()
        self.badges: dict[tuple, Markup] = {}
        self.times: dict[tuple[Markup, str], Markup] = {}
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
            text = self._time(self.overdue, self.now - due)
            badge = f'<span class="badge text-bg-danger" data-sla="overdue">{text}</span>'
        else:
            left = due - self.now
            tone = "text-bg-warning" if left.total_seconds() < _SOON else "text-bg-light border"
            text = self._time(self.left, left)
            badge = f'<span class="badge {tone}" data-sla="left">{text}</span>'
        if ticket.resolved_at is None:
            measure = self.first_response if waiting else self.resolution
            badge += f'<div class="small text-body-secondary">{measure}</div>'
        return Markup(badge)

    def _time(self, phrase: Markup, length: timedelta) -> Markup:
        """`phrase` ("Overdue by %(time)s") with a length of time in words; a queue shows
        the same few, each formatted once."""
        words = self.formats.length(length)
        found = self.times.get((phrase, words))
        if found is None:
            found = self.times[phrase, words] = phrase % {"time": words}
        return found


def ticket_badges(now: datetime | None) -> TicketBadges:
    """The request's TicketBadges at sandbox time `now`: a page with several tickets
    (the home page, a customer's page) looks up the profile and phrases once."""
    made = g.setdefault("sandbox_ticket_badges", {})
    found = made.get(now)
    if found is None:
        found = made[now] = TicketBadges(now)
    return found


def ticket_rows(
    tickets: Iterable[Ticket], now: datetime, customers: dict[int, str], owners: dict[int, str]
) -> list[Markup]:
    """The queue's rows (each a <tr>); `customers` and `owners` name the accounts and
    colleagues."""
    badges = ticket_badges(now)
    labels = HtmlLabels()
    ticket_url = record_url("sandbox.ticket_detail", "ticket_id")
    customer_url = record_url("sandbox.customer_detail", "customer_id")
    owner = {key: escape(name) for key, name in owners.items()}
    unassigned = Markup(_("Unassigned"))
    moment = badges.formats.moment
    isolated = _isolating()
    rows = []
    for t in tickets:
        customer = ""
        if t.customer_id:
            name = escape(customers.get(t.customer_id, ""))
            customer = f'<a href="{customer_url(t.customer_id)}">{name}</a>'
        tone = "text-bg-danger" if t.priority == "urgent" else "text-bg-light border"
        rows.append(
            Markup(
                f'<tr data-ticket="{t.id}"><td><a href="{ticket_url(t.id)}">'
                f"{isolated(t.subject)}</a>"
                f'<div class="small text-body-secondary">{labels["category", t.category]}'
                f" · {moment(t.opened_at)}</div></td>\n"
                f"      <td>{customer}</td>\n"
                f'      <td><span class="badge {tone}" data-code="{escape(t.priority)}">'
                f"{labels['priority', t.priority]}</span></td>\n"
                f"      <td>{badges.status(t)}</td>\n"
                f"      <td>{badges.sla(t)}</td>\n"
                f'      <td class="small">{owner.get(t.assignee_id) or unassigned}</td></tr>'
            )
        )
    return rows


def customer_rows(customers: Iterable) -> list[Markup]:
    """The list's rows (each a <tr>), from customers or rows of their columns
    (queries.customers): a company account, a person at one, or a person."""
    labels = HtmlLabels()
    url = record_url("sandbox.customer_detail", "customer_id")
    company_badge = f'<span class="badge text-bg-secondary">{Markup(_("Company"))}</span>'
    isolated = _isolating()
    rows = []
    for c in customers:
        if c.is_company:
            company = company_badge
        elif c.company_id:  # a person at a company account: a link to the account's page
            title = isolated(c.title)
            title = title and f'<div class="small text-body-secondary">{title}</div>'
            company = f'<a href="{url(c.company_id)}">{isolated(c.company)}</a>{title}'
        else:
            company = isolated(c.company)
        rows.append(
            Markup(
                f'<tr data-customer="{c.id}"><td><a href="{url(c.id)}">'
                f"{isolated(Customer.name.fget(c))}</a>"  # the property, on a row's columns
                f'<div class="small text-body-secondary">{isolated(c.email)}</div></td>'
                f"<td>{company}</td><td>{isolated(c.city)}</td>"
                f"<td>{labels['tier', c.tier]}</td>"
                f'<td class="font-monospace small">{escape(c.loyalty_card)}</td></tr>'
            )
        )
    return rows


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
            url=Markup(url(lead.id)),
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
