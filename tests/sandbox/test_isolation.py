"""One learner can never reach another learner's sandbox: every record id of A's, in every
route B can call, answers 404 and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from sandbox.models import (
    Automation,
    Customer,
    Lead,
    Opportunity,
    SandboxEvent,
    Ticket,
)
from sandbox.services import get_or_create_sandbox

# (method, url template, model of the id, form data)
ROUTES = [
    ("GET", "/sandbox/customers/{}", Customer, None),
    ("POST", "/sandbox/activities/customer/{}", Customer, {"kind": "note", "body": "x"}),
    ("GET", "/sandbox/leads/{}", Lead, None),
    ("POST", "/sandbox/leads/{}/status", Lead, {"status": "dead"}),
    ("POST", "/sandbox/leads/{}/convert", Lead, {"create_opportunity": "0"}),
    ("POST", "/sandbox/activities/lead/{}", Lead, {"kind": "note", "body": "x"}),
    ("GET", "/sandbox/opportunities/{}", Opportunity, None),
    (
        "POST",
        "/sandbox/opportunities/{}/stage",
        Opportunity,
        {"stage": "closed_lost", "reason": "x"},
    ),
    ("POST", "/sandbox/activities/opportunity/{}", Opportunity, {"kind": "note", "body": "x"}),
    ("GET", "/sandbox/tickets/{}", Ticket, None),
    ("POST", "/sandbox/activities/ticket/{}", Ticket, {"kind": "note", "body": "x"}),
    *[
        ("POST", f"/sandbox/tickets/{{}}/{action}", Ticket, data)
        for action, data in (
            ("assign", {"assignee": "1"}),
            ("priority", {"priority": "urgent"}),
            ("respond", {"message": "x"}),
            ("pending", {}),
            ("resolve", {"resolution": "x"}),
            ("close", {"satisfaction": "5"}),
            ("reopen", {}),
        )
    ],
    (
        "POST",
        "/sandbox/automations/{}",
        Automation,
        {"name": "x", "trigger": "birthday", "subject": "x", "body": "x"},
    ),
]


@pytest.fixture
def victim_sandbox(make, app_ctx):
    victim = make.user(roles=("learner",))
    box = get_or_create_sandbox(victim)
    db.session.add(
        Automation(
            sandbox_id=box.id, name="Mine", trigger="birthday", subject="s", body="b", active=False
        )
    )
    db.session.commit()
    return box


def _snapshot(model, record_id):
    row = db.session.get(model, record_id)
    return {c.key: getattr(row, c.key) for c in model.__table__.columns}


@pytest.mark.parametrize(
    ("method", "url", "model", "data"), ROUTES, ids=[f"{m} {u}" for m, u, _model, _d in ROUTES]
)
def test_another_learners_record_is_not_found_and_unchanged(
    client, make, victim_sandbox, method, url, model, data
):
    intruder = make.user(roles=("learner",))
    client.login(intruder)
    record_id = db.session.scalar(select(model.id).where(model.sandbox_id == victim_sandbox.id))
    before = _snapshot(model, record_id)
    events_before = db.session.scalar(
        select(db.func.count(SandboxEvent.id)).where(SandboxEvent.sandbox_id == victim_sandbox.id)
    )
    if method == "GET":
        response = client.get(url.format(record_id))
    else:
        response = client.post(url.format(record_id), data=data, headers={"HX-Request": "true"})
    assert response.status_code == 404
    db.session.expire_all()
    assert _snapshot(model, record_id) == before
    assert (
        db.session.scalar(
            select(db.func.count(SandboxEvent.id)).where(
                SandboxEvent.sandbox_id == victim_sandbox.id
            )
        )
        == events_before
    )


def test_every_sandbox_route_with_an_id_is_covered():
    from portal import create_app

    app = create_app({"MODE": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with_ids = {
        r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/sandbox/") and "<" in r.rule
    }
    covered = {u.replace("{}", "<int:x>") for _m, u, _model, _d in ROUTES}
    normalised = {
        rule.replace("<int:customer_id>", "<int:x>")
        .replace("<int:lead_id>", "<int:x>")
        .replace("<int:opportunity_id>", "<int:x>")
        .replace("<int:ticket_id>", "<int:x>")
        .replace("<int:automation_id>", "<int:x>")
        .replace("<int:parent_id>", "<int:x>")
        for rule in with_ids
    }
    expanded = set()
    for rule in normalised:
        if "<parent>" in rule:
            expanded |= {
                rule.replace("<parent>", p) for p in ("customer", "lead", "opportunity", "ticket")
            }
        elif "<action>" in rule:
            expanded |= {
                rule.replace("<action>", a)
                for a in ("assign", "priority", "respond", "pending", "resolve", "close", "reopen")
            }
        else:
            expanded.add(rule)
    assert expanded <= covered, expanded - covered
