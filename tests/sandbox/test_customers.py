"""Customers through HTTP: a company's page lists its contacts and a person's names their
company; creating people and companies, editing them, recording marketing consent, and the
refusals (at the field, 422, nothing saved)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from sandbox.models import Customer, Opportunity, SandboxEvent, Ticket
from tests.sandbox.conftest import all_rows, count, events, first, last_event, newest

PERSON = {
    "first_name": "Nadia",
    "last_name": "Qureshi",
    "title": "Buyer",
    "email": "Nadia.Qureshi@Mail.Example",
    "phone": "+92 300 1234567",
    "city": "Lahore",
    "birthday": "1990-04-12",
    "tier": "silver",
    "preferences": "Coffee accessories",
    "company_id": "",
    "consent_channel": "",
}
COMPANY = {"company": "Indus Textiles", "email": "info@indus.example", "tier": "gold"}


def _post_new(client, data: dict, query: str = ""):
    return client.post(f"/sandbox/customers/new{query}", data=data)


def _created(client, sandbox, data: dict, query: str = "") -> Customer:
    response = _post_new(client, data, query)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    customer = newest(Customer, sandbox)
    assert response.headers["Location"].endswith(f"/sandbox/customers/{customer.id}")
    return customer


def _consent(customer: Customer) -> tuple:
    """The customer's marketing consent as stored: agreed or not, when, by which channel."""
    db.session.refresh(customer)
    return (customer.email_consent, customer.consent_at, customer.consent_channel)


def _form_of(customer: Customer, **changes) -> dict:
    """The edit form as the page fills it in, with `changes`."""
    data = {
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company": customer.company,
        "company_id": customer.company_id or "",
        "title": customer.title,
        "email": customer.email,
        "phone": customer.phone,
        "city": customer.city,
        "birthday": customer.birthday.isoformat() if customer.birthday else "",
        "tier": customer.tier,
        "preferences": customer.preferences,
        "consent_channel": customer.consent_channel,
    }
    if customer.email_consent:
        data["email_consent"] = "y"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _consent_text(page: str) -> str:
    """The consent sentence on a page, without its tags."""
    status = page[page.index('data-testid="consent-status"') :].split("</span>")[0]
    return " ".join(re.sub(r"<[^>]+>", "", status.split(">", 1)[1]).split())


def test_a_company_page_lists_its_contacts_and_the_accounts_deals_and_tickets(client, sandbox):
    company = first(Customer, sandbox, Customer.is_company.is_(True))
    contacts = db.session.scalars(
        select(Customer).where(Customer.sandbox_id == sandbox.id, Customer.company_id == company.id)
    ).all()
    assert contacts
    page = client.get(f"/sandbox/customers/{company.id}").text
    listed = page[page.index('data-testid="contacts"') :].split("</ul>")[0]
    for contact in contacts:
        assert f'href="/sandbox/customers/{contact.id}"><bdi dir="auto">{contact.name}<' in listed
    assert listed.count("data-contact=") == len(contacts)
    assert f'href="/sandbox/customers/new?company={company.id}"' in page  # Add contact
    for deal in db.session.scalars(
        select(Opportunity).where(
            Opportunity.sandbox_id == sandbox.id, Opportunity.customer_id == company.id
        )
    ):
        row = page[page.index(f'href="/sandbox/opportunities/{deal.id}"') :].split("</li>")[0]
        if deal.contact_id:  # the person the deal is with, by name
            assert db.session.get(Customer, deal.contact_id).name in row
    for ticket in db.session.scalars(
        select(Ticket).where(Ticket.sandbox_id == sandbox.id, Ticket.customer_id == company.id)
    ):
        assert f'href="/sandbox/tickets/{ticket.id}"' in page


def test_a_person_page_names_their_company_their_deals_and_their_consent(client, sandbox):
    deal = first(Opportunity, sandbox, Opportunity.contact_id.is_not(None))
    person = db.session.get(Customer, deal.contact_id)
    page = client.get(f"/sandbox/customers/{person.id}").text
    assert f'href="/sandbox/opportunities/{deal.id}"' in page  # as contact, on the account
    if person.company_id:
        works_for = page[page.index('data-testid="works-for"') :].split("</dd>")[0]
        assert f'href="/sandbox/customers/{person.company_id}"' in works_for
    assert 'data-testid="purchases"' in page

    person.email_consent, person.consent_at, person.consent_channel = False, None, ""
    db.session.commit()
    page = client.get(f"/sandbox/customers/{person.id}").text
    assert _consent_text(page) == "No consent on record"
    person.email_consent, person.consent_channel = True, "visit"
    person.consent_at = sandbox.clock - timedelta(days=40)
    db.session.commit()
    status = _consent_text(client.get(f"/sandbox/customers/{person.id}").text)
    day = f"{person.consent_at:%b} {person.consent_at.day}, {person.consent_at.year}"
    assert status == f"Agreed to marketing email on {day} by Visit"


def test_a_new_person_is_created_with_consent_recorded(client, sandbox):
    assert client.get("/sandbox/customers/new").status_code == 200
    person = _created(client, sandbox, {**PERSON, "email_consent": "y", "consent_channel": "web"})
    assert (person.name, person.is_company, person.company_id) == ("Nadia Qureshi", False, None)
    assert person.email == "nadia.qureshi@mail.example"
    assert (person.birthday, person.tier, person.customer_since) == (
        date(1990, 4, 12),
        "silver",
        sandbox.today,
    )
    assert _consent(person) == (True, sandbox.clock, "web")
    assert events(sandbox, "customer.") == ["customer.created", "customer.consent_changed"]
    assert last_event(sandbox, "customer.created").data == {"is_company": False, "works_for": None}
    assert last_event(sandbox, "customer.consent_changed").data == {
        "from": False,
        "to": True,
        "channel": "web",
    }


def test_a_company_is_created_and_a_contact_added_inside_it(client, sandbox):
    assert client.get("/sandbox/customers/new?kind=company").status_code == 200
    company = _created(client, sandbox, COMPANY, "?kind=company")
    assert (company.is_company, company.name, company.first_name) == (True, "Indus Textiles", "")
    assert not company.email_consent and company.consent_at is None

    form = client.get(f"/sandbox/customers/new?company={company.id}").text
    assert f'<option selected value="{company.id}">Indus Textiles</option>' in form
    contact = _created(client, sandbox, {**PERSON, "company_id": company.id})
    assert (contact.company_id, contact.company) == (company.id, "Indus Textiles")
    assert last_event(sandbox, "customer.created").data == {
        "is_company": False,
        "works_for": company.id,
    }
    page = client.get(f"/sandbox/customers/{company.id}").text
    assert f'data-contact="{contact.id}"' in page
    page = client.get(f"/sandbox/customers/{contact.id}").text
    works_for = page[page.index('data-testid="works-for"') :].split("</dd>")[0]
    assert f'href="/sandbox/customers/{company.id}"' in works_for
    assert "Indus Textiles" in works_for and "Buyer" in works_for

    # Renaming the company renames where its people work.
    response = client.post(
        f"/sandbox/customers/{company.id}/edit", data=_form_of(company, company="Indus Mills")
    )
    assert response.status_code == 302
    db.session.refresh(contact)
    assert contact.company == "Indus Mills"


def test_an_edit_logs_the_changed_fields(client, sandbox):
    person = first(Customer, sandbox, Customer.is_company.is_(False))
    company = first(
        Customer, sandbox, Customer.is_company.is_(True), Customer.id != (person.company_id or 0)
    )
    url = f"/sandbox/customers/{person.id}/edit"
    page = client.get(url).text
    assert f'value="{person.email}"' in page and 'data-testid="consent"' in page
    changes = {"phone": "021 555 0101", "tier": "platinum", "title": "Owner"}
    expected = sorted(
        [name for name, value in changes.items() if getattr(person, name) != value]
        + ["company_id"]
        + (["company"] if person.company != company.company else [])
    )
    response = client.post(url, data=_form_of(person, company_id=company.id, **changes))
    assert response.status_code == 302
    db.session.refresh(person)
    assert (person.phone, person.tier, person.company_id) == (
        "021 555 0101",
        "platinum",
        company.id,
    )
    assert person.company == company.company
    assert last_event(sandbox, "customer.updated").data == {"fields": expected}
    assert "customer.consent_changed" not in events(sandbox)

    # Saving again unchanged logs nothing.
    before = count(SandboxEvent, sandbox)
    assert client.post(url, data=_form_of(person)).status_code == 302
    assert count(SandboxEvent, sandbox) == before


def test_consent_switched_on_and_off_keeps_the_time_and_channel_of_each_change(client, sandbox):
    person = first(Customer, sandbox, Customer.is_company.is_(False))
    person.email_consent, person.consent_at, person.consent_channel = False, None, ""
    db.session.commit()
    url = f"/sandbox/customers/{person.id}/edit"
    data = _form_of(person, email_consent="y", consent_channel="phone")
    assert client.post(url, data=data).status_code == 302
    assert _consent(person) == (True, sandbox.clock, "phone")
    assert events(sandbox, "customer.") == ["customer.consent_changed"]  # nothing else changed

    client.post("/sandbox/clock", data={"days": "1"})
    db.session.refresh(sandbox)
    data = _form_of(person, consent_channel="email")
    del data["email_consent"]
    assert client.post(url, data=data).status_code == 302
    assert _consent(person) == (False, sandbox.clock, "email")
    assert last_event(sandbox, "customer.consent_changed").data == {
        "from": True,
        "to": False,
        "channel": "email",
    }
    status = _consent_text(client.get(f"/sandbox/customers/{person.id}").text)
    assert status.startswith("Withdrew marketing consent on") and status.endswith("by Email")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"phone": "call me"}, "phone", "Enter a phone number"),
        ({"birthday": "2999-01-01"}, "birthday", "A birthday cannot be in the future."),
        ({"first_name": ""}, "first_name", "Enter the person&#39;s first name."),
        ({"tier": "diamond"}, "tier", "Choose a tier."),
        ({"email_consent": "y", "consent_channel": ""}, "consent_channel", "Choose how they"),
        ({"company_id": "999999"}, "company_id", "Choose a company account of this CRM."),
        ({"company_id": "person"}, "company_id", "Choose a company account of this CRM."),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(
    client, sandbox, changes, field, message
):
    person = first(Customer, sandbox, Customer.is_company.is_(False), Customer.company_id.is_(None))
    if changes.get("company_id") == "person":  # a person is no company to work for
        changes = {"company_id": str(person.id + 1)}
        assert not db.session.get(Customer, person.id + 1).is_company
    before = (count(Customer, sandbox), count(SandboxEvent, sandbox), person.email, person.tier)
    for url, data in (
        ("/sandbox/customers/new", {**PERSON, **changes}),
        (f"/sandbox/customers/{person.id}/edit", _form_of(person, **changes)),
    ):
        response = client.post(url, data=data)
        assert response.status_code == 422, url
        page = response.get_data(as_text=True)
        assert message in page
        assert f'id="{field}"' in page.split(message)[0].rsplit("<label", 1)[1] or (
            'is-invalid" id="' + field in page
        )
    db.session.refresh(person)
    after = (count(Customer, sandbox), count(SandboxEvent, sandbox), person.email, person.tier)
    assert after == before


def test_a_company_cannot_work_for_a_company_nor_have_a_birthday(client, sandbox):
    company, other = all_rows(Customer, sandbox, Customer.is_company.is_(True), limit=2)
    url = f"/sandbox/customers/{company.id}/edit"
    response = client.post(url, data=_form_of(company, company_id=other.id))
    assert response.status_code == 422
    assert "A company cannot work for another company." in response.text
    response = client.post(url, data=_form_of(company, birthday="1990-01-01"))
    assert response.status_code == 422 and "A company has no birthday." in response.text
    response = _post_new(client, {**COMPANY, "company": ""}, "?kind=company")
    assert response.status_code == 422 and "Enter the company&#39;s name." in response.text
    db.session.refresh(company)
    assert company.company_id is None and company.birthday is None


def test_another_sandboxs_company_is_not_found(client, sandbox, make):
    from sandbox.services import get_or_create_sandbox

    other = get_or_create_sandbox(make.user(roles=("learner",)))
    db.session.commit()
    theirs = first(Customer, other, Customer.is_company.is_(True))
    response = _post_new(client, {**PERSON, "company_id": theirs.id})
    assert response.status_code == 422
    assert "Choose a company account of this CRM." in response.text
    assert client.get(f"/sandbox/customers/{theirs.id}/edit").status_code == 404
    form = client.get(f"/sandbox/customers/new?company={theirs.id}").text
    assert f'<option selected value="{theirs.id}"' not in form


def test_a_person_without_a_company_account_keeps_where_they_said_they_work(client, sandbox):
    person = first(Customer, sandbox, Customer.is_company.is_(False), Customer.company_id.is_(None))
    person.company = "Corner Shop"
    db.session.commit()
    url = f"/sandbox/customers/{person.id}/edit"
    assert client.post(url, data=_form_of(person, phone="042 111 2222")).status_code == 302
    db.session.refresh(person)
    assert (person.company, person.phone) == ("Corner Shop", "042 111 2222")
    assert last_event(sandbox, "customer.updated").data == {"fields": ["phone"]}
