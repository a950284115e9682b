"""The seeded data: a standard size, the same for the same seed, believable (it hangs
together), and a one-click reset back to exactly that."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from sandbox import profiles
from sandbox.fill import STANDARD, populate
from sandbox.models import (
    SANDBOX_TABLES,
    Activity,
    Colleague,
    Customer,
    Lead,
    Opportunity,
    Product,
    Purchase,
    SalesTarget,
    Sandbox,
    Ticket,
)
from sandbox.services import get_or_create_sandbox
from tests.sandbox.conftest import count, events

# Columns that hold ids of other rows: compared by what they point at, not by value.
LINKS = {
    "id",
    "sandbox_id",
    "customer_id",
    "product_id",
    "purchase_id",
    "owner_id",
    "assignee_id",
    "parent_id",
    "lead_id",
    "converted_customer_id",
    "converted_contact_id",
    "converted_opportunity_id",
    "contact_id",
    "company_id",
}


def _content(sandbox) -> dict[str, list[tuple]]:
    """Every row of the sandbox without ids, in id order, per table."""
    out = {}
    for model in SANDBOX_TABLES:
        columns = [c for c in model.__table__.columns if c.key not in LINKS]
        rows = db.session.execute(
            select(*columns).where(model.sandbox_id == sandbox.id).order_by(model.id)
        ).all()
        out[model.__tablename__] = [tuple(r) for r in rows]
    return out


def _empty_sandbox(make, seed: int, clock) -> Sandbox:
    box = Sandbox(owner_id=make.user().id, seed=seed, generation=1, clock=clock)
    db.session.add(box)
    db.session.flush()
    return box


def test_a_standard_sandbox_has_about_1500_rows(sandbox, app_ctx):
    people = select(func.count()).where(
        Customer.sandbox_id == sandbox.id, Customer.is_company.is_(False)
    )
    assert db.session.scalar(people) == STANDARD["customers"]
    sizes = {
        Purchase: STANDARD["purchases"],
        Lead: STANDARD["leads"],
        Opportunity: STANDARD["opportunities"],
        Ticket: STANDARD["tickets"],
        Activity: STANDARD["activities"],
        Product: 15,
        Colleague: 6,
    }
    assert {m: count(m, sandbox) for m in sizes} == sizes
    total = sum(count(m, sandbox) for m in SANDBOX_TABLES)
    assert 1400 <= total <= 1750


def test_most_customers_buy_for_themselves_and_businesses_have_one_to_four_contacts(
    sandbox, app_ctx
):
    rows = db.session.scalars(select(Customer).where(Customer.sandbox_id == sandbox.id)).all()
    companies = {c.id: c for c in rows if c.is_company}
    people = [c for c in rows if not c.is_company]
    at_work = [c for c in people if c.company_id is not None]
    assert 0.1 <= len(at_work) / len(people) <= 0.3  # retail customers are most
    per_company = {cid: 0 for cid in companies}
    for person in at_work:
        assert person.company_id in companies
        assert person.company == companies[person.company_id].name
        per_company[person.company_id] += 1
    assert set(per_company.values()) <= {1, 2, 3, 4} and max(per_company.values()) > 1
    assert all(c.birthday is None and not c.email_consent for c in companies.values())
    consented = [c for c in people if c.email_consent]
    assert 0.5 <= len(consented) / len(people) <= 0.9
    assert all(c.consent_at and c.consent_channel for c in consented)


def test_deals_and_tickets_belong_to_the_account_and_name_a_contact_there(sandbox, app_ctx):
    rows = db.session.scalars(select(Customer).where(Customer.sandbox_id == sandbox.id)).all()
    account_of = {c.id: c.company_id or c.id for c in rows if not c.is_company}
    for model in (Opportunity, Ticket):
        records = db.session.scalars(select(model).where(model.sandbox_id == sandbox.id)).all()
        assert records and all(r.customer_id == account_of[r.contact_id] for r in records)
    deals = db.session.scalars(select(Opportunity).where(Opportunity.sandbox_id == sandbox.id))
    assert any(d.customer_id != d.contact_id for d in deals)  # some deals are with businesses


def test_the_same_seed_gives_the_same_sandbox_and_another_seed_another(make, sandbox):
    one = _empty_sandbox(make, 4242, sandbox.clock)
    two = _empty_sandbox(make, 4242, sandbox.clock)
    other = _empty_sandbox(make, 4243, sandbox.clock)
    for box in (one, two, other):
        populate(box.id, box.seed, box.clock, "Learner")
    db.session.commit()
    assert _content(one) == _content(two)
    assert _content(one)["sb_customers"] != _content(other)["sb_customers"]


def test_links_point_inside_the_same_sandbox(make, sandbox):
    other = get_or_create_sandbox(make.user())  # a second sandbox in the same tables
    db.session.commit()
    for model, column, target in (
        (Purchase, Purchase.customer_id, Customer),
        (Purchase, Purchase.product_id, Product),
        (Opportunity, Opportunity.customer_id, Customer),
        (Opportunity, Opportunity.owner_id, Colleague),
        (Ticket, Ticket.customer_id, Customer),
        (Ticket, Ticket.purchase_id, Purchase),
        (Ticket, Ticket.assignee_id, Colleague),
        (Lead, Lead.converted_customer_id, Customer),
        (Lead, Lead.converted_opportunity_id, Opportunity),
    ):
        for box in (sandbox, other):
            linked = set(
                db.session.scalars(
                    select(column).where(model.sandbox_id == box.id, column.is_not(None))
                )
            )
            own = set(db.session.scalars(select(target.id).where(target.sandbox_id == box.id)))
            assert linked and linked <= own, (model.__name__, column.key)


def test_the_data_hangs_together(sandbox, app_ctx):
    today = sandbox.today
    everyone = db.session.scalars(select(Customer).where(Customer.sandbox_id == sandbox.id)).all()
    customers = {c.id: c for c in everyone if not c.is_company}  # the people who buy
    purchases = db.session.scalars(select(Purchase).where(Purchase.sandbox_id == sandbox.id)).all()
    spend = {cid: 0 for cid in customers}
    for p in purchases:
        assert customers[p.customer_id].customer_since <= p.purchased_on < today
        spend[p.customer_id] += p.amount
    # Tiers follow lifetime spend: every platinum customer outspends every bronze one.
    by_tier = {
        t: [spend[c.id] for c in customers.values() if c.tier == t]
        for t in ("bronze", "silver", "gold", "platinum")
    }
    assert all(by_tier.values())
    assert min(by_tier["platinum"]) >= max(by_tier["gold"]) >= 0
    assert min(by_tier["silver"]) >= max(by_tier["bronze"])
    assert len({c.loyalty_card for c in customers.values()}) == len(customers)
    assert len({c.email for c in customers.values()}) == len(customers)

    tickets = db.session.scalars(select(Ticket).where(Ticket.sandbox_id == sandbox.id)).all()
    for t in tickets:
        target = profiles.active().sla.targets[t.priority]
        respond, resolve = target.first_response, target.resolution
        assert t.first_response_due == t.opened_at + timedelta(hours=respond)
        assert t.resolution_due == t.opened_at + timedelta(hours=resolve)
        assert (t.resolved_at is not None) == (t.status == "closed") == bool(t.satisfaction)
        assert (t.first_responded_at is None) == (t.status == "new")
        assert (t.assignee_id is None) == (t.status == "new")
    overdue = [
        t
        for t in tickets
        if t.status in ("new", "assigned", "pending")
        and (t.first_response_due if t.first_responded_at is None else t.resolution_due)
        < sandbox.clock
    ]
    assert overdue, "a believable queue has something overdue"
    assert len({t.category for t in tickets}) == 5

    for lead in db.session.scalars(
        select(Lead).where(Lead.sandbox_id == sandbox.id, Lead.status == "converted")
    ):
        contact = customers[lead.converted_contact_id]
        assert (contact.lead_id, contact.email) == (lead.id, lead.email)
        assert lead.converted_customer_id == (contact.company_id or contact.id)
    assert (
        len(set(db.session.scalars(select(Lead.status).where(Lead.sandbox_id == sandbox.id)))) >= 5
    )
    assert (
        len(set(db.session.scalars(select(Lead.source).where(Lead.sandbox_id == sandbox.id)))) >= 6
    )
    stages = set(
        db.session.scalars(select(Opportunity.stage).where(Opportunity.sandbox_id == sandbox.id))
    )
    assert len(stages) >= 5
    closed = db.session.scalars(
        select(Opportunity).where(
            Opportunity.sandbox_id == sandbox.id, Opportunity.stage.like("closed%")
        )
    ).all()
    assert all(o.closed_reason and o.close_date <= today for o in closed)

    # The learner's own colleague starts with no deals and no target: exercises add them.
    me = db.session.scalar(
        select(Colleague).where(Colleague.sandbox_id == sandbox.id, Colleague.is_learner.is_(True))
    )
    assert count(Opportunity, sandbox, Opportunity.owner_id == me.id) == 0
    assert count(SalesTarget, sandbox, SalesTarget.owner_id == me.id) == 0
    assert count(SalesTarget, sandbox) == 3


def test_reset_brings_back_exactly_the_fresh_sandbox(client, sandbox):
    fresh = _content(sandbox)
    client.post("/sandbox/leads/new", data={"first_name": "Temp", "source": "call"})
    client.post("/sandbox/clock", data={"days": "7"})
    generation = sandbox.generation
    response = client.post("/sandbox/reset")
    assert response.status_code == 302
    db.session.refresh(sandbox)
    assert sandbox.generation == generation + 1
    assert count(Lead, sandbox, Lead.first_name == "Temp") == 0
    after = _content(sandbox)
    after.pop("sb_events")
    fresh.pop("sb_events")
    assert after == fresh  # same seed, same clock day: the same data
    # The practice history stays (readiness counts it); the reset closes a chapter of it.
    assert events(sandbox) == ["lead.created", "clock.advanced", "sandbox.reset"]


def test_reset_touches_no_other_sandbox(client, make, sandbox):
    other = get_or_create_sandbox(make.user())
    db.session.commit()
    before = _content(other)
    client.post("/sandbox/reset")
    assert _content(other) == before


@pytest.mark.parametrize("model", SANDBOX_TABLES, ids=lambda m: m.__tablename__)
def test_every_sandbox_table_is_indexed_by_sandbox_first(model):
    indexed_first = [next(iter(index.columns)).key for index in model.__table__.indexes]
    assert "sandbox_id" in indexed_first
    fk = next(iter(model.__table__.c.sandbox_id.foreign_keys))
    assert (fk.column.table.name, fk.ondelete) == ("sandboxes", "CASCADE")


def test_deleting_a_sandbox_cascades_to_all_its_rows(make, sandbox):
    db.session.delete(db.session.get(Sandbox, sandbox.id))
    db.session.commit()
    for model in SANDBOX_TABLES:
        assert db.session.scalar(select(func.count()).where(model.sandbox_id == sandbox.id)) == 0, (
            model.__tablename__
        )


def test_a_hindi_organisation_practises_with_hindi_names_and_working_emails(app, make, sandbox):
    import re

    from sandbox.models import Customer

    box = _empty_sandbox(make, 4242, sandbox.clock)
    app.config["BABEL_DEFAULT_LOCALE"] = "hi"
    try:
        populate(box.id, box.seed, box.clock, "Learner")
    finally:
        app.config["BABEL_DEFAULT_LOCALE"] = "en"
    db.session.commit()
    people = select(Customer).where(Customer.is_company.is_(False))
    customers = db.session.scalars(people.where(Customer.sandbox_id == box.id)).all()
    devanagari = re.compile("[\u0900-\u097f]")
    assert sum(bool(devanagari.search(c.first_name)) for c in customers) > len(customers) / 2
    assert all(re.fullmatch(r"[a-z0-9]+\.[a-z0-9]+@[a-z0-9]+\.example", c.email) for c in customers)
    # An English-language organisation keeps Latin-script names.
    english = db.session.scalars(select(Customer).where(Customer.sandbox_id == sandbox.id)).all()
    assert not any(devanagari.search(c.first_name) for c in english)
