"""An unscoped sandbox query on a sandbox page fails loudly, and no statement on a sandbox
page can read or change another sandbox's rows."""

from __future__ import annotations

import pytest
from flask import g
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import aliased

from portal.extensions import db
from sandbox.models import Activity, Customer, Product, Purchase, scoped
from sandbox.scoping import UnscopedQuery
from sandbox.services import get_or_create_sandbox


def test_a_sandbox_page_cannot_read_another_sandbox_by_accident(app, sandbox):
    with app.test_request_context("/sandbox/customers"):
        assert db.session.scalars(scoped(Customer, sandbox)).first() is not None
        with pytest.raises(UnscopedQuery, match="sb_customers"):
            db.session.scalars(select(Customer).where(Customer.city == "Lahore")).all()
        # A join must keep to the sandbox too, not only the table it starts from.
        joined = (
            select(Purchase, Product.name)
            .join(Product, Product.id == Purchase.product_id)
            .where(Purchase.sandbox_id == sandbox.id)
        )
        with pytest.raises(UnscopedQuery, match="sb_products"):
            db.session.execute(joined).all()
        same_sandbox = (
            select(Purchase, Product.name)
            .join(
                Product,
                (Product.id == Purchase.product_id) & (Product.sandbox_id == Purchase.sandbox_id),
            )
            .where(Purchase.sandbox_id == sandbox.id)
        )
        assert db.session.execute(same_sandbox).first() is not None


def test_pages_outside_the_sandbox_may_aggregate_across_sandboxes(app, sandbox):
    with app.test_request_context("/dashboard/"):
        assert db.session.scalars(select(Customer.id)).first() is not None


@pytest.fixture
def other_sandbox(make):
    box = get_or_create_sandbox(make.user(roles=("learner",)))
    db.session.commit()
    return box


@pytest.fixture
def sandbox_page(app, sandbox):
    """A /sandbox request working in `sandbox`, as open_sandbox sets it up."""
    with app.test_request_context("/sandbox/customers"):
        g.sandbox = sandbox
        yield
        g.pop("sandbox", None)


def test_a_join_on_another_sandbox_cannot_leak_its_rows(sandbox, other_sandbox, app, monkeypatch):
    # Written to pass the guard (each table has a sandbox_id condition), but on B's id.
    theirs = Customer.sandbox_id == other_sandbox.id
    joined = (
        select(Purchase.id, Customer.sandbox_id)
        .join(Customer, theirs)
        .where(Purchase.sandbox_id == sandbox.id)
        .limit(5)
    )
    other = aliased(Customer)
    by_alias = select(other.id).where(other.sandbox_id == other_sandbox.id)
    # Outside a sandbox page nothing stops it: these queries do reach B's customers.
    assert {row.sandbox_id for row in db.session.execute(joined)} == {other_sandbox.id}
    assert db.session.scalars(by_alias).first() is not None
    their_customer = _some_id(other_sandbox)
    with app.test_request_context("/sandbox/customers"):
        g.sandbox = sandbox
        assert db.session.execute(joined).all() == []
        assert db.session.scalars(by_alias).all() == []
        assert db.session.scalars(select(Customer).where(theirs)).all() == []
        # In production the guard is off: even a lookup by id finds nothing of theirs.
        monkeypatch.setitem(app.config, "SANDBOX_SCOPE_CHECK", False)
        assert db.session.get(Customer, their_customer) is None
        # The learner's own rows are still there.
        assert db.session.scalars(scoped(Customer, sandbox)).first() is not None


def test_a_bulk_change_on_a_sandbox_page_cannot_touch_another_sandbox(
    sandbox, other_sandbox, sandbox_page
):
    db.session.execute(
        update(Customer).where(Customer.sandbox_id == other_sandbox.id).values(city="Leaked")
    )
    db.session.execute(delete(Activity).where(Activity.sandbox_id == other_sandbox.id))
    db.session.commit()
    g.pop("sandbox")
    assert (
        db.session.scalar(
            select(func.count(Customer.id)).where(
                Customer.sandbox_id == other_sandbox.id, Customer.city == "Leaked"
            )
        )
        == 0
    )
    assert (
        db.session.scalar(
            select(func.count(Activity.id)).where(Activity.sandbox_id == other_sandbox.id)
        )
        > 0
    )


def _some_id(sandbox) -> int:
    return db.session.scalar(scoped(Customer, sandbox).with_only_columns(Customer.id).limit(1))


def test_the_limit_holds_once_rows_expire_without_reloading_the_sandbox(
    app, sandbox, other_sandbox, sandbox_page, count_queries, monkeypatch
):
    monkeypatch.setitem(app.config, "SANDBOX_SCOPE_CHECK", False)  # as in production
    db.session.expire_all()  # as a rolled-back change leaves it: g.sandbox is expired
    with count_queries() as counter:
        found = db.session.scalars(select(Customer.sandbox_id).limit(50)).all()
    assert set(found) == {sandbox.id}
    assert counter.count == 1
