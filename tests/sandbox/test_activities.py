"""Activities through HTTP: calls, emails, meetings, notes and tasks on every kind of record;
tasks need a due date and can be completed; bad input comes back at the field."""

from __future__ import annotations

import pytest

from portal.extensions import db
from sandbox.models import Activity, Customer, Lead, Opportunity, Ticket
from tests.sandbox.conftest import count, first, last_event

PARENTS = {"customer": Customer, "lead": Lead, "opportunity": Opportunity, "ticket": Ticket}


@pytest.mark.parametrize("parent", list(PARENTS))
@pytest.mark.parametrize("kind", ["call", "email", "meeting", "note"])
def test_an_activity_is_logged_on_any_record(client, sandbox, parent, kind):
    record = first(PARENTS[parent], sandbox)
    response = client.post(
        f"/sandbox/activities/{parent}/{record.id}",
        data={"kind": kind, "subject": f"A {kind}", "body": "What was said."},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/{record.id}#timeline")
    activity = first(Activity, sandbox, Activity.subject == f"A {kind}")
    assert (activity.parent_type, activity.parent_id, activity.kind, activity.at) == (
        parent,
        record.id,
        kind,
        sandbox.clock,
    )
    assert last_event(sandbox, "activity.created").data == {
        "kind": kind,
        "parent": parent,
        "parent_id": record.id,
    }
    page = client.get(response.headers["Location"].split("#")[0]).text
    assert f"A {kind}" in page


def test_a_task_needs_a_due_date_and_can_be_completed(client, sandbox):
    customer = first(Customer, sandbox, Customer.is_company.is_(False))
    url = f"/sandbox/activities/customer/{customer.id}"
    before = count(Activity, sandbox)
    response = client.post(url, data={"kind": "task", "subject": "Send the quote"})
    assert response.status_code == 422
    page = response.text
    assert "A task needs a due date." in page and customer.name in page  # the profile again
    assert count(Activity, sandbox) == before

    due = sandbox.today.isoformat()
    assert (
        client.post(
            url, data={"kind": "task", "subject": "Send the quote", "due_on": due}
        ).status_code
        == 302
    )
    task = first(Activity, sandbox, Activity.subject == "Send the quote")
    assert (task.done, task.due_on) == (False, sandbox.today)
    home = client.get("/sandbox/").text
    assert "Send the quote" in home[home.index('data-testid="tasks"') :]
    response = client.post(f"/sandbox/tasks/{task.id}/done", data={"next": "home"})
    assert response.headers["Location"].endswith("/sandbox/")
    db.session.refresh(task)
    assert task.done is True
    assert last_event(sandbox, "task.completed").data == {
        "parent": "customer",
        "parent_id": customer.id,
        "overdue": False,
    }


def test_only_tasks_can_be_completed(client, sandbox):
    note = first(Activity, sandbox, Activity.kind == "note")
    response = client.post(f"/sandbox/tasks/{note.id}/done", follow_redirects=True)
    assert "Only tasks can be completed." in response.text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "note", "subject": "", "body": ""}, "Write a subject or what happened."),
        ({"kind": "telegram", "subject": "x"}, "Not a valid choice."),
        ({"kind": "task", "subject": "x", "due_on": "tomorrow"}, "Not a valid date value."),
        ({"kind": "note", "subject": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_activities_are_refused_at_the_field(client, sandbox, data, message):
    lead = first(Lead, sandbox)
    before = count(Activity, sandbox)
    response = client.post(f"/sandbox/activities/lead/{lead.id}", data=data)
    assert response.status_code == 422
    assert message in response.text and lead.name in response.text
    assert count(Activity, sandbox) == before


def test_activities_attach_only_to_known_kinds_of_record(client, sandbox):
    customer = first(Customer, sandbox, Customer.is_company.is_(False))
    response = client.post(f"/sandbox/activities/product/{customer.id}", data={"kind": "note"})
    assert response.status_code == 404
