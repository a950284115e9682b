"""Leads: log, qualify, note and convert into a customer and an opportunity."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, or_

from portal.accounts.models import User
from portal.extensions import db
from sandbox import profiles
from sandbox.codes import BUDGET_STATUSES
from sandbox.models import (
    LEAD_SOURCES,
    Activity,
    Colleague,
    Customer,
    Lead,
    Sandbox,
    get_in_sandbox,
    scoped,
)
from sandbox.services.activities import add_activity
from sandbox.services.contacts import ContactData, clean_email, clean_phone
from sandbox.services.events import SandboxError, add_logged, apply_changes, log_event
from sandbox.vocabulary import label

# Status changes that make sense, by status role; conversion has its own service.
ALLOWED = {
    "new": {"assigned", "in_process", "recycled", "dead"},
    "assigned": {"new", "in_process", "recycled", "dead"},
    "in_process": {"assigned", "recycled", "dead"},
    "recycled": {"assigned", "in_process", "dead"},
    "dead": {"recycled"},
    "converted": set(),
}


@dataclass
class LeadData(ContactData):
    """A lead's editable fields, as a form or a scenario gives them."""

    first_name: str = field()  # no default: a lead needs one (it keeps its place, first)
    source: str = "other"
    description: str = ""


def _clean(data: LeadData) -> LeadData:
    if not data.first_name.strip():
        raise SandboxError(_("Enter the lead's first name."), "first_name")
    email = clean_email(data.email)
    phone = clean_phone(data.phone)
    if data.source not in LEAD_SOURCES:
        raise SandboxError(_("Choose where the lead came from."), "source")
    return LeadData(
        data.first_name.strip()[:80],
        data.last_name.strip()[:80],
        data.company.strip()[:160],
        data.title.strip()[:120],
        email,
        phone,
        data.source,
        data.description.strip(),
    )


@dataclass(frozen=True)
class Duplicate:
    """A lead or customer that may be the same person or company as a new lead."""

    entity: str  # "lead" or "customer"
    id: int
    name: str
    company: str
    email: str
    is_company: bool = False


def _name_key(name: str) -> str:
    """A name as the duplicate check compares it: lower case, single spaces."""
    return " ".join(name.lower().split())


def possible_duplicates(
    sandbox: Sandbox, email: str, company: str, exclude_lead: int | None = None, name: str = ""
) -> list[Duplicate]:
    """Leads and customers with the same email, company or name: a warning, not a block.

    The name is compared as first and last name, case and extra spaces aside.
    """
    found: list[Duplicate] = []
    for entity, model in (("lead", Lead), ("customer", Customer)):
        conditions = []
        if email.strip():
            conditions.append(func.lower(model.email) == email.strip().lower())
        if company.strip():
            conditions.append(func.lower(model.company) == company.strip().lower())
        if _name_key(name):
            full = func.trim(func.trim(model.first_name) + " " + func.trim(model.last_name))
            conditions.append(func.lower(full) == _name_key(name))
        if not conditions:
            continue
        query = scoped(model, sandbox).where(or_(*conditions)).order_by(model.id).limit(5)
        if entity == "lead" and exclude_lead is not None:
            query = query.where(model.id != exclude_lead)
        found += [
            Duplicate(entity, r.id, r.name, r.company, r.email, getattr(r, "is_company", False))
            for r in db.session.scalars(query)
        ]
    return found


def create_lead(sandbox: Sandbox, actor: User, data: LeadData) -> Lead:
    """Log a new lead (status New) after checking its fields."""
    data = _clean(data)
    lead = Lead(sandbox_id=sandbox.id, status="new", created_at=sandbox.clock, **data.__dict__)
    return add_logged(sandbox, actor, lead, "lead.created", source=lead.source)


def update_lead(sandbox: Sandbox, actor: User, lead: Lead, data: LeadData) -> Lead:
    """Change a lead's details; the event names the fields that changed."""
    data = _clean(data)
    changed = apply_changes(lead, data)
    if changed:
        log_event(sandbox, actor, "lead.updated", "lead", lead.id, fields=changed)
    db.session.flush()
    return lead


@dataclass
class Qualification:
    """What qualifying found out (BANT): the need, who decides, the budget and how sure
    it is, and by when they want it."""

    need: str = ""
    authority: str = ""
    budget: Decimal | None = None
    budget_status: str = "unknown"
    timing: date | None = None


def qualify_lead(sandbox: Sandbox, actor: User, lead: Lead, data: Qualification) -> Lead:
    """Record the lead's qualification; the event names the parts that changed."""
    if data.budget_status not in BUDGET_STATUSES:
        raise SandboxError(_("Choose how sure the budget is."), "budget_status")
    if data.budget is not None and data.budget < 0:
        raise SandboxError(_("The budget cannot be negative."), "budget")
    data.need = (data.need or "").strip()[:5000]
    data.authority = (data.authority or "").strip()[:200]
    changed = apply_changes(lead, data)
    if changed:
        log_event(sandbox, actor, "lead.updated", "lead", lead.id, fields=changed)
    db.session.flush()
    return lead


def set_lead_status(sandbox: Sandbox, actor: User, lead: Lead, status: str) -> Lead:
    """Move a lead along (New, Assigned, In Process, Recycled, Dead) where that makes sense."""
    profile = profiles.active()
    role, old_role = profile.role("lead_status", status), profile.role("lead_status", lead.status)
    if role is None or role == "converted":
        raise SandboxError(_("Convert a lead with the Convert button."), "status")
    if status == lead.status:
        return lead
    if role != old_role and role not in ALLOWED.get(old_role or "", set()):
        raise SandboxError(
            _(
                "A lead cannot go from %(old)s to %(new)s.",
                old=label("lead_status", lead.status),
                new=label("lead_status", status),
            ),
            "status",
        )
    old, lead.status = lead.status, status
    log_event(sandbox, actor, "lead.status_changed", "lead", lead.id, **{"from": old, "to": status})
    db.session.flush()
    return lead


def assign_lead(sandbox: Sandbox, actor: User, lead: Lead, owner_id: int | None) -> Lead:
    """Give the lead to a salesperson, or to nobody (None). A New lead given to someone
    moves to the status playing "assigned" in the CRM profile, as EspoCRM does."""
    owner = get_in_sandbox(Colleague, owner_id, sandbox) if owner_id else None
    if owner_id is not None and (owner is None or owner.role != "sales"):
        raise SandboxError(_("Choose a salesperson of the company, or nobody."), "owner_id")
    if lead.status_role == "converted":
        raise SandboxError(_("A converted lead keeps the owner it had."), "owner_id")
    new_id = owner.id if owner else None
    if new_id == lead.owner_id:
        return lead
    lead.owner_id = new_id
    log_event(
        sandbox,
        actor,
        "lead.assigned",
        "lead",
        lead.id,
        owner=new_id,
        to_me=bool(owner and owner.is_learner),
    )
    assigned = profiles.active().plays("lead_status", "assigned")
    if owner is not None and lead.status_role == "new" and assigned:
        old, lead.status = lead.status, assigned[0]
        log_event(
            sandbox,
            actor,
            "lead.status_changed",
            "lead",
            lead.id,
            **{"from": old, "to": lead.status},
        )
    db.session.flush()
    return lead


def add_note(
    sandbox: Sandbox,
    actor: User | None,
    parent_type: str,
    parent_id: int,
    subject: str,
    body: str,
    kind: str = "note",
    due_on=None,
) -> Activity:
    """Log a note (or another kind of activity) on a record: see activities.add_activity."""
    return add_activity(
        sandbox,
        actor,
        parent_type,
        parent_id,
        kind=kind,
        subject=subject,
        body=body,
        due_on=due_on,
    )
