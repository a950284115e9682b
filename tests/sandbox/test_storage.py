"""Compact sandbox storage: times, dates, seeded sentences and short codes read back as
written, and queries on them (comparisons, extract, IN, order) find the same rows as
before."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import extract, func, select, text

from portal.extensions import db
from sandbox.codes import ACTIVITY_KINDS, TIERS
from sandbox.fill.text import STORED, stored, stored_interests
from sandbox.models import Activity, Customer, Lead, Opportunity, Purchase, Ticket
from sandbox.models_storage import ShortCode, expand


def test_seeded_sentences_keep_their_places():
    """A stored code is a place in STORED: sentences are added at the end, never moved.
    Adding some changes this fingerprint; check the old ones kept their places."""
    first_97 = hashlib.sha256("\n".join(STORED[:97]).encode()).hexdigest()[:16]
    assert first_97 == "b47cb5b1bd42f32c"


def test_a_code_expands_to_the_sentence_with_its_fields():
    note = stored(
        "Called {first_name} to check the {product} is working well.", first_name="Ama", product=3
    )
    assert len(note) < 10
    assert expand(note) == "Called Ama to check the Point-of-sale terminal is working well."
    assert expand(stored("Budget cut")) == "Budget cut"
    assert expand(stored_interests(("supplies", "online shop"))) == "supplies, online shop"


def test_seeded_rows_read_back_in_full_and_stay_small(sandbox, app_ctx):
    activity = db.session.scalar(
        select(Activity).where(Activity.sandbox_id == sandbox.id).order_by(Activity.id).limit(1)
    )
    raw = db.session.execute(
        text("SELECT subject, body FROM sb_activities WHERE id = :id"), {"id": activity.id}
    ).one()
    assert raw.subject.startswith("\x1e") and len(raw.subject) == 2
    assert activity.subject in STORED and "\x1e" not in activity.body and "{" not in activity.body
    customer = db.session.scalar(
        select(Customer).where(Customer.sandbox_id == sandbox.id, Customer.preferences != "")
    )
    assert customer.preferences and "\x1e" not in customer.preferences


def test_written_text_is_stored_as_written(sandbox, app_ctx):
    ticket = db.session.scalar(select(Ticket).where(Ticket.sandbox_id == sandbox.id).limit(1))
    ticket.description = "Budget cut"  # a seeded sentence, typed: stays text SQL can search
    db.session.commit()
    found = db.session.scalar(
        select(func.count()).where(
            Ticket.sandbox_id == sandbox.id, func.lower(Ticket.description).contains("budget")
        )
    )
    assert found == 1


def test_times_and_dates_round_trip_and_compare(sandbox, app_ctx):
    at = datetime(2026, 3, 1, 14, 30, 15, tzinfo=UTC)
    ticket = db.session.scalar(select(Ticket).where(Ticket.sandbox_id == sandbox.id).limit(1))
    ticket.opened_at, ticket.resolution_due = at, at + timedelta(hours=8)
    purchase = db.session.scalar(select(Purchase).where(Purchase.sandbox_id == sandbox.id).limit(1))
    purchase.purchased_on = date(2024, 2, 29)
    db.session.commit()
    db.session.expire_all()
    assert ticket.opened_at == at and ticket.resolution_due.tzinfo is not None
    assert purchase.purchased_on == date(2024, 2, 29)
    in_sandbox = Ticket.sandbox_id == sandbox.id
    assert db.session.scalar(select(Ticket.id).where(in_sandbox, Ticket.opened_at == at)) == (
        ticket.id
    )
    leap = select(Purchase.id).where(
        Purchase.sandbox_id == sandbox.id,
        extract("month", Purchase.purchased_on) == 2,
        extract("day", Purchase.purchased_on) == 29,
        Purchase.purchased_on < date(2024, 3, 1),
    )
    assert purchase.id in db.session.scalars(leap).all()
    hours = select(extract("hour", Ticket.opened_at)).where(Ticket.id == ticket.id)
    assert db.session.scalar(hours) == 14


def test_short_codes_are_letters_that_compare_and_sort_as_the_codes(sandbox, app_ctx):
    raw = db.session.execute(
        text("SELECT kind, parent_type FROM sb_activities WHERE sandbox_id = :s"),
        {"s": sandbox.id},
    ).all()
    assert {len(kind) for kind, _parent in raw} == {1} and {len(p) for _k, p in raw} == {1}
    in_sandbox = Activity.sandbox_id == sandbox.id
    tasks = db.session.scalars(select(Activity).where(in_sandbox, Activity.kind == "task")).all()
    assert tasks and {task.kind for task in tasks} == {"task"}
    kinds = select(Activity.kind).where(in_sandbox).distinct().order_by(Activity.kind)
    assert db.session.scalars(kinds).all() == sorted(ACTIVITY_KINDS)
    on = select(func.count()).where(in_sandbox, Activity.parent_type.in_(["lead", "ticket"]))
    assert db.session.scalar(on) > 0
    gold = db.session.scalar(select(Customer).where(Customer.sandbox_id == sandbox.id).limit(1))
    gold.tier, gold.consent_channel = "gold", "visit"
    db.session.commit()
    db.session.expire_all()
    assert (gold.tier, gold.consent_channel) == ("gold", "visit")
    stored_tier = text("SELECT tier, consent_channel FROM sb_customers WHERE id = :id")
    assert tuple(db.session.execute(stored_tier, {"id": gold.id}).one()) == ("g", "v")


def test_a_value_outside_the_list_is_stored_as_given():
    code = ShortCode(12, TIERS)
    assert code.process_bind_param("diamond", None) == "diamond"
    assert code.process_result_value("diamond", None) == "diamond"
    assert code.process_bind_param(None, None) is None


def test_the_migration_codes_existing_rows_and_back(sandbox, app_ctx):
    from flask_migrate import downgrade, upgrade

    raw = text("SELECT kind, parent_type FROM sb_activities WHERE sandbox_id = :s")
    coded = sorted(db.session.execute(raw, {"s": sandbox.id}).all())
    db.session.remove()
    try:
        downgrade(revision="0039_dashboard_kept_counts")  # the one before 0040, by name
        written = sorted(db.session.execute(raw, {"s": sandbox.id}).all())
    finally:  # the tests after this one need the schema at the head, whatever happened
        db.session.remove()
        upgrade(revision="heads")
    assert {kind for kind, _parent in written} <= set(ACTIVITY_KINDS)
    assert [(k[0], p[0]) for k, p in written] == coded
    assert sorted(db.session.execute(raw, {"s": sandbox.id}).all()) == coded


def test_plain_insert_writes_what_core_would(sandbox, app_ctx):
    """The fill's SQLite insert binds as the column types do and fills in the defaults of
    the columns its rows leave out (a ticket's channel, an opportunity's next step)."""
    ticket = db.session.scalar(select(Ticket).where(Ticket.sandbox_id == sandbox.id).limit(1))
    deal = db.session.scalar(
        select(Opportunity).where(Opportunity.sandbox_id == sandbox.id).limit(1)
    )
    lead = db.session.scalar(select(Lead).where(Lead.sandbox_id == sandbox.id).limit(1))
    assert ticket.channel == "email" and deal.next_step == "" and lead.need == ""
    assert lead.budget_status == "unknown" and lead.budget is None
    assert isinstance(ticket.opened_at, datetime) and ticket.opened_at.tzinfo is not None
