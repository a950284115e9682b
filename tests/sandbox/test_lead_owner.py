"""Leads have an owner: the fill gives one to every lead past New, the lead form assigns
a salesperson (a New lead becomes Assigned), the change is an event, the owner filter and
"my open items" read the column, and a deleted colleague leaves the lead with nobody."""

from __future__ import annotations

import re

from sqlalchemy import delete, select

from portal.extensions import db
from sandbox import checks, profiles, scenarios
from sandbox.models import Colleague, Lead
from sandbox.services import get_or_create_sandbox
from sandbox.services import leads as lead_services
from tests.sandbox.conftest import count, events, first, last_event

LEAD = {"first_name": "Imran", "company": "Harbour Bakeries", "source": "trade_show"}


def shown(client, url: str) -> set[int]:
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return {int(i) for i in re.findall(r'data-lead="(\d+)"', page.text)}


def _colleagues(sandbox):
    me = first(Colleague, sandbox, Colleague.is_learner.is_(True))
    other = first(Colleague, sandbox, Colleague.role == "sales", Colleague.is_learner.is_(False))
    agent = first(Colleague, sandbox, Colleague.role == "service")
    return me, other, agent


def test_the_fill_gives_every_lead_past_new_an_owner(sandbox):
    new = profiles.active().plays("lead_status", "new")
    assert count(Lead, sandbox, Lead.status.in_(new), Lead.owner_id.is_not(None)) == 0
    assert count(Lead, sandbox, Lead.status.not_in(new), Lead.owner_id.is_(None)) == 0
    owners = set(
        db.session.scalars(
            select(Lead.owner_id).where(Lead.sandbox_id == sandbox.id, Lead.owner_id.is_not(None))
        )
    )
    sales = {c.id for c in db.session.scalars(select(Colleague).where(Colleague.role == "sales"))}
    assert owners and owners <= sales


def test_assigning_a_new_lead_through_the_form(client, sandbox):
    me, other, agent = _colleagues(sandbox)
    page = client.get("/sandbox/leads/new").get_data(as_text=True)
    assert "Assigned to" in page and f'value="{other.id}"' in page
    assert f'value="{agent.id}"' not in page  # service agents do not work leads

    response = client.post("/sandbox/leads/new", data={**LEAD, "owner_id": str(me.id)})
    assert response.status_code == 302
    lead = first(Lead, sandbox, Lead.first_name == "Imran")
    assert lead.owner_id == me.id
    assert profiles.active().role("lead_status", lead.status) == "assigned"
    assigned = last_event(sandbox, "lead.assigned")
    assert assigned.entity_id == lead.id and assigned.data == {"owner": me.id, "to_me": True}
    assert events(sandbox, "lead.")[-3:] == [
        "lead.created",
        "lead.assigned",
        "lead.status_changed",
    ]
    detail = client.get(f"/sandbox/leads/{lead.id}").get_data(as_text=True)
    assert me.name in detail.split('data-testid="lead-owner">')[1].split("</dd>")[0]

    # "My open items" and the owner filter read the column.
    assert lead.id in shown(client, "/sandbox/leads?owner=me&open=1")
    assert lead.id not in shown(client, f"/sandbox/leads?owner={other.id}")

    # Reassigning is one more event; the status stays where it is.
    edit = {**LEAD, "owner_id": str(other.id)}
    assert client.post(f"/sandbox/leads/{lead.id}/edit", data=edit).status_code == 302
    db.session.refresh(lead)
    assert lead.owner_id == other.id
    assert last_event(sandbox, "lead.assigned").data == {"owner": other.id, "to_me": False}
    assert lead.id in shown(client, f"/sandbox/leads?owner={other.id}")
    assert lead.id not in shown(client, "/sandbox/leads?owner=me")

    # Nobody: the lead is unowned; saving again unchanged logs nothing.
    nobody = {**LEAD, "owner_id": ""}
    assert client.post(f"/sandbox/leads/{lead.id}/edit", data=nobody).status_code == 302
    db.session.refresh(lead)
    assert lead.owner_id is None and profiles.active().role("lead_status", lead.status)
    assert lead.id in shown(client, "/sandbox/leads?owner=none")
    before = len(events(sandbox))
    assert client.post(f"/sandbox/leads/{lead.id}/edit", data=nobody).status_code == 302
    assert len(events(sandbox)) == before


def test_an_owner_who_is_not_a_salesperson_is_refused_at_the_field(client, sandbox, make):
    _me, _other, agent = _colleagues(sandbox)
    stranger = make.user(roles=("learner",))
    theirs = get_or_create_sandbox(stranger)
    db.session.commit()
    foreign = first(Colleague, theirs, Colleague.role == "sales")
    for owner in (str(agent.id), str(foreign.id), "abc", "99999999999999"):
        response = client.post("/sandbox/leads/new", data={**LEAD, "owner_id": owner})
        assert response.status_code == 422, owner
        assert "Choose a salesperson" in response.get_data(as_text=True)
    assert count(Lead, sandbox, Lead.first_name == "Imran") == 0  # nothing half-saved


def test_a_deleted_colleague_leaves_the_lead_with_nobody(client, sandbox):
    _me, other, _agent = _colleagues(sandbox)
    owned = count(Lead, sandbox, Lead.owner_id == other.id)
    assert owned
    db.session.execute(delete(Colleague).where(Colleague.id == other.id))
    db.session.commit()
    assert count(Lead, sandbox, Lead.owner_id == other.id) == 0
    assert client.get("/sandbox/leads").status_code == 200


def test_course_files_set_and_check_a_lead_owner(sandbox, learner):
    setup = [
        {"key": "mine", "entity": "lead", "fields": {"first_name": "A", "owner": "@learner"}},
        {"key": "free", "entity": "lead", "fields": {"first_name": "B", "status": "new"}},
    ]
    records = scenarios.inject(sandbox, setup, actor=learner)
    db.session.commit()
    me = first(Colleague, sandbox, Colleague.is_learner.is_(True))
    assert db.session.get(Lead, records["mine"][1]).owner_id == me.id

    def passes(name: str) -> bool:
        wanted = {"first_name": name, "owner": "@learner"}
        check = {
            "key": "k",
            "hint": "h",
            "type": "record_exists",
            "target": {"entity": "lead", "filter": wanted},
        }
        (result,) = checks.evaluate(sandbox, [check], records)
        return result.passed

    assert passes("A") and not passes("B")
    lead_services.assign_lead(sandbox, learner, db.session.get(Lead, records["free"][1]), me.id)
    db.session.commit()
    assert passes("B")
