"""Converting a lead: into a new account and contact, into an account already in the CRM,
or as a person already known; optionally with a deal for the account."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from portal.accounts.models import User
from portal.extensions import db
from sandbox import profiles
from sandbox.models import (
    Colleague,
    Customer,
    Lead,
    Opportunity,
    Sandbox,
    get_in_sandbox,
    scoped,
)
from sandbox.services.events import SandboxError, log_event
from sandbox.services.leads import possible_duplicates

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
