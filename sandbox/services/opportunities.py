"""The pipeline: edit deals, move them between stages, close them won or lost.

Every change is an event: `opportunity.updated` names the fields an edit changed,
`opportunity.stage_changed` holds the stage it left and the one it reached. A deal's stage
history (Salesforce's Stage History related list) is read back from those events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _

from portal.accounts.models import User
from portal.extensions import db
from sandbox import profiles
from sandbox.models import (
    Colleague,
    Customer,
    Opportunity,
    Sandbox,
    SandboxEvent,
    get_in_sandbox,
    scoped,
)
from sandbox.services.events import SandboxError, apply_changes, log_event, record_events

NAME_LIMIT = 160
NEXT_STEP_LIMIT = 255
AMOUNT_LIMIT = Decimal("9999999999.99")  # what Numeric(12, 2) holds
# How far ahead an expected close date may be: further is a typing slip (2205 for 2025).
HORIZON = timedelta(days=5 * 366)
# Events that change a deal: its history, newest first on its page.
CHANGES = ("opportunity.stage_changed", "opportunity.updated")


@dataclass
class DealData:
    """What a salesperson edits on a deal, as the form gives it."""

    name: str
    amount: Decimal | None
    close_date: date | None
    owner_id: int | None
    contact_id: int | None
    next_step: str = ""


def _clean(sandbox: Sandbox, opportunity: Opportunity, data: DealData) -> DealData:
    """The CRM's rules for a deal's fields; a broken one names its field."""
    name = data.name.strip()
    if not name:
        raise SandboxError(_("Name the opportunity."), "name")
    if len(name) > NAME_LIMIT:
        raise SandboxError(_("Keep the name under %(n)d characters.", n=NAME_LIMIT + 1), "name")
    if data.amount is None or data.amount < 0:
        raise SandboxError(_("The amount cannot be negative."), "amount")
    if data.amount > AMOUNT_LIMIT:
        raise SandboxError(_("That amount is too large."), "amount")
    if data.close_date != opportunity.close_date and data.close_date is not None:
        # An open deal's expected close is today or later; an old date may stay as it is.
        if data.close_date < sandbox.today:
            raise SandboxError(
                _("An open deal cannot be expected to close in the past: choose today or later."),
                "close_date",
            )
        if data.close_date > sandbox.today + HORIZON:
            raise SandboxError(_("Choose a date within the next five years."), "close_date")
    owner = get_in_sandbox(Colleague, data.owner_id, sandbox) if data.owner_id else None
    if owner is None or owner.role != "sales":
        raise SandboxError(_("Choose a salesperson of the company as the owner."), "owner_id")
    if data.contact_id is not None and data.contact_id not in contact_ids(sandbox, opportunity):
        raise SandboxError(_("Choose a person at the deal's customer."), "contact_id")
    next_step = data.next_step.strip()
    if len(next_step) > NEXT_STEP_LIMIT:
        raise SandboxError(
            _("Keep the next step under %(n)d characters.", n=NEXT_STEP_LIMIT + 1), "next_step"
        )
    return DealData(
        name,
        data.amount.quantize(Decimal("0.01")),
        data.close_date,
        owner.id,
        data.contact_id,
        next_step,
    )


def contacts(sandbox: Sandbox, opportunity: Opportunity) -> list[Customer]:
    """The people a deal may name: those at its company account, or the person who is it."""
    if opportunity.customer_id is None:
        return []
    return list(
        db.session.scalars(
            scoped(Customer, sandbox)
            .where(
                Customer.is_company.is_(False),
                (Customer.company_id == opportunity.customer_id)
                | (Customer.id == opportunity.customer_id),
            )
            .order_by(Customer.last_name, Customer.first_name, Customer.id)
        )
    )


def contact_ids(sandbox: Sandbox, opportunity: Opportunity) -> set[int]:
    """The ids of `contacts`."""
    return {person.id for person in contacts(sandbox, opportunity)}


def update_deal(
    sandbox: Sandbox, actor: User, opportunity: Opportunity, data: DealData
) -> Opportunity:
    """Change an open deal's details; the event names the fields that changed."""
    if profiles.active().is_closed(opportunity.stage):
        raise SandboxError(_("This deal is closed."))
    data = _clean(sandbox, opportunity, data)
    changed = apply_changes(opportunity, data)
    if changed:
        log_event(
            sandbox,
            actor,
            "opportunity.updated",
            "opportunity",
            opportunity.id,
            fields=changed,
            amount=float(opportunity.amount or 0),
        )
    db.session.flush()
    return opportunity


def changes(sandbox: Sandbox, opportunity: Opportunity) -> list[SandboxEvent]:
    """The deal's stage moves and edits, newest first."""
    return record_events(sandbox, "opportunity", opportunity.id, CHANGES)


def move_stage(
    sandbox: Sandbox, actor: User, opportunity: Opportunity, stage: str, reason: str = ""
) -> Opportunity:
    """Move a deal to another stage; Closed Won and Closed Lost need a reason and are final.

    Closing stamps today (sandbox time) as the close date, which the target report counts.
    """
    profile = profiles.active()
    if stage not in profile.codes("stage"):
        raise SandboxError(_("Choose a stage."), "stage")
    if profile.is_closed(opportunity.stage):
        raise SandboxError(_("This deal is closed."))
    closing = profile.is_closed(stage)
    if closing and not reason.strip():
        raise SandboxError(_("Say why the deal was won or lost."), "reason")
    if stage == opportunity.stage:
        return opportunity
    old, opportunity.stage = opportunity.stage, stage
    if closing:
        opportunity.closed_reason = reason.strip()[:255]
        opportunity.closed_on = sandbox.today
        opportunity.close_date = sandbox.today
    log_event(
        sandbox,
        actor,
        "opportunity.stage_changed",
        "opportunity",
        opportunity.id,
        **{"from": old, "to": stage},
        amount=float(opportunity.amount or 0),
        probability=profile.probability(stage),
    )
    db.session.flush()
    return opportunity
