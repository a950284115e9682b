"""Converting a lead through HTTP, as EspoCRM and Salesforce do: a company lead becomes a
company account and a contact there, a retail lead a person who is their own account, and a
lead the duplicate check recognises converts into the existing account or person."""

from __future__ import annotations

import pytest

from portal.extensions import db
from sandbox.models import Customer, Lead, Opportunity
from sandbox.services import get_or_create_sandbox
from tests.sandbox.conftest import add_company, add_person, count, last_event, new_lead

LEAD = {
    "first_name": "Nadia",
    "last_name": "Qureshi",
    "company": "Zephyr Tiles",
    "title": "Buyer",
    "email": "nadia@zephyrtiles.example",
    "phone": "0300 7654321",
    "source": "referral",
    "description": "",
}
DEAL = {
    "create_opportunity": "y",
    "opportunity_name": "Zephyr: loyalty cards",
    "amount": "2500",
    "stage": "prospecting",
}


def _lead(client, sandbox, **overrides) -> Lead:
    return new_lead(client, sandbox, {**LEAD, **overrides})


def _company(sandbox, name="Zephyr Tiles", **fields) -> Customer:
    company = add_company(sandbox, name, **fields)
    db.session.commit()
    return company


def _person(sandbox, company: Customer | None = None, **fields) -> Customer:
    """The lead's Nadia Qureshi (unless `fields` say otherwise), working at `company`."""
    person = add_person(
        sandbox,
        fields.pop("first_name", "Nadia"),
        fields.pop("last_name", "Qureshi"),
        company=company.company if company else "",
        company_id=company.id if company else None,
        **fields,
    )
    db.session.commit()
    return person


def _convert(client, lead, **data):
    return client.post(f"/sandbox/leads/{lead.id}/convert", data={"stage": "prospecting", **data})


def test_a_retail_lead_becomes_a_person_who_is_their_own_account(client, sandbox):
    lead = _lead(client, sandbox, company="", email="nadia.q@mail.example")
    response = _convert(client, lead, **DEAL)
    assert response.status_code == 302
    db.session.refresh(lead)
    person = db.session.get(Customer, lead.converted_contact_id)
    assert lead.converted_customer_id == person.id and person.is_account
    assert (person.is_company, person.company_id, person.lead_id) == (False, None, lead.id)
    deal = db.session.get(Opportunity, lead.converted_opportunity_id)
    assert (deal.customer_id, deal.contact_id) == (person.id, person.id)
    assert last_event(sandbox, "lead.converted").data == {
        "customer": person.id,
        "contact": person.id,
        "opportunity": deal.id,
        "existing": False,
    }


def test_a_company_lead_becomes_an_account_and_a_contact_there(client, sandbox):
    lead = _lead(client, sandbox, company="Brand New Tiles")
    before = count(Customer, sandbox)
    response = _convert(client, lead)
    db.session.refresh(lead)
    account = db.session.get(Customer, lead.converted_customer_id)
    contact = db.session.get(Customer, lead.converted_contact_id)
    assert response.headers["Location"].endswith(f"/sandbox/customers/{account.id}")
    assert count(Customer, sandbox) == before + 2
    assert (account.is_company, account.company, account.email) == (True, "Brand New Tiles", "")
    assert (contact.company_id, contact.email, contact.title) == (
        account.id,
        LEAD["email"],
        "Buyer",
    )
    page = client.get(f"/sandbox/customers/{account.id}").text
    assert "Nadia Qureshi" in page


def test_the_convert_form_offers_what_the_duplicate_check_finds(client, sandbox):
    company = _company(sandbox)
    person = _person(sandbox, email="nadia.q@mail.example")
    lead = _lead(client, sandbox)
    page = client.get(f"/sandbox/leads/{lead.id}").text
    assert 'data-testid="convert-into"' in page
    assert f'value="account-{company.id}"' in page
    assert f'value="person-{person.id}"' in page  # same name
    # A lead nobody resembles converts without the question.
    other = _lead(client, sandbox, first_name="Zubair", company="", email="zubair@x.example")
    assert 'data-testid="convert-into"' not in client.get(f"/sandbox/leads/{other.id}").text


def test_converting_into_an_existing_company_adds_a_contact(client, sandbox):
    company = _company(sandbox)
    lead = _lead(client, sandbox, company="zephyr tiles")
    companies = count(Customer, sandbox, Customer.is_company.is_(True))
    response = _convert(client, lead, into=f"account-{company.id}", **DEAL)
    assert response.status_code == 302
    db.session.refresh(lead)
    contact = db.session.get(Customer, lead.converted_contact_id)
    deal = db.session.get(Opportunity, lead.converted_opportunity_id)
    assert count(Customer, sandbox, Customer.is_company.is_(True)) == companies
    assert lead.converted_customer_id == company.id
    assert (contact.company_id, contact.company, contact.lead_id) == (
        company.id,
        "Zephyr Tiles",
        lead.id,
    )
    assert (deal.customer_id, deal.contact_id) == (company.id, contact.id)
    data = last_event(sandbox, "lead.converted").data
    assert (data["customer"], data["contact"], data["existing"]) == (company.id, contact.id, True)


def test_an_existing_company_with_the_person_already_at_it_gets_no_new_row(client, sandbox):
    company = _company(sandbox)
    known = _person(sandbox, company, email=LEAD["email"].upper(), phone="021 111 2222")
    lead = _lead(client, sandbox)
    before = count(Customer, sandbox)
    assert _convert(client, lead, into=f"account-{company.id}").status_code == 302
    db.session.refresh(lead)
    db.session.refresh(known)
    assert count(Customer, sandbox) == before
    assert (lead.converted_customer_id, lead.converted_contact_id) == (company.id, known.id)
    # Empty fields are filled in from the lead; what the person had stays.
    assert (known.title, known.phone, known.lead_id) == ("Buyer", "021 111 2222", lead.id)


def test_this_is_the_same_person_links_the_lead_and_fills_only_empty_fields(client, sandbox):
    person = _person(sandbox, email="nadia@home.example", city="Lahore")
    lead = _lead(client, sandbox, company="")
    before = count(Customer, sandbox)
    response = _convert(client, lead, into=f"person-{person.id}", **DEAL)
    assert response.status_code == 302
    db.session.refresh(lead)
    db.session.refresh(person)
    assert count(Customer, sandbox) == before
    assert lead.status == "converted"
    assert (lead.converted_customer_id, lead.converted_contact_id) == (person.id, person.id)
    assert (person.email, person.phone, person.title) == (
        "nadia@home.example",
        LEAD["phone"],
        "Buyer",
    )
    deal = db.session.get(Opportunity, lead.converted_opportunity_id)
    assert (deal.customer_id, deal.contact_id) == (person.id, person.id)
    assert last_event(sandbox, "lead.converted").data["existing"] is True
    assert f"/sandbox/customers/{person.id}" in client.get(f"/sandbox/leads/{lead.id}").text


def test_the_same_person_at_a_company_puts_the_deal_on_the_company(client, sandbox):
    company = _company(sandbox)
    person = _person(sandbox, company, email=LEAD["email"])
    lead = _lead(client, sandbox)
    assert _convert(client, lead, into=f"person-{person.id}", **DEAL).status_code == 302
    db.session.refresh(lead)
    assert (lead.converted_customer_id, lead.converted_contact_id) == (company.id, person.id)
    deal = db.session.get(Opportunity, lead.converted_opportunity_id)
    assert (deal.customer_id, deal.contact_id) == (company.id, person.id)


@pytest.mark.parametrize(
    ("into", "message"),
    [
        ("banana", "Choose what the lead becomes."),
        ("account-", "Choose what the lead becomes."),
        ("account-{person}", "Choose a company account to add this lead to."),
        ("person-{company}", "Choose the person this lead is."),
    ],
)
def test_a_choice_that_does_not_fit_is_refused_at_the_field(client, sandbox, into, message):
    company = _company(sandbox)
    person = _person(sandbox, email="nadia@home.example")
    lead = _lead(client, sandbox)
    before = count(Customer, sandbox)
    response = _convert(
        client, lead, into=into.format(person=person.id, company=company.id), **DEAL
    )
    assert response.status_code == 422
    page = response.text
    assert message in page
    fieldset = page[page.index('id="into"') :]
    assert "is-invalid" in fieldset[:3000] and message in fieldset
    db.session.refresh(lead)
    assert lead.status == "new" and lead.converted_customer_id is None
    assert count(Customer, sandbox) == before


def test_an_account_of_another_sandbox_or_none_at_all_is_not_found(client, sandbox, make):
    theirs = get_or_create_sandbox(make.user(roles=("learner",)))
    db.session.commit()
    their_company = _company(theirs)
    lead = _lead(client, sandbox)
    before = count(Customer, theirs), count(Customer, sandbox)
    for into in (f"account-{their_company.id}", f"person-{their_company.id}", "account-99999999"):
        assert _convert(client, lead, into=into).status_code == 404
    db.session.refresh(lead)
    assert lead.status == "new"
    assert (count(Customer, theirs), count(Customer, sandbox)) == before
