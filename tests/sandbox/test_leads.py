"""Leads through HTTP: log (with validation and a duplicate warning), edit, qualify
inline, note, convert into a customer and an opportunity, and the refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from sandbox.models import Activity, Customer, Lead, Opportunity
from tests.sandbox.conftest import count, events, first, last_event

LEAD = {
    "first_name": "Imran",
    "last_name": "Siddiqui",
    "company": "Harbour Bakeries",
    "title": "Operations manager",
    "email": "imran@harbour.example",
    "phone": "0300 1234567",
    "source": "trade_show",
    "description": "Met at the expo.",
}
HTMX = {"HX-Request": "true"}


def _new_lead(client, sandbox, **overrides) -> Lead:
    response = client.post("/sandbox/leads/new", data={**LEAD, **overrides})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return first(Lead, sandbox, Lead.email == overrides.get("email", LEAD["email"]))


def test_lead_is_logged_qualified_noted_and_converted(client, sandbox):
    lead = _new_lead(client, sandbox)
    assert (lead.status, lead.source, lead.created_at) == ("new", "trade_show", sandbox.clock)

    response = client.post(
        f"/sandbox/leads/{lead.id}/status", data={"status": "in_process"}, headers=HTMX
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in page and "Saved" in page
    response = client.post(
        f"/sandbox/activities/lead/{lead.id}", data={"kind": "note", "body": "Budget 15k"}
    )
    assert response.status_code == 302
    response = client.post(
        f"/sandbox/leads/{lead.id}/convert",
        data={
            "create_opportunity": "y",
            "opportunity_name": "Harbour: loyalty cards",
            "amount": "15000",
            "stage": "prospecting",
            "close_date": "2027-03-01",
        },
    )
    assert response.status_code == 302
    db.session.refresh(lead)
    # A lead with a company becomes a company account with the person as its contact.
    customer = db.session.get(Customer, lead.converted_customer_id)
    contact = db.session.get(Customer, lead.converted_contact_id)
    opportunity = db.session.get(Opportunity, lead.converted_opportunity_id)
    assert lead.status == "converted"
    assert (customer.is_company, customer.company) == (True, "Harbour Bakeries")
    assert (contact.first_name, contact.email, contact.lead_id, contact.company_id) == (
        "Imran",
        LEAD["email"],
        lead.id,
        customer.id,
    )
    assert customer.sandbox_id == opportunity.sandbox_id == sandbox.id
    assert (opportunity.amount, opportunity.lead_id, opportunity.customer_id) == (
        15000,
        lead.id,
        customer.id,
    )
    assert opportunity.contact_id == contact.id
    assert response.headers["Location"].endswith(f"/sandbox/opportunities/{opportunity.id}")
    assert events(sandbox, "lead.") == [
        "lead.created",
        "lead.status_changed",
        "lead.status_changed",
        "lead.converted",
    ]
    converted = last_event(sandbox, "lead.converted")
    assert converted.data == {
        "customer": customer.id,
        "contact": contact.id,
        "opportunity": opportunity.id,
        "existing": False,
    }
    # The contact's profile links back to the lead; the lead page to all three.
    assert f"/sandbox/leads/{lead.id}" in client.get(f"/sandbox/customers/{contact.id}").text
    links = client.get(f"/sandbox/leads/{lead.id}").text
    assert f"/sandbox/customers/{customer.id}" in links
    assert f"/sandbox/customers/{contact.id}" in links
    assert f"/sandbox/opportunities/{opportunity.id}" in links

    # A converted lead cannot be converted again, and nothing more is created.
    again = client.post(f"/sandbox/leads/{lead.id}/convert", data={"stage": "prospecting"})
    assert again.status_code == 422
    assert "already converted" in again.text
    assert count(Customer, sandbox, Customer.lead_id == lead.id) == 1


def test_converting_without_an_opportunity_opens_the_customer(client, sandbox):
    lead = _new_lead(client, sandbox)
    deals = count(Opportunity, sandbox)
    response = client.post(f"/sandbox/leads/{lead.id}/convert", data={"stage": "prospecting"})
    db.session.refresh(lead)
    assert response.headers["Location"].endswith(f"/sandbox/customers/{lead.converted_customer_id}")
    assert lead.converted_opportunity_id is None and count(Opportunity, sandbox) == deals


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"opportunity_name": ""}, "opportunity_name", "Name the opportunity."),
        ({"amount": "-5"}, "amount", "The amount cannot be negative."),
        ({"amount": "lots"}, "amount", "Not a valid decimal value."),
        ({"stage": "closed_won"}, "stage", "Not a valid choice."),
        ({"close_date": "someday"}, "close_date", "Not a valid date value."),
    ],
)
def test_bad_conversion_is_refused_at_the_field(client, sandbox, data, field, message):
    lead = _new_lead(client, sandbox)
    customers = count(Customer, sandbox)
    form = {
        "create_opportunity": "y",
        "opportunity_name": "Deal",
        "amount": "10",
        "stage": "proposal",
        **data,
    }
    response = client.post(f"/sandbox/leads/{lead.id}/convert", data=form)
    assert response.status_code == 422
    page = response.text
    assert message in page
    assert f'id="{field}"' in page and "is-invalid" in page
    db.session.refresh(lead)
    assert lead.status == "new" and count(Customer, sandbox) == customers


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", " ", "first name."),
        ("email", "not-an-email", "Enter a valid email address."),
        ("phone", "call me", "Enter a phone number"),
        ("source", "pigeon", "Choose where the lead came from."),
        ("first_name", "x" * 81, "Field cannot be longer than 80 characters."),
    ],
)
def test_bad_lead_input_is_refused_at_the_field_and_nothing_saved(
    client, sandbox, field, value, message
):
    before, logged = count(Lead, sandbox), len(events(sandbox))
    response = client.post("/sandbox/leads/new", data={**LEAD, field: value})
    assert response.status_code == 422
    page = response.text
    # The message sits right after the field it is about.
    field_html = page[page.index(f'id="{field}"') :]
    assert "is-invalid" in page[page.index(f'id="{field}"') - 300 : page.index(f'id="{field}"')]
    assert message in field_html[:1500]
    assert count(Lead, sandbox) == before and len(events(sandbox)) == logged


def test_duplicate_lead_is_warned_about_then_saved_when_confirmed(client, sandbox):
    _new_lead(client, sandbox)
    response = client.post("/sandbox/leads/new", data={**LEAD, "first_name": "Imraan"})
    assert response.status_code == 422
    page = response.text
    assert 'data-testid="duplicate-warning"' in page and "Imran Siddiqui" in page
    assert 'name="confirm_duplicate" type="hidden" value="1"' in page
    assert count(Lead, sandbox, Lead.email == LEAD["email"]) == 1
    response = client.post(
        "/sandbox/leads/new", data={**LEAD, "first_name": "Imraan", "confirm_duplicate": "1"}
    )
    assert response.status_code == 302
    assert count(Lead, sandbox, Lead.email == LEAD["email"]) == 2


def test_a_company_that_is_already_a_customer_is_flagged(client, sandbox):
    customer = first(Customer, sandbox, Customer.is_company.is_(True))
    response = client.post(
        "/sandbox/leads/new",
        data={**LEAD, "email": "someone.new@example.com", "company": customer.company.upper()},
    )
    assert response.status_code == 422
    assert f"/sandbox/customers/{customer.id}" in response.text


def test_lead_can_be_edited_and_the_change_is_logged(client, sandbox):
    lead = _new_lead(client, sandbox)
    assert client.get(f"/sandbox/leads/{lead.id}/edit").status_code == 200
    response = client.post(
        f"/sandbox/leads/{lead.id}/edit", data={**LEAD, "phone": "+92 21 5550100"}
    )
    assert response.status_code == 302
    db.session.refresh(lead)
    assert lead.phone == "+92 21 5550100"
    assert last_event(sandbox, "lead.updated").data == {"fields": ["phone"]}
    # Saving its own email and company again is not a duplicate of itself.
    assert client.post(f"/sandbox/leads/{lead.id}/edit", data=LEAD).status_code == 302
    bad = client.post(f"/sandbox/leads/{lead.id}/edit", data={**LEAD, "email": "nope"})
    assert bad.status_code == 422
    db.session.refresh(lead)
    assert lead.email == LEAD["email"]


def test_status_changes_that_make_no_sense_are_refused(client, sandbox):
    lead = _new_lead(client, sandbox)
    assert (
        client.post(f"/sandbox/leads/{lead.id}/status", data={"status": "dead"}).status_code == 200
    )
    response = client.post(f"/sandbox/leads/{lead.id}/convert", data={"stage": "prospecting"})
    assert response.status_code == 422 and "A dead lead cannot be converted" in response.text
    response = client.post(
        f"/sandbox/leads/{lead.id}/status", data={"status": "in_process"}, headers=HTMX
    )
    assert response.status_code == 422
    assert "A lead cannot go from Dead to In Process." in response.text
    # "Converted" is not a status one picks: conversion creates the customer.
    response = client.post(f"/sandbox/leads/{lead.id}/status", data={"status": "converted"})
    assert response.status_code == 422
    db.session.refresh(lead)
    assert lead.status == "dead" and lead.converted_customer_id is None
    # Dead -> Recycled is allowed: a second chance.
    client.post(f"/sandbox/leads/{lead.id}/status", data={"status": "recycled"})
    db.session.refresh(lead)
    assert lead.status == "recycled"


def test_lead_list_filters_and_searches(client, sandbox):
    _new_lead(client, sandbox)
    page = client.get("/sandbox/leads?q=harbour+bakeries", headers=HTMX).text
    assert "<html" not in page and "Imran Siddiqui" in page and "1 lead" in page
    dead = count(Lead, sandbox, Lead.status == "dead")
    page = client.get("/sandbox/leads?status=dead").text
    assert f"{dead} lead" in page
    page = client.get("/sandbox/leads?source=trade_show&status=new").text
    assert "Imran Siddiqui" in page


def test_notes_on_a_lead_show_on_its_page(client, sandbox):
    lead = _new_lead(client, sandbox)
    client.post(
        f"/sandbox/activities/lead/{lead.id}", data={"kind": "call", "subject": "First call"}
    )
    assert "First call" in client.get(f"/sandbox/leads/{lead.id}").text
    note = db.session.scalar(
        select(Activity).where(Activity.parent_id == lead.id, Activity.parent_type == "lead")
    )
    assert (note.kind, note.sandbox_id, note.at) == ("call", sandbox.id, sandbox.clock)
