"""Logging a ticket and changing its category through HTTP: the channel is recorded, the SLA
deadlines follow the active CRM profile, bad input is refused at its field with nothing
saved, and a category change and hand-over are in the ticket's history."""

from __future__ import annotations

import pytest

from portal.extensions import db
from sandbox import profiles
from sandbox.codes import CHANNELS
from sandbox.models import Colleague, Customer, Purchase, SandboxEvent, Ticket
from sandbox.services import get_or_create_sandbox
from tests.sandbox.conftest import count, events, first, last_event, newest

NEW = "/sandbox/tickets/new"


def _purchase(sandbox) -> Purchase:
    return first(Purchase, sandbox)


def _form(sandbox, **fields) -> dict:
    purchase = _purchase(sandbox)
    data = {
        "customer_id": str(purchase.customer_id),
        "purchase_id": str(purchase.id),
        "channel": "phone",
        "subject": "The blender stopped working",
        "category": "defect",
        "priority": "high",
        "description": "Bought last month; it will not start.",
    }
    data.update({k: str(v) for k, v in fields.items()})
    return data


@pytest.mark.parametrize("channel", CHANNELS)
def test_log_a_ticket_by_each_channel(client, sandbox, channel):
    before = count(Ticket, sandbox)
    response = client.post(NEW, data=_form(sandbox, channel=channel))
    assert response.status_code == 302
    ticket = newest(Ticket, sandbox)
    assert count(Ticket, sandbox) == before + 1
    assert response.headers["Location"].endswith(f"/sandbox/tickets/{ticket.id}")
    purchase = _purchase(sandbox)
    assert (ticket.channel, ticket.status, ticket.category, ticket.priority) == (
        channel,
        "new",
        "defect",
        "high",
    )
    assert (ticket.customer_id, ticket.purchase_id) == (purchase.customer_id, purchase.id)
    assert ticket.opened_at == sandbox.clock
    assert last_event(sandbox, "ticket.created").data == {
        "channel": channel,
        "category": "defect",
        "priority": "high",
    }
    page = client.get(f"/sandbox/tickets/{ticket.id}").get_data(as_text=True)
    assert "The blender stopped working" in page


@pytest.mark.parametrize("priority", ["low", "normal", "high", "urgent"])
def test_sla_deadlines_are_the_profiles_targets_for_the_priority(client, sandbox, priority):
    assert client.post(NEW, data=_form(sandbox, priority=priority)).status_code == 302
    ticket = newest(Ticket, sandbox)
    sla = profiles.active().sla
    assert ticket.first_response_due == sla.due(sandbox.clock, priority, "first_response")
    assert ticket.resolution_due == sla.due(sandbox.clock, priority, "resolution")
    if sla.hours == "24x7":
        target = sla.targets[priority]
        hours = (ticket.first_response_due - ticket.opened_at).total_seconds() / 3600
        assert hours == target.first_response


def test_the_customers_page_prefills_the_new_ticket(client, sandbox):
    purchase = _purchase(sandbox)
    customer = db.session.get(Customer, purchase.customer_id)
    page = client.get(f"/sandbox/customers/{customer.id}").get_data(as_text=True)
    assert f"/sandbox/tickets/new?customer={customer.id}" in page
    form = client.get(f"{NEW}?customer={customer.id}").get_data(as_text=True)
    assert f'<option selected value="{customer.id}">' in form
    assert f'value="{purchase.id}"' in form  # the customer's purchases are offered
    assert "New ticket" in client.get("/sandbox/tickets").get_data(as_text=True)


@pytest.mark.parametrize("customer", ["99999999999999999999", "abc", "-1", "0"])
def test_a_nonsense_customer_leaves_the_new_ticket_blank(client, sandbox, customer):
    answer = client.get(f"{NEW}?customer={customer}")
    assert answer.status_code == 200
    customers = answer.get_data(as_text=True).split('name="customer_id"')[1].split("</select>")[0]
    assert '<option selected value="">' in customers  # "Choose…", no customer picked


def _other_sandbox(make):
    other = get_or_create_sandbox(make.user(roles=("learner",)))
    db.session.commit()
    return other


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "lottery"),
        ("priority", "whenever"),
        ("channel", "pigeon"),
        ("subject", "x" * 201),
        ("subject", ""),
        ("subject", "bad\x00byte"),
        ("description", "nul\x00here"),
        ("description", "y" * 5001),
        ("customer_id", "not-a-number"),
        ("customer_id", ""),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_is_saved(client, sandbox, field, value):
    before = (count(Ticket, sandbox), len(events(sandbox)))
    response = client.post(NEW, data=_form(sandbox, **{field: value}))
    assert response.status_code == 422
    assert f'id="{field}"' in response.get_data(as_text=True)
    assert "is-invalid" in response.get_data(as_text=True)
    assert (count(Ticket, sandbox), len(events(sandbox))) == before


def test_another_learners_customer_or_purchase_is_refused(client, sandbox, make):
    other = _other_sandbox(make)
    theirs = first(Purchase, other)
    before = count(Ticket, sandbox), count(Ticket, other)
    for fields in (
        {"customer_id": theirs.customer_id, "purchase_id": ""},
        {"purchase_id": theirs.id},
    ):
        response = client.post(NEW, data=_form(sandbox, **fields))
        assert response.status_code in (404, 422)
    # A purchase of another customer of my own sandbox is refused too.
    mine = _purchase(sandbox)
    someone_else = db.session.scalar(
        db.select(Purchase)
        .where(Purchase.sandbox_id == sandbox.id, Purchase.customer_id != mine.customer_id)
        .limit(1)
    )
    response = client.post(NEW, data=_form(sandbox, purchase_id=someone_else.id))
    assert response.status_code == 422
    assert (count(Ticket, sandbox), count(Ticket, other)) == before


def _open_ticket(sandbox) -> Ticket:
    return first(Ticket, sandbox, Ticket.status.in_(("new", "assigned")))


def test_category_change_and_reassign_are_in_the_history(client, sandbox):
    ticket = _open_ticket(sandbox)
    colleague = first(
        Colleague, sandbox, Colleague.is_learner.is_(False), Colleague.id != ticket.assignee_id
    )
    new_category = next(c for c in ("billing", "delivery") if c != ticket.category)
    old_category = ticket.category
    response = client.post(
        f"/sandbox/tickets/{ticket.id}/category",
        data={"category": new_category, "assignee": str(colleague.id)},
    )
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert (ticket.category, ticket.assignee_id) == (new_category, colleague.id)
    assert last_event(sandbox, "ticket.category_changed").data == {
        "from": old_category,
        "to": new_category,
    }
    assert last_event(sandbox, "ticket.assigned").data["assignee"] == colleague.id
    page = client.get(f"/sandbox/tickets/{ticket.id}").get_data(as_text=True)
    assert 'data-testid="ticket-changes"' in page
    assert "Category changed from" in page
    assert f"Assigned to {colleague.name}" in page


def test_category_change_alone_keeps_the_assignee(client, sandbox):
    ticket = _open_ticket(sandbox)
    assignee = ticket.assignee_id
    new_category = next(c for c in ("billing", "delivery") if c != ticket.category)
    url = f"/sandbox/tickets/{ticket.id}/category"
    assert client.post(url, data={"category": new_category, "assignee": ""}).status_code == 302
    db.session.refresh(ticket)
    assert (ticket.category, ticket.assignee_id) == (new_category, assignee)
    before = len(events(sandbox))
    bad = client.post(url, data={"category": "lottery", "assignee": ""})
    assert bad.status_code == 422
    same = client.post(url, data={"category": new_category, "assignee": ""})
    assert same.status_code == 422  # nothing to change
    assert len(events(sandbox)) == before


def test_another_learner_cannot_change_my_ticket(client, sandbox, make):
    other = _other_sandbox(make)
    theirs = _open_ticket(other)
    category = theirs.category
    colleague = first(Colleague, other)
    response = client.post(
        f"/sandbox/tickets/{theirs.id}/category",
        data={"category": "billing", "assignee": str(colleague.id)},
    )
    assert response.status_code == 404
    db.session.refresh(theirs)
    assert theirs.category == category
    assert not db.session.scalar(
        db.select(SandboxEvent.id).where(
            SandboxEvent.sandbox_id == other.id, SandboxEvent.verb == "ticket.category_changed"
        )
    )
