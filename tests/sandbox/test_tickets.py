"""After-sale tickets through HTTP: the queue by SLA urgency, and the lifecycle with its
SLA stamps on the sandbox clock; transitions that make no sense are refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from sandbox.models import Activity, Colleague, Ticket
from sandbox.queries import overdue_tickets
from tests.sandbox.conftest import count, events, first, last_event


def _new_ticket(sandbox, **fields) -> Ticket:
    """A fresh ticket, opened now on the sandbox clock, due in 4 and 20 hours."""
    ticket = first(Ticket, sandbox, Ticket.status == "new")
    ticket.opened_at = sandbox.clock
    ticket.first_response_due = sandbox.clock + timedelta(hours=4)
    ticket.resolution_due = sandbox.clock + timedelta(hours=20)
    for name, value in fields.items():
        setattr(ticket, name, value)
    db.session.commit()
    return ticket


def _emails(ticket) -> int:
    return db.session.scalar(
        select(db.func.count(Activity.id)).where(
            Activity.sandbox_id == ticket.sandbox_id,
            Activity.parent_type == "ticket",
            Activity.parent_id == ticket.id,
            Activity.kind == "email",
        )
    )


def test_ticket_lifecycle_stamps_first_response_and_resolution(client, sandbox):
    ticket = _new_ticket(sandbox)
    start = sandbox.clock
    url = f"/sandbox/tickets/{ticket.id}"
    me = first(Colleague, sandbox, Colleague.is_learner.is_(True))
    assert client.post(f"{url}/assign", data={"assignee": me.id}).status_code == 302
    before = _emails(ticket)
    assert client.post(f"{url}/respond", data={"message": "Looking into it."}).status_code == 302
    db.session.refresh(ticket)
    assert (ticket.status, ticket.assignee_id) == ("assigned", me.id)
    assert ticket.first_responded_at == sandbox.clock
    assert _emails(ticket) == before + 1  # the reply is logged as an email activity
    assert last_event(sandbox, "ticket.responded").data == {"first": True, "late": False}

    # A second reply does not move the first-response stamp.
    client.post("/sandbox/clock", data={"days": "1"})
    client.post(f"{url}/respond", data={"message": "Any news?"})
    db.session.refresh(ticket)
    assert ticket.first_responded_at == start
    assert last_event(sandbox, "ticket.responded").data == {"first": False, "late": False}

    client.post(f"{url}/pending")
    db.session.refresh(ticket)
    assert ticket.status == "pending"
    assert (
        client.post(f"{url}/resolve", data={"resolution_action": "Replaced the part."}).status_code
        == 302
    )
    db.session.refresh(ticket)
    assert ticket.resolved_at == start + timedelta(days=1) == sandbox.clock  # a day on: late
    assert last_event(sandbox, "ticket.resolved").data == {"late": True}
    assert client.post(f"{url}/close", data={"satisfaction": "4"}).status_code == 302
    db.session.refresh(ticket)
    assert (ticket.status, ticket.satisfaction, ticket.resolution) == (
        "closed",
        4,
        "Replaced the part.",
    )
    assert events(sandbox, "ticket.") == [
        "ticket.assigned",
        "ticket.responded",
        "ticket.responded",
        "ticket.pending",
        "ticket.resolved",
        "ticket.closed",
    ]
    page = client.get(url).text
    assert 'data-testid="ticket-status">Closed<' in page and "Reopen" in page


def test_a_late_first_response_is_stamped_and_flagged(client, sandbox):
    ticket = _new_ticket(sandbox)
    client.post("/sandbox/clock", data={"days": "1"})
    client.post(f"/sandbox/tickets/{ticket.id}/respond", data={"message": "Sorry for the wait"})
    db.session.refresh(ticket)
    assert ticket.first_responded_at > ticket.first_response_due
    assert last_event(sandbox, "ticket.responded").data["late"] is True
    assert "text-danger" in client.get(f"/sandbox/tickets/{ticket.id}").text


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("resolve", {"resolution_action": " "}, "Write what you did"),
        ("close", {"satisfaction": "5"}, "Resolve the ticket with a resolution note"),
        ("respond", {"message": ""}, "Write the reply."),
        ("assign", {"assignee": "999999"}, "Not a valid choice."),
        ("priority", {"priority": "whenever"}, "Not a valid choice."),
        ("set_aside", {"status": "rejected", "note": ""}, "Say why"),
    ],
)
def test_refused_actions_answer_422_and_change_nothing(client, sandbox, action, data, message):
    ticket = _new_ticket(sandbox)
    logged = len(events(sandbox))
    response = client.post(f"/sandbox/tickets/{ticket.id}/{action}", data=data)
    assert response.status_code == 422
    assert message in response.text
    db.session.refresh(ticket)
    assert (ticket.status, ticket.resolved_at, ticket.first_responded_at) == ("new", None, None)
    assert len(events(sandbox)) == logged


def test_a_closed_ticket_cannot_get_a_first_response_until_reopened(client, sandbox):
    ticket = _new_ticket(sandbox)
    url = f"/sandbox/tickets/{ticket.id}"
    client.post(f"{url}/resolve", data={"resolution_action": "Explained the invoice."})
    assert client.post(f"{url}/resolve", data={"resolution_action": "Again"}).status_code == 422
    assert client.post(f"{url}/close", data={}).status_code == 422  # satisfaction required
    client.post(f"{url}/close", data={"satisfaction": "5"})
    response = client.post(f"{url}/respond", data={"message": "Hello?"})
    assert response.status_code == 422
    assert "This ticket is closed: reopen it first." in response.text
    db.session.refresh(ticket)
    assert ticket.first_responded_at is None
    assert client.post(f"{url}/reopen").status_code == 302
    db.session.refresh(ticket)
    assert (ticket.status, ticket.resolved_at, ticket.satisfaction) == ("new", None, None)
    assert client.post(f"{url}/respond", data={"message": "Reopened"}).status_code == 302


def test_a_ticket_can_be_set_aside_as_a_duplicate(client, sandbox):
    ticket = _new_ticket(sandbox)
    response = client.post(
        f"/sandbox/tickets/{ticket.id}/set_aside",
        data={"status": "duplicate", "note": "Same as the one from Monday"},
    )
    assert response.status_code == 302
    db.session.refresh(ticket)
    assert (ticket.status, ticket.resolution) == ("duplicate", "Same as the one from Monday")
    assert "ticket.duplicate" in events(sandbox)


def test_unknown_action_is_not_found(client, sandbox):
    ticket = _new_ticket(sandbox)
    assert client.post(f"/sandbox/tickets/{ticket.id}/explode").status_code == 404


def test_queue_is_sorted_by_sla_urgency_and_shows_time_left_or_overdue(client, sandbox):
    page = client.get("/sandbox/tickets").text
    ids = [int(i) for i in re.findall(r'data-ticket="(\d+)"', page)]
    tickets = {t.id: t for t in db.session.scalars(select(Ticket).where(Ticket.id.in_(ids)))}
    due = [
        t.first_response_due if t.first_responded_at is None else t.resolution_due
        for t in (tickets[i] for i in ids)
    ]
    assert ids and due == sorted(due)
    assert all(t.status in ("new", "assigned", "pending") for t in tickets.values())
    overdue = sum(1 for d in due if d < sandbox.clock)
    assert page.count('data-sla="overdue"') == overdue > 0  # the seed has some overdue
    assert page.count('data-sla="left"') == len(ids) - overdue


def test_a_resolved_ticket_waiting_to_close_is_not_overdue(client, sandbox):
    ticket = _new_ticket(sandbox, subject="Invoice charged twice")
    url = f"/sandbox/tickets/{ticket.id}"
    client.post(f"{url}/respond", data={"message": "Looking into it."})
    client.post(f"{url}/resolve", data={"resolution_action": "Refunded the second charge."})
    client.post("/sandbox/clock", data={"days": "7"})
    client.post("/sandbox/clock", data={"days": "7"})

    page = client.get("/sandbox/tickets").text
    row = page[page.index(f'data-ticket="{ticket.id}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-sla="resolved"' in row and "Overdue" not in row
    # It waits behind every ticket still to be worked on.
    ids = [int(i) for i in re.findall(r'data-ticket="(\d+)"', page)]
    unresolved = count(
        Ticket,
        sandbox,
        Ticket.status.in_(("new", "assigned", "pending")),
        Ticket.resolved_at.is_(None),
    )
    assert ids.index(ticket.id) >= min(unresolved, len(ids) - 1)
    detail = client.get(url).text
    assert "Overdue" not in detail[detail.index('data-testid="sla"') :][:400]
    db.session.refresh(sandbox)
    assert ticket.id not in {t.id for t in overdue_tickets(sandbox, limit=1000)}


def test_queue_filters(client, sandbox):
    me = first(Colleague, sandbox, Colleague.is_learner.is_(True))
    mine = _new_ticket(sandbox, assignee_id=me.id, status="assigned", category="return")
    page = client.get("/sandbox/tickets?show=mine", headers={"HX-Request": "true"}).text
    assert "<html" not in page
    assert re.findall(r'data-ticket="(\d+)"', page) == [str(mine.id)]
    page = client.get("/sandbox/tickets?show=all&category=return").text
    shown = set(re.findall(r'data-ticket="(\d+)"', page))
    assert len(shown) == count(Ticket, sandbox, Ticket.category == "return")
