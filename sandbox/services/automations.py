"""Automations: templated emails on birthdays, purchase anniversaries and resolved tickets.

Birthday and anniversary emails are marketing (sandbox.codes.MARKETING_TRIGGERS): a
customer who has not agreed to marketing email does not get them, and the outbox keeps
the email as skipped, with the reason. A ticket-resolved email is service and goes to all.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import extract, select

from portal.accounts.models import User
from portal.extensions import db
from sandbox.codes import MARKETING_TRIGGERS
from sandbox.fill.text import SANDBOX_COMPANY
from sandbox.models import (
    OUTBOX_LIMIT,
    TRIGGERS,
    Automation,
    Customer,
    OutboxEmail,
    Product,
    Purchase,
    Sandbox,
    Ticket,
    get_in_sandbox,
    scoped,
)
from sandbox.services.events import SandboxError, log_event

PLACEHOLDERS = (
    "first_name",
    "last_name",
    "company",
    "product",
    "years",
    "ticket_subject",
    "company_name",
)
# What each trigger can fill in: everything about the customer, and what the event adds.
CUSTOMER_FIELDS = ("first_name", "last_name", "company", "company_name")
FIELDS_FOR = {
    "birthday": CUSTOMER_FIELDS,
    "purchase_anniversary": (*CUSTOMER_FIELDS, "product", "years"),
    "ticket_resolved": (*CUSTOMER_FIELDS, "ticket_subject"),
}


MERGE_FIELD = re.compile(r"\{(\w+)\}")


def unknown_fields(text: str) -> list[str]:
    """Merge fields in `text` that the sandbox cannot fill (typos, usually)."""
    return sorted({name for name in MERGE_FIELD.findall(text) if name not in PLACEHOLDERS})


def render_template(text: str, values: dict[str, str]) -> str:
    """Fill {placeholders}; unknown ones stay as written, so a typo is visible."""
    out = text
    for name in PLACEHOLDERS:
        out = out.replace("{" + name + "}", str(values.get(name, "")))
    return out


def save_automation(
    sandbox: Sandbox,
    actor: User,
    automation: Automation | None,
    *,
    name: str,
    trigger: str,
    subject: str,
    body: str,
    active: bool,
) -> Automation:
    """Create a rule (automation None) or change one, after checking its template."""
    if trigger not in TRIGGERS:
        raise SandboxError(_("Choose when the email is sent."), "trigger")
    if not name.strip():
        raise SandboxError(_("Name the automation."), "name")
    if not subject.strip():
        raise SandboxError(_("Write the email's subject."), "subject")
    if not body.strip():
        raise SandboxError(_("Write the email."), "body")
    for field, text in (("subject", subject), ("body", body)):
        unknown = unknown_fields(text)
        if unknown:
            raise SandboxError(
                _("Unknown merge field: %(fields)s", fields=", ".join(f"{{{n}}}" for n in unknown)),
                field,
            )
        unfillable = sorted({n for n in MERGE_FIELD.findall(text) if n not in FIELDS_FOR[trigger]})
        if unfillable:
            raise SandboxError(
                _(
                    "%(fields)s cannot be filled in for this trigger; use %(usable)s.",
                    fields=", ".join(f"{{{n}}}" for n in unfillable),
                    usable=", ".join(f"{{{n}}}" for n in FIELDS_FOR[trigger]),
                ),
                field,
            )
    created = automation is None
    if created:
        automation = Automation(sandbox_id=sandbox.id)
        db.session.add(automation)
    automation.name, automation.trigger = name.strip()[:120], trigger
    automation.subject, automation.body, automation.active = subject.strip()[:200], body, active
    db.session.flush()
    log_event(
        sandbox,
        actor,
        "automation.created" if created else "automation.updated",
        "automation",
        automation.id,
        trigger=trigger,
        active=active,
    )
    return automation


def set_active(sandbox: Sandbox, actor: User, automation: Automation, active: bool) -> Automation:
    """Switch an automation on or off."""
    if automation.active != active:
        automation.active = active
        log_event(
            sandbox,
            actor,
            "automation.updated",
            "automation",
            automation.id,
            trigger=automation.trigger,
            active=active,
        )
        db.session.flush()
    return automation


def _send(
    sandbox: Sandbox,
    actor: User,
    automation: Automation,
    customer: Customer,
    values: dict[str, str],
) -> bool:
    """Put the email in the outbox: sent, or held back (marketing without consent).

    Returns whether it was sent.
    """
    consent_needed = automation.trigger in MARKETING_TRIGGERS
    skipped = "no_marketing_consent" if consent_needed and not customer.email_consent else ""
    values = {
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company": customer.company,
        "company_name": SANDBOX_COMPANY,
    } | values
    email = OutboxEmail(
        sandbox_id=sandbox.id,
        customer_id=customer.id,
        automation_id=automation.id,
        trigger=automation.trigger,
        to=customer.email or "-",
        sent_at=sandbox.clock,
        subject=render_template(automation.subject, values)[:200],
        body=render_template(automation.body, values)[:OUTBOX_LIMIT],
        skipped_reason=skipped,
    )
    db.session.add(email)
    db.session.flush()
    log_event(
        sandbox,
        actor,
        "outbox.skipped" if skipped else "outbox.sent",
        "outbox_email",
        email.id,
        customer=customer.id,
        trigger=automation.trigger,
        automation=automation.id,
        **({"reason": skipped} if skipped else {}),
    )
    return not skipped


def _active(sandbox: Sandbox, trigger: str) -> list[Automation]:
    return list(
        db.session.scalars(
            scoped(Automation, sandbox).where(
                Automation.trigger == trigger, Automation.active.is_(True)
            )
        )
    )


def _same_day(column, day: date):
    """The yearly return of `day`; on 28 February of a common year, 29 February's too."""
    same = (extract("month", column) == day.month) & (extract("day", column) == day.day)
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
        same = same | ((extract("month", column) == 2) & (extract("day", column) == 29))
    return same


def run_due_automations(sandbox: Sandbox, actor: User) -> int:
    """Send today's birthday and purchase-anniversary emails (sandbox today); returns how
    many were sent, not counting those held back for want of consent."""
    today = sandbox.today
    sent = 0
    for automation in _active(sandbox, "birthday"):
        for customer in db.session.scalars(
            scoped(Customer, sandbox).where(_same_day(Customer.birthday, today))
        ):
            sent += _send(sandbox, actor, automation, customer, {})
    for automation in _active(sandbox, "purchase_anniversary"):
        rows = db.session.execute(
            select(Purchase, Customer, Product.name)
            .join(
                Customer,
                (Customer.id == Purchase.customer_id)
                & (Customer.sandbox_id == Purchase.sandbox_id),
            )
            .join(
                Product,
                (Product.id == Purchase.product_id) & (Product.sandbox_id == Purchase.sandbox_id),
            )
            .where(
                Purchase.sandbox_id == sandbox.id,
                _same_day(Purchase.purchased_on, today),
                Purchase.purchased_on < today,
            )
        ).all()
        for purchase, customer, product in rows:
            years = today.year - purchase.purchased_on.year
            extra = {"product": product, "years": str(years)}
            sent += _send(sandbox, actor, automation, customer, extra)
    return sent


def run_ticket_resolved(sandbox: Sandbox, actor: User, ticket: Ticket) -> None:
    """Send the ticket-resolved emails for this ticket's customer."""
    customer = get_in_sandbox(Customer, ticket.customer_id, sandbox) if ticket.customer_id else None
    if customer is None:
        return
    for automation in _active(sandbox, "ticket_resolved"):
        _send(sandbox, actor, automation, customer, {"ticket_subject": ticket.subject})
