"""The check evaluator and scenario injection, case by case: each check type passes and
fails for the right reason, against one sandbox, through setup keys."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.extensions import db
from sandbox import checks, scenarios
from sandbox.models import Activity, Customer, Lead, Ticket
from sandbox.services import get_or_create_sandbox, leads, tickets

SETUP = [
    {
        "key": "sana",
        "entity": "customer",
        "fields": {"first_name": "Sana", "company": "Malik Pharmacy", "tier": "gold"},
    },
    {
        "key": "lead",
        "entity": "lead",
        "fields": {"first_name": "Imran", "email": "imran@example.com", "source": "trade_show"},
    },
    {
        "key": "ticket",
        "entity": "ticket",
        "fields": {
            "customer": {"setup": "sana"},
            "subject": "Charged twice",
            "category": "billing",
            "priority": "high",
            "status": "new",
            "first_response_due": "@now+2h",
            "resolution_due": "@now+1d",
        },
    },
]


@pytest.fixture
def world(make):
    learner = make.user()
    sandbox = get_or_create_sandbox(learner)
    records = scenarios.inject(sandbox, SETUP, actor=learner)
    db.session.commit()
    return sandbox, learner, records


def _passes(world, check: dict) -> bool:
    sandbox, _learner, records = world
    (result,) = checks.evaluate(sandbox, [{"key": "k", "hint": "h", **check}], records)
    # A failed check says its hint, then what it measured (within_sla: the times).
    expected = "h" if not result.passed else check.get("description", "k")
    assert result.message.split(" ")[0] == expected
    return result.passed


def test_inject_returns_keys_to_records_of_this_sandbox(world):
    sandbox, _learner, records = world
    entity, ticket_id = records["ticket"]
    ticket = db.session.get(Ticket, ticket_id)
    assert entity == "ticket" and ticket.sandbox_id == sandbox.id
    assert ticket.customer_id == records["sana"][1]
    assert ticket.first_response_due == sandbox.clock + timedelta(hours=2)
    assert db.session.get(Customer, records["sana"][1]).tier == "gold"
    assert records.since > 0  # events before the exercise started do not count


def test_record_exists_and_count_at_least(world):
    assert _passes(
        world,
        {
            "type": "record_exists",
            "target": {"entity": "customer", "filter": {"company": "malik pharmacy"}},
        },
    )
    assert not _passes(
        world,
        {
            "type": "record_exists",
            "target": {"entity": "customer", "filter": {"company": "Nobody"}},
        },
    )
    assert _passes(
        world,
        {
            "type": "count_at_least",
            "min": 1,
            "target": {"entity": "ticket", "filter": {"category": "billing"}},
        },
    )


def test_field_equals_reads_the_setup_record(world):
    sandbox, learner, records = world
    check = {
        "type": "field_equals",
        "target": {"setup": "lead"},
        "field": "status",
        "value": "in_process",
    }
    assert not _passes(world, check)
    leads.set_lead_status(sandbox, learner, db.session.get(Lead, records["lead"][1]), "in_process")
    assert _passes(world, check)


def test_events_and_their_order(world):
    sandbox, learner, records = world
    ticket = db.session.get(Ticket, records["ticket"][1])
    in_order = {
        "type": "events_in_order",
        "target": {"setup": "ticket"},
        "events": [{"event": "ticket.responded"}, {"event": "ticket.resolved"}],
    }
    happened = {
        "type": "event_happened",
        "event": "ticket.responded",
        "target": {"setup": "ticket"},
        "data": {"first": True},
    }
    assert not _passes(world, happened)
    tickets.resolve(sandbox, learner, ticket, "Refunded")
    tickets.respond(sandbox, learner, ticket, "Done")
    assert _passes(world, happened)
    assert not _passes(world, in_order)  # resolved before responding


def test_within_sla(world):
    sandbox, learner, records = world
    ticket = db.session.get(Ticket, records["ticket"][1])
    check = {"type": "within_sla", "target": {"setup": "ticket"}, "measure": "first_response"}
    assert not _passes(world, check)
    tickets.respond(sandbox, learner, ticket, "On it")
    assert _passes(world, check)


def test_a_note_on_another_kind_of_record_with_the_same_id_does_not_count(world):
    """Ids are unique per table: a note on customer #7 is not a note on lead #7."""
    sandbox, learner, records = world
    lead_id = records["lead"][1]
    customer = db.session.get(Customer, lead_id)
    if customer is None or customer.sandbox_id != sandbox.id:
        pytest.skip("no customer shares the lead's id in this database")
    db.session.add(
        Activity(
            sandbox_id=sandbox.id,
            kind="note",
            parent_type="customer",
            parent_id=lead_id,
            subject="Budget",
            body="15k",
            at=sandbox.clock,
        )
    )
    db.session.flush()
    check = {
        "type": "record_exists",
        "target": {
            "entity": "activity",
            "filter": {
                "kind": "note",
                "parent": {"entity": "lead", "filter": {"email": "imran@example.com"}},
                "body": {"not_empty": True},
            },
        },
    }
    assert not _passes(world, check)
    leads.add_note(sandbox, learner, "lead", lead_id, "Budget", "15k")
    assert _passes(world, check)
