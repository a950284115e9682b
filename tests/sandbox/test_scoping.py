"""An unscoped sandbox query on a sandbox page fails loudly instead of leaking rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from sandbox.models import Customer, Product, Purchase, scoped
from sandbox.scoping import UnscopedQuery


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
