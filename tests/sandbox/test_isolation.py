"""One learner can never reach another learner's sandbox: every record id of A's, in every
route B can call (pages, edits, htmx fragments, status changes, conversion, ticket
actions...), answers 404 and changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from sandbox.models import (
    SANDBOX_TABLES,
    Activity,
    Automation,
    Customer,
    ImportUpload,
    Lead,
    Opportunity,
    SandboxEvent,
    Ticket,
)
from sandbox.services import get_or_create_sandbox, log_event
from sandbox.services.imports import store_upload
from sandbox.views.tickets import ACTIONS

NOTE = {"kind": "note", "body": "x"}
TICKET_DATA = {
    "assign": {"assignee": "1"},
    "category": {"category": "billing", "assignee": "1"},
    "priority": {"priority": "urgent"},
    "respond": {"message": "x"},
    "pending": {},
    "resolve": {"resolution_action": "x"},
    "close": {"satisfaction": "5"},
    "set_aside": {"status": "rejected", "note": "x"},
    "reopen": {},
}
# (method, url template, model of the id, form data)
ROUTES = [
    ("GET", "/sandbox/customers/{}", Customer, None),
    ("GET", "/sandbox/customers/{}/edit", Customer, None),
    ("POST", "/sandbox/customers/{}/edit", Customer, {"first_name": "x", "tier": "gold"}),
    ("GET", "/sandbox/leads/{}", Lead, None),
    ("GET", "/sandbox/leads/{}/edit", Lead, None),
    ("POST", "/sandbox/leads/{}/edit", Lead, {"first_name": "x", "source": "call"}),
    ("POST", "/sandbox/leads/{}/status", Lead, {"status": "dead"}),
    ("POST", "/sandbox/leads/{}/convert", Lead, {"stage": "prospecting"}),
    ("POST", "/sandbox/leads/{}/qualification", Lead, {"need": "x", "budget_status": "none"}),
    ("GET", "/sandbox/opportunities/{}", Opportunity, None),
    (
        "POST",
        "/sandbox/opportunities/{}/stage",
        Opportunity,
        {"stage": "closed_lost", "reason": "x"},
    ),
    (
        "POST",
        "/sandbox/opportunities/{}/stage",
        Opportunity,
        {"stage": "proposal", "from_board": "1"},
    ),
    ("POST", "/sandbox/opportunities/{}/edit", Opportunity, {"name": "x", "next_step": "x"}),
    ("GET", "/sandbox/tickets/{}", Ticket, None),
    *[
        ("POST", f"/sandbox/tickets/{{}}/{action}", Ticket, data)
        for action, data in TICKET_DATA.items()
    ],
    *[
        ("POST", f"/sandbox/activities/{parent}/{{}}", model, NOTE)
        for parent, model in (
            ("customer", Customer),
            ("lead", Lead),
            ("opportunity", Opportunity),
            ("ticket", Ticket),
        )
    ],
    ("POST", "/sandbox/tasks/{}/done", Activity, {}),
    ("GET", "/sandbox/automations/{}", Automation, None),
    (
        "POST",
        "/sandbox/automations/{}",
        Automation,
        {"name": "x", "trigger": "birthday", "subject": "x", "body": "x", "active": "y"},
    ),
    ("POST", "/sandbox/automations/{}/active", Automation, {"active": "y"}),
    # An upload is named by its token, an import's result by its event.
    ("GET", "/sandbox/import/{}", ImportUpload, None),
    ("POST", "/sandbox/import/{}", ImportUpload, {"columns-0": "first_name", "preview": "1"}),
    ("GET", "/sandbox/import/done/{}", SandboxEvent, None),
]


def _add_import(box) -> None:
    """A CSV upload waiting to be imported and a finished import, for the import routes."""
    owner = db.session.get(User, box.owner_id)
    store_upload(box, owner, "lead", "people.csv", b"First name,Email\nAnn,ann@x.example\n")
    log_event(box, owner, "import.completed", "lead", records="lead", imported=0, skipped=0)
    db.session.commit()


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


def _snapshot(box) -> dict:
    """Every row of a sandbox, as plain values."""
    out = {}
    for model in SANDBOX_TABLES:
        rows = db.session.execute(
            select(*model.__table__.columns).where(model.sandbox_id == box.id).order_by(model.id)
        ).all()
        out[model.__tablename__] = [tuple(r) for r in rows]
    return out


def _target(model, box) -> int | str:
    query = select(model.id).where(model.sandbox_id == box.id).order_by(model.id)
    if model is Activity:
        query = query.where(Activity.kind == "task", Activity.done.is_(False))
    if model is ImportUpload:
        query = select(ImportUpload.token).where(ImportUpload.sandbox_id == box.id)
    if model is SandboxEvent:
        query = query.where(SandboxEvent.verb == "import.completed")
    return db.session.scalar(query.limit(1))


@pytest.mark.parametrize(
    ("method", "url", "model", "data"),
    ROUTES,
    ids=[f"{m} {u} {sorted(d or {})}" for m, u, _model, d in ROUTES],
)
def test_another_learners_record_is_not_found_and_unchanged(
    client, make, victim_sandbox, method, url, model, data
):
    intruder = make.user(roles=("learner",))
    client.login(intruder)
    if model in (ImportUpload, SandboxEvent):
        _add_import(victim_sandbox)
    record_id = _target(model, victim_sandbox)
    before = _snapshot(victim_sandbox)
    if method == "GET":
        response = client.get(url.format(record_id))
        fragment = client.get(url.format(record_id), headers={"HX-Request": "true"})
        assert fragment.status_code == 404
    else:
        response = client.post(url.format(record_id), data=data, headers={"HX-Request": "true"})
    assert response.status_code == 404
    db.session.expire_all()
    assert _snapshot(victim_sandbox) == before


def test_the_same_routes_work_on_ones_own_records(client, make, app_ctx):
    """The 404s above are about whose record it is, not broken routes."""
    owner = make.user(roles=("learner",))
    client.login(owner)
    box = get_or_create_sandbox(owner)
    db.session.add(
        Automation(
            sandbox_id=box.id, name="Mine", trigger="birthday", subject="s", body="b", active=False
        )
    )
    db.session.commit()
    _add_import(box)
    for method, url, model, data in ROUTES:
        path = url.format(_target(model, box))
        response = client.get(path) if method == "GET" else client.post(path, data=data)
        assert response.status_code in (200, 302, 422), (method, path, response.status_code)


def test_an_intruders_sandbox_does_not_see_other_learners_rows(client, make, victim_sandbox):
    intruder = make.user(roles=("learner",))
    client.login(intruder)
    victim_emails = set(
        db.session.scalars(select(Customer.email).where(Customer.sandbox_id == victim_sandbox.id))
    )
    page = client.get("/sandbox/customers?q=.example").text
    shown = set(
        re.findall(r'<div class="small text-body-secondary">(?:<bdi[^>]*>)?([^<]+@[^<]+)<', page)
    )
    own = get_or_create_sandbox(intruder)
    assert shown and not shown & (
        victim_emails
        - set(db.session.scalars(select(Customer.email).where(Customer.sandbox_id == own.id)))
    )
    total = db.session.scalar(
        select(func.count()).select_from(Customer).where(Customer.sandbox_id == own.id)
    )
    assert f"{total} customers" in page


def test_every_sandbox_route_with_an_id_is_covered(app):
    ids = re.compile(r"<int:\w+>|<token>")
    with_ids = set()
    for rule in app.url_map.iter_rules():
        # Routes whose records come in the query string instead (the merge screen's ?ids=)
        # test another learner's ids themselves (tests/sandbox/test_duplicates.py).
        if not rule.rule.startswith("/sandbox/") or not ids.search(rule.rule):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            template = ids.sub("{}", rule.rule)
            if "<parent>" in template:
                with_ids |= {
                    (method, template.replace("<parent>", p))
                    for p in ("customer", "lead", "opportunity", "ticket")
                }
            elif "<action>" in template:
                with_ids |= {(method, template.replace("<action>", a)) for a in ACTIONS}
            else:
                with_ids.add((method, template))
    covered = {(m, u) for m, u, _model, _data in ROUTES}
    assert with_ids - covered == set()


def test_events_of_one_sandbox_never_name_another(client, sandbox, victim_sandbox):
    client.post("/sandbox/reset")
    assert (
        db.session.scalar(
            select(func.count(SandboxEvent.id)).where(SandboxEvent.sandbox_id == victim_sandbox.id)
        )
        == 0
    )
