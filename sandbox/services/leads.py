"""Leads: log, qualify, note and convert into a customer and an opportunity."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from portal.accounts.models import User
from portal.extensions import db
from sandbox import profiles
from sandbox.models import (
    LEAD_SOURCES,
    Activity,
    Colleague,
    Customer,
    Lead,
    Opportunity,
    Sandbox,
    get_in_sandbox,
    scoped,
)
from sandbox.services.activities import add_activity
from sandbox.services.events import SandboxError, log_event
from sandbox.vocabulary import label

PHONE = re.compile(r"^[+0-9][0-9 ()-]{5,24}$")
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
class LeadData:
    """A lead's editable fields, as a form or a scenario gives them."""

    first_name: str
    last_name: str = ""
    company: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    source: str = "other"
    description: str = ""


def _clean(data: LeadData) -> LeadData:
    if not data.first_name.strip():
        raise SandboxError(_("Enter the lead's first name."), "first_name")
    email = data.email.strip()
    if email:
        try:
            email = validate_email(
                email, check_deliverability=False, test_environment=True
            ).normalized.lower()
        except EmailNotValidError as exc:
            raise SandboxError(_("Enter a valid email address."), "email") from exc
    if data.phone.strip() and not PHONE.match(data.phone.strip()):
        raise SandboxError(_("Enter a phone number: digits, spaces, + ( ) -."), "phone")
    if data.source not in LEAD_SOURCES:
        raise SandboxError(_("Choose where the lead came from."), "source")
    return LeadData(
        data.first_name.strip()[:80],
        data.last_name.strip()[:80],
        data.company.strip()[:160],
        data.title.strip()[:120],
        email,
        data.phone.strip(),
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
    db.session.add(lead)
    db.session.flush()
    log_event(sandbox, actor, "lead.created", "lead", lead.id, source=lead.source)
    return lead


def update_lead(sandbox: Sandbox, actor: User, lead: Lead, data: LeadData) -> Lead:
    """Change a lead's details; the event names the fields that changed."""
    data = _clean(data)
    changed = sorted(name for name, value in data.__dict__.items() if getattr(lead, name) != value)
    for name in changed:
        setattr(lead, name, getattr(data, name))
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


# How a lead converts: into a new account, into an existing account, or as a known person.
INTO_NEW, INTO_ACCOUNT, INTO_PERSON = "new", "account", "person"
# A person's fields that converting as "the same person" may fill in when they are empty.
FILLABLE = ("last_name", "title", "email", "phone")


@dataclass(frozen=True)
class Conversion:
    """What a lead became: the account, the person there, the deal, and whether the account
    or person was already in the CRM."""

    account: Customer
    contact: Customer
    opportunity: Opportunity | None
    existing: bool


def conversion_choices(sandbox: Sandbox, lead: Lead) -> list[tuple[str, Customer]]:
    """What the duplicate check offers to convert into: ("account", a company account) for
    each company found or worked for by someone found, ("person", a person) for each person.

    A fixed number of queries: the duplicate check's, then one for the records.
    """
    ids = [
        d.id
        for d in possible_duplicates(sandbox, lead.email, lead.company, name=lead.name)
        if d.entity == "customer"
    ]
    # The customers found and the companies their people work for, in one query.
    works_for = (
        select(Customer.company_id)
        .where(Customer.sandbox_id == sandbox.id, Customer.id.in_(ids))
        .correlate(None)
    )
    rows = db.session.scalars(
        scoped(Customer, sandbox)
        .where(or_(Customer.id.in_(ids), Customer.id.in_(works_for)))
        .order_by(Customer.id)
    ).all()
    accounts = [c for c in rows if c.is_company]
    people = [c for c in rows if not c.is_company and c.id in ids]
    return [(INTO_ACCOUNT, c) for c in accounts] + [(INTO_PERSON, c) for c in people]


def _new_person(sandbox: Sandbox, lead: Lead, company: Customer | None) -> Customer:
    person = Customer(
        sandbox_id=sandbox.id,
        first_name=lead.first_name,
        last_name=lead.last_name,
        company=company.company if company else "",
        company_id=company.id if company else None,
        title=lead.title,
        email=lead.email,
        phone=lead.phone,
        customer_since=sandbox.today,
        lead_id=lead.id,
        created_at=sandbox.clock,
    )
    db.session.add(person)
    return person


def _fill_empty(person: Customer, lead: Lead) -> None:
    """Give a known person the lead's details they lack; what they have stays."""
    for name in FILLABLE:
        if not getattr(person, name) and getattr(lead, name):
            setattr(person, name, getattr(lead, name))
    if person.lead_id is None:
        person.lead_id = lead.id


def _account_and_contact(
    sandbox: Sandbox, lead: Lead, into: str, existing: Customer | None
) -> tuple[Customer, Customer]:
    """The account and the person a lead becomes, new or found (see convert_lead)."""
    if into == INTO_NEW:
        company = None
        if lead.company:
            company = Customer(
                sandbox_id=sandbox.id,
                is_company=True,
                first_name="",
                company=lead.company,
                customer_since=sandbox.today,
                created_at=sandbox.clock,
            )
            db.session.add(company)
            db.session.flush()
        person = _new_person(sandbox, lead, company)
        return company or person, person
    if into == INTO_ACCOUNT:
        if existing is None or not existing.is_company:
            raise SandboxError(_("Choose a company account to add this lead to."), "into")
        person = None
        if lead.email:
            person = db.session.scalar(
                scoped(Customer, sandbox).where(
                    Customer.company_id == existing.id,
                    func.lower(Customer.email) == lead.email.lower(),
                )
            )
        if person is None:
            return existing, _new_person(sandbox, lead, existing)
        _fill_empty(person, lead)
        return existing, person
    if into == INTO_PERSON:
        if existing is None or existing.is_company:
            raise SandboxError(_("Choose the person this lead is."), "into")
        _fill_empty(existing, lead)
        account = existing
        if existing.company_id is not None:
            account = get_in_sandbox(Customer, existing.company_id, sandbox) or existing
        return account, existing
    raise SandboxError(_("Choose what the lead becomes."), "into")


def convert_lead(
    sandbox: Sandbox,
    actor: User,
    lead: Lead,
    *,
    create_opportunity: bool,
    opportunity_name: str = "",
    amount: str = "",
    stage: str = "prospecting",
    close_date=None,
    into: str = INTO_NEW,
    existing: Customer | None = None,
) -> Conversion:
    """Turn a qualified lead into an account and a contact (and optionally a deal), as
    EspoCRM and Salesforce do, linked back to the lead.

    `into` "new": a lead with a company becomes a company account and a person working
    there; one without becomes a person who is their own account. "account": a contact of
    the `existing` company account (the person already there when the email matches).
    "person": the `existing` person, no new row; only their empty fields are filled in.
    The deal belongs to the account and names the person. `existing` must be this
    sandbox's (the caller loads it).
    """
    profile = profiles.active()
    if profile.role("lead_status", lead.status) == "converted":
        raise SandboxError(_("This lead is already converted: it cannot be converted again."))
    if profile.role("lead_status", lead.status) == "dead":
        raise SandboxError(_("A dead lead cannot be converted. Recycle it first."))
    if existing is not None and existing.sandbox_id != sandbox.id:
        raise SandboxError(_("Choose what the lead becomes."), "into")
    opportunity = None
    if create_opportunity:
        if not opportunity_name.strip():
            raise SandboxError(_("Name the opportunity."), "opportunity_name")
        try:
            value = Decimal(amount or "0")
        except ArithmeticError as exc:
            raise SandboxError(_("Enter the amount as a number."), "amount") from exc
        if value < 0:
            raise SandboxError(_("The amount cannot be negative."), "amount")
        if stage not in profile.open_stages():
            raise SandboxError(_("Choose an open stage."), "stage")
    account, contact = _account_and_contact(sandbox, lead, into, existing)
    db.session.flush()
    if create_opportunity:
        owner = db.session.scalar(scoped(Colleague, sandbox).where(Colleague.is_learner.is_(True)))
        opportunity = Opportunity(
            sandbox_id=sandbox.id,
            name=opportunity_name.strip()[:160],
            customer_id=account.id,
            contact_id=contact.id,
            owner_id=owner.id if owner else None,
            stage=stage,
            amount=value,
            close_date=close_date,
            lead_id=lead.id,
        )
        db.session.add(opportunity)
        db.session.flush()
    old, lead.status = lead.status, "converted"
    lead.converted_customer_id = account.id
    lead.converted_contact_id = contact.id
    lead.converted_opportunity_id = opportunity.id if opportunity else None
    log_event(
        sandbox, actor, "lead.status_changed", "lead", lead.id, **{"from": old, "to": "converted"}
    )
    log_event(
        sandbox,
        actor,
        "lead.converted",
        "lead",
        lead.id,
        customer=account.id,
        contact=contact.id,
        opportunity=opportunity.id if opportunity else None,
        existing=into != INTO_NEW,
    )
    db.session.flush()
    return Conversion(account, contact, opportunity, into != INTO_NEW)
