"""The sandbox through HTTP: leads and conversion, tickets with SLA stamps, automations on
the simulated clock, validation, reset."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from sandbox.models import (
    Activity,
    Automation,
    Customer,
    Lead,
    Opportunity,
    OutboxEmail,
    SandboxEvent,
    Ticket,
)


def _count(model, sandbox, *where):
    return db.session.scalar(
        select(func.count(model.id)).where(model.sandbox_id == sandbox.id, *where)
    )


def _events(sandbox):
    return [
        e.verb
        for e in db.session.scalars(
            select(SandboxEvent)
            .where(SandboxEvent.sandbox_id == sandbox.id)
            .order_by(SandboxEvent.id)
        )
    ]


LEAD = {
    "first_name": "Imran",
    "last_name": "Siddiqui",
    "company": "Harbour Bakeries",
    "email": "imran@harbour.example",
    "phone": "0300 1234567",
    "source": "trade_show",
    "description": "Met at the expo.",
}


def test_lead_is_logged_qualified_and_converted(client, sandbox):
    response = client.post("/sandbox/leads/new", data=LEAD)
    assert response.status_code == 302
    lead = db.session.scalar(select(Lead).where(Lead.email == "imran@harbour.example"))
    assert lead.sandbox_id == sandbox.id and lead.status == "new"

    response = client.post(
        f"/sandbox/leads/{lead.id}/status",
        data={"status": "in_process"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    client.post(f"/sandbox/activities/lead/{lead.id}", data={"kind": "note", "body": "Budget 15k"})
    response = client.post(
        f"/sandbox/leads/{lead.id}/convert",
        data={
            "create_opportunity": "1",
            "opportunity_name": "Harbour: loyalty cards",
            "amount": "15,000",
            "stage": "prospecting",
            "close_date": "2027-03-01",
        },
    )
    assert response.status_code == 302
    db.session.refresh(lead)
    customer = db.session.get(Customer, lead.converted_customer_id)
    opportunity = db.session.get(Opportunity, lead.converted_opportunity_id)
    assert lead.status == "converted"
    assert (customer.first_name, customer.lead_id) == ("Imran", lead.id)
    assert (opportunity.amount, opportunity.lead_id) == (15000, lead.id)
    assert [e for e in _events(sandbox) if e.startswith("lead.")] == [
        "lead.created",
        "lead.status_changed",
        "lead.status_changed",
        "lead.converted",
    ]

    # Converted (and dead) leads cannot be converted again.
    again = client.post(f"/sandbox/leads/{lead.id}/convert", data={"create_opportunity": "0"})
    assert again.status_code == 422
    assert "A converted lead cannot be converted." in again.get_data(as_text=True)
    assert _count(Customer, sandbox, Customer.lead_id == lead.id) == 1


def test_bad_lead_input_is_refused_at_the_field_and_nothing_saved(client, sandbox):
    before = _count(Lead, sandbox)
    for data, message in (
        ({**LEAD, "first_name": " "}, "Enter the lead&#39;s first name."),
        ({**LEAD, "email": "not-an-email"}, "Enter a valid email address."),
        ({**LEAD, "phone": "call me"}, "Enter a phone number"),
        ({**LEAD, "source": "pigeon"}, "Choose where the lead came from."),
    ):
        response = client.post("/sandbox/leads/new", data=data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert _count(Lead, sandbox) == before


def test_duplicate_lead_is_warned_about_then_saved_when_confirmed(client, sandbox):
    client.post("/sandbox/leads/new", data=LEAD)
    response = client.post("/sandbox/leads/new", data=LEAD)
    assert response.status_code == 422
    assert 'data-testid="duplicate-warning"' in response.get_data(as_text=True)
    assert _count(Lead, sandbox, Lead.email == LEAD["email"]) == 1
    response = client.post("/sandbox/leads/new", data={**LEAD, "confirm_duplicate": "1"})
    assert response.status_code == 302
    assert _count(Lead, sandbox, Lead.email == LEAD["email"]) == 2


def test_dead_lead_cannot_be_converted(client, sandbox):
    client.post("/sandbox/leads/new", data=LEAD)
    lead = db.session.scalar(select(Lead).where(Lead.email == LEAD["email"]))
    client.post(f"/sandbox/leads/{lead.id}/status", data={"status": "dead"})
    response = client.post(f"/sandbox/leads/{lead.id}/convert", data={"create_opportunity": "0"})
    assert response.status_code == 422
    response = client.post(f"/sandbox/leads/{lead.id}/status", data={"status": "in_process"})
    assert response.status_code == 422
    assert "A lead cannot go from dead to in_process." in response.get_data(as_text=True)


def test_ticket_lifecycle_stamps_first_response_and_resolution(client, sandbox):
    ticket = db.session.scalar(
        select(Ticket).where(Ticket.sandbox_id == sandbox.id, Ticket.status == "new")
    )
    url = f"/sandbox/tickets/{ticket.id}"
    assert client.post(f"{url}/resolve", data={"resolution": " "}).status_code == 422
    assert client.post(f"{url}/close", data={"satisfaction": "5"}).status_code == 422
    def emails():
        return _count(Activity, sandbox, Activity.parent_type == "ticket",
                      Activity.parent_id == ticket.id, Activity.kind == "email")

    before = emails()
    assert client.post(f"{url}/respond", data={"message": "Looking into it."}).status_code == 302
    db.session.refresh(ticket)
    assert ticket.first_responded_at == sandbox.clock
    assert emails() == before + 1  # the reply is logged as an email activity
    client.post(f"{url}/pending")
    client.post(f"{url}/resolve", data={"resolution": "Replaced the part."})
    client.post(f"{url}/close", data={"satisfaction": "4"})
    db.session.refresh(ticket)
    assert (ticket.status, ticket.satisfaction, ticket.resolution) == (
        "closed",
        4,
        "Replaced the part.",
    )
    # A closed ticket cannot get a (first) response.
    response = client.post(f"{url}/respond", data={"message": "Hello?"})
    assert response.status_code == 422
    assert "This ticket is closed" in response.get_data(as_text=True)


def test_queue_is_sorted_by_sla_urgency(client, sandbox):
    page = client.get("/sandbox/tickets").get_data(as_text=True)
    ids = [int(i) for i in __import__("re").findall(r'data-ticket="(\d+)"', page)]
    tickets = {t.id: t for t in db.session.scalars(select(Ticket).where(Ticket.id.in_(ids)))}
    due = [
        t.first_response_due if t.first_responded_at is None else t.resolution_due
        for t in (tickets[i] for i in ids)
    ]
    assert due == sorted(due)
    assert "Overdue by" in page or "left" in page


def test_birthday_automation_fills_the_outbox_when_the_clock_moves(client, sandbox):
    customer = db.session.scalar(select(Customer).where(Customer.sandbox_id == sandbox.id))
    customer.birthday = (sandbox.clock + timedelta(days=2)).date().replace(year=1990)
    db.session.commit()
    response = client.post(
        "/sandbox/automations",
        data={
            "name": "Birthday",
            "trigger": "birthday",
            "subject": "Happy birthday, {first_name}!",
            "body": "Dear {first_name}, best wishes.",
            "active": "y",
        },
    )
    assert response.status_code == 302
    client.post("/sandbox/clock", data={"days": "1"})
    assert _count(OutboxEmail, sandbox) == 0
    client.post("/sandbox/clock", data={"days": "7"})
    email = db.session.scalar(
        select(OutboxEmail).where(
            OutboxEmail.sandbox_id == sandbox.id, OutboxEmail.customer_id == customer.id
        )
    )
    assert email.subject == f"Happy birthday, {customer.first_name}!"
    page = client.get("/sandbox/outbox").get_data(as_text=True)
    assert f"Happy birthday, {customer.first_name}!" in page
    assert client.post("/sandbox/clock", data={"days": "3"}).status_code == 302  # refused
    assert "clock.advanced" in _events(sandbox)


def test_automation_form_validates(client, sandbox):
    before = _count(Automation, sandbox)
    response = client.post(
        "/sandbox/automations", data={"name": "X", "trigger": "moon", "subject": "s", "body": "b"}
    )
    assert response.status_code == 422
    assert "Choose when the email is sent." in response.get_data(as_text=True)
    assert _count(Automation, sandbox) == before
    preview = client.post(
        "/sandbox/automations/preview",
        data={"subject": "Hi {first_name}", "body": "Your {product}"},
        headers={"HX-Request": "true"},
    )
    assert "Hi Farah" in preview.get_data(as_text=True)


def test_reset_brings_back_a_fresh_sandbox(client, sandbox):
    client.post("/sandbox/leads/new", data=LEAD)
    generation = sandbox.generation
    response = client.post("/sandbox/reset")
    assert response.status_code == 302
    db.session.refresh(sandbox)
    assert sandbox.generation == generation + 1
    assert _count(Lead, sandbox, Lead.email == LEAD["email"]) == 0
    assert _count(Customer, sandbox) == 200 and _count(Lead, sandbox) == 40
    assert _events(sandbox) == ["sandbox.reset"]


def test_reports_show_targets_and_log_the_view(client, sandbox):
    page = client.get("/sandbox/reports").get_data(as_text=True)
    assert 'data-testid="targets"' in page and "(you)" in page
    assert "report.viewed" in _events(sandbox)
