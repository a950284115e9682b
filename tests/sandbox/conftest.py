"""Sandbox fixtures: a signed-in learner with their own sandbox, and small helpers that read
the database the way a test wants to (always inside one sandbox)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from sandbox.models import Customer, Lead, Purchase, SandboxEvent
from sandbox.services import get_or_create_sandbox

# The move-deals exercise's figures: the learner's 60,000 target for the quarter around
# today, and a deal of 25,000 the learner won in it (setup records, as course files hold).
QUARTER_TARGET = {
    "key": "target",
    "entity": "sales_target",
    "fields": {
        "owner": "@learner",
        "period_start": "@today-45d",
        "period_end": "@today+45d",
        "amount": 60000,
    },
}
WON_THIS_QUARTER = {
    "key": "won",
    "entity": "opportunity",
    "fields": {
        "name": "Won",
        "owner": "@learner",
        "stage": "closed_won",
        "amount": 25000,
        "close_date": "@today-5d",
    },
}


@pytest.fixture
def learner(client, make):
    user = make.user(roles=("learner",))
    client.login(user)
    return user


@pytest.fixture
def sandbox(learner, app_ctx):
    box = get_or_create_sandbox(learner)
    db.session.commit()
    return box


def count(model, sandbox, *where) -> int:
    """How many rows of `model` in this sandbox match."""
    return db.session.scalar(
        select(func.count(model.id)).where(model.sandbox_id == sandbox.id, *where)
    )


def first(model, sandbox, *where):
    """The first row (by id) of `model` in this sandbox that matches, or None."""
    return db.session.scalar(
        select(model).where(model.sandbox_id == sandbox.id, *where).order_by(model.id).limit(1)
    )


def newest(model, sandbox, *where):
    """The last row (by id) of `model` in this sandbox that matches, or None."""
    return db.session.scalar(
        select(model)
        .where(model.sandbox_id == sandbox.id, *where)
        .order_by(model.id.desc())
        .limit(1)
    )


def new_lead(client, sandbox, data: dict) -> Lead:
    """A lead logged through the form with `data`, past the check for duplicates."""
    response = client.post("/sandbox/leads/new", data={**data, "confirm_duplicate": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return newest(Lead, sandbox)


def add_person(sandbox, first_name: str, last_name: str = "", **fields) -> Customer:
    """A person put straight into the sandbox, as if entered some time ago (no event)."""
    person = Customer(sandbox_id=sandbox.id, first_name=first_name, last_name=last_name, **fields)
    db.session.add(person)
    db.session.flush()
    return person


def add_company(sandbox, name: str, **fields) -> Customer:
    """A company account put straight into the sandbox (no event)."""
    return add_person(sandbox, "", is_company=True, company=name, **fields)


def bought(sandbox, customer, product, day) -> Purchase:
    """Record a purchase the way the till would (the sandbox has no purchase form)."""
    purchase = Purchase(
        sandbox_id=sandbox.id,
        customer_id=customer.id,
        product_id=product.id,
        amount=product.price,
        purchased_on=day,
    )
    db.session.add(purchase)
    db.session.flush()
    return purchase


def all_rows(model, sandbox, *where, limit: int | None = None) -> list:
    """The rows of `model` in this sandbox that match, by id (the first `limit` of them)."""
    return db.session.scalars(
        select(model).where(model.sandbox_id == sandbox.id, *where).order_by(model.id).limit(limit)
    ).all()


def events(sandbox, prefix: str = "") -> list[str]:
    """The verbs of the sandbox's events, oldest first."""
    verbs = db.session.scalars(
        select(SandboxEvent.verb)
        .where(SandboxEvent.sandbox_id == sandbox.id)
        .order_by(SandboxEvent.id)
    ).all()
    return [verb for verb in verbs if verb.startswith(prefix)]


def last_event(sandbox, verb: str) -> SandboxEvent | None:
    """The newest event with this verb."""
    return db.session.scalar(
        select(SandboxEvent)
        .where(SandboxEvent.sandbox_id == sandbox.id, SandboxEvent.verb == verb)
        .order_by(SandboxEvent.id.desc())
        .limit(1)
    )
