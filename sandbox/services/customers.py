"""Customers: create a person or a company account, edit one, and record marketing consent.

A company cannot work for another company, and the company a person works for must be a
company account of the same sandbox. Consent is given or withdrawn at the sandbox clock's
time, by a channel; `consent_at` keeps the time of the latest change either way, so a
withdrawal is on record as well as an agreement.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import update

from portal.accounts.models import User
from portal.extensions import db
from sandbox.codes import CHANNELS, TIERS
from sandbox.models import Customer, Sandbox, get_in_sandbox
from sandbox.services.contacts import ContactData, clean_email, clean_phone
from sandbox.services.events import SandboxError, add_logged, log_event

# What the consent fields are, apart from the profile's other fields.
CONSENT_FIELDS = ("email_consent", "consent_channel")


@dataclass
class CustomerData(ContactData):
    """A customer's editable fields, as the form gives them. For a company, `company` is
    its name; for a person, `company_id` is the company account they work for (or, with
    none, `company` where they say they work)."""

    city: str = ""
    birthday: date | None = None
    tier: str = "bronze"
    preferences: str = ""
    company_id: int | None = None
    email_consent: bool = False
    consent_channel: str = ""


def _employer(sandbox: Sandbox, is_company: bool, company_id: int | None) -> Customer | None:
    """The company account a person works for: a company, and this sandbox's."""
    if company_id is None:
        return None
    if is_company:
        raise SandboxError(_("A company cannot work for another company."), "company_id")
    employer = get_in_sandbox(Customer, company_id, sandbox)
    if employer is None or not employer.is_company:
        raise SandboxError(_("Choose a company account of this CRM."), "company_id")
    return employer


def _clean(sandbox: Sandbox, is_company: bool, data: CustomerData) -> CustomerData:
    """The data trimmed and checked; a broken rule is reported on its field."""
    if is_company and not data.company.strip():
        raise SandboxError(_("Enter the company's name."), "company")
    if not is_company and not data.first_name.strip():
        raise SandboxError(_("Enter the person's first name."), "first_name")
    phone = clean_phone(data.phone)
    if data.birthday is not None and is_company:
        raise SandboxError(_("A company has no birthday."), "birthday")
    if data.birthday is not None and data.birthday > sandbox.today:
        raise SandboxError(_("A birthday cannot be in the future."), "birthday")
    if data.tier not in TIERS:
        raise SandboxError(_("Choose a tier."), "tier")
    if (data.email_consent or data.consent_channel) and data.consent_channel not in CHANNELS:
        raise SandboxError(_("Choose how they agreed to marketing email."), "consent_channel")
    employer = _employer(sandbox, is_company, data.company_id)
    # A person at a company account works at its name; without one, where they told us.
    first, last = ("", "") if is_company else (data.first_name, data.last_name)
    return replace(
        data,
        first_name=first.strip()[:80],
        last_name=last.strip()[:80],
        company=employer.company if employer else data.company.strip()[:160],
        title=data.title.strip()[:120],
        email=clean_email(data.email),
        phone=phone,
        city=data.city.strip()[:80],
        preferences=data.preferences.strip()[:255],
    )


def _profile_fields() -> list[str]:
    return [f.name for f in fields(CustomerData) if f.name not in CONSENT_FIELDS]


def _record_consent(
    sandbox: Sandbox, actor: User, customer: Customer, agreed: bool, channel: str
) -> None:
    """Give or withdraw consent now (sandbox time), by `channel`; log the change."""
    before = customer.email_consent
    customer.email_consent, customer.consent_at = agreed, sandbox.clock
    customer.consent_channel = channel
    log_event(
        sandbox,
        actor,
        "customer.consent_changed",
        "customer",
        customer.id,
        **{"from": before, "to": agreed, "channel": channel},
    )


def create_customer(
    sandbox: Sandbox, actor: User, data: CustomerData, *, is_company: bool
) -> Customer:
    """A new person (perhaps working for a company account) or company account."""
    data = _clean(sandbox, is_company, data)
    customer = Customer(
        sandbox_id=sandbox.id,
        is_company=is_company,
        customer_since=sandbox.today,
        created_at=sandbox.clock,
        **{name: getattr(data, name) for name in _profile_fields()},
    )
    add_logged(
        sandbox,
        actor,
        customer,
        "customer.created",
        is_company=is_company,
        works_for=customer.company_id,
    )
    if data.email_consent:
        _record_consent(sandbox, actor, customer, True, data.consent_channel)
    db.session.flush()
    return customer


def update_customer(
    sandbox: Sandbox, actor: User, customer: Customer, data: CustomerData
) -> Customer:
    """Change a customer's details and consent; the events name what changed.

    Switching consent on or off records the time and channel of the change; a new channel
    while consent stays on corrects the record, as a changed field.
    """
    data = _clean(sandbox, customer.is_company, data)
    changed = sorted(
        name for name in _profile_fields() if getattr(customer, name) != getattr(data, name)
    )
    if data.email_consent == customer.email_consent and data.email_consent:
        if data.consent_channel != customer.consent_channel:
            changed.append("consent_channel")
            customer.consent_channel = data.consent_channel
    for name in changed:
        setattr(customer, name, getattr(data, name))
    if customer.is_company and "company" in changed:
        db.session.execute(  # its contacts' "works at" text follows the company's name
            update(Customer)
            .where(Customer.sandbox_id == sandbox.id, Customer.company_id == customer.id)
            .values(company=customer.company)
        )
    if changed:
        log_event(sandbox, actor, "customer.updated", "customer", customer.id, fields=changed)
    if data.email_consent != customer.email_consent:
        _record_consent(sandbox, actor, customer, data.email_consent, data.consent_channel)
    db.session.flush()
    return customer
