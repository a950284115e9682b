"""Structured notes through HTTP: a lead's qualification (need, authority, budget, timing)
and a ticket's resolution in three parts, each shown on its record's page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from portal.extensions import db
from sandbox.models import Lead, Ticket
from tests.sandbox.conftest import first, last_event


def test_a_lead_is_qualified_part_by_part(client, sandbox):
    lead = first(Lead, sandbox)
    url = f"/sandbox/leads/{lead.id}"
    timing = sandbox.today + timedelta(days=90)
    data = {
        "need": "Loyalty cards for every branch",
        "authority": "The owner signs off",
        "budget": "15000",
        "budget_status": "indicated",
        "timing": timing.isoformat(),
    }
    assert client.post(f"{url}/qualification", data=data).status_code == 302
    db.session.refresh(lead)
    assert (lead.need, lead.authority, lead.budget, lead.budget_status, lead.timing) == (
        "Loyalty cards for every branch",
        "The owner signs off",
        Decimal(15000),
        "indicated",
        timing,
    )
    assert last_event(sandbox, "lead.updated").data["fields"] == [
        "authority",
        "budget",
        "budget_status",
        "need",
        "timing",
    ]
    page = client.get(url).get_data(as_text=True)
    assert "Loyalty cards for every branch" in page and 'data-testid="qualify-form"' in page


def test_a_bad_qualification_is_refused_at_the_field(client, sandbox):
    lead = first(Lead, sandbox)
    response = client.post(
        f"/sandbox/leads/{lead.id}/qualification", data={"budget": "-5", "budget_status": "x"}
    )
    assert response.status_code == 422
    db.session.refresh(lead)
    assert lead.budget is None and lead.budget_status == "unknown"


def test_a_resolution_keeps_its_three_parts_and_reads_as_one(client, sandbox):
    ticket = first(Ticket, sandbox, Ticket.status == "new")
    url = f"/sandbox/tickets/{ticket.id}"
    refused = client.post(f"{url}/resolve", data={"resolution_cause": "A cracked hinge"})
    assert refused.status_code == 422 and "Write what you did" in refused.get_data(as_text=True)
    data = {
        "resolution_cause": "A cracked hinge",
        "resolution_action": "Sent a new door",
        "resolution_expectation": "It arrives on Monday",
    }
    assert client.post(f"{url}/resolve", data=data).status_code == 302
    db.session.refresh(ticket)
    assert (ticket.resolution_cause, ticket.resolution_action, ticket.resolution_expectation) == (
        "A cracked hinge",
        "Sent a new door",
        "It arrives on Monday",
    )
    assert ticket.resolution == (
        "What was wrong: A cracked hinge\nWhat we did: Sent a new door\n"
        "What the customer can expect: It arrives on Monday"
    )
    assert "Sent a new door" in client.get(url).get_data(as_text=True)
