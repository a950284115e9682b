"""Duplicates in a real browser: a customer entered twice is found on the Duplicates page,
merged on the merge screen, and the survivor shows the other record's ticket and purchase."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from sandbox.models import Product, Purchase, Ticket
from sandbox.services import get_or_create_sandbox
from tests.e2e.conftest import login
from tests.sandbox.conftest import add_person


def test_merge_two_customers_and_see_the_history_on_the_survivor(page, make, app_ctx):
    learner = make.user(roles=("learner",))
    sandbox = get_or_create_sandbox(learner)
    add_person(sandbox, "Ghazala", "Parveen", phone="0300-7771112")
    second = add_person(
        sandbox, "Ghazala", "Perveen", phone="+92 300 7771112", email="ghazala@post.example"
    )
    product = db.session.scalar(select(Product).where(Product.sandbox_id == sandbox.id))
    db.session.add_all(
        [
            Ticket(
                sandbox_id=sandbox.id,
                customer_id=second.id,
                contact_id=second.id,
                subject="Card not scanning at the till",
                opened_at=sandbox.clock,
            ),
            Purchase(
                sandbox_id=sandbox.id,
                customer_id=second.id,
                product_id=product.id,
                amount=Decimal("4321.00"),
                purchased_on=sandbox.today,
            ),
        ]
    )
    db.session.commit()
    login(page, learner)
    page.goto("/sandbox/")
    page.get_by_role("link", name="Duplicates").click()

    group = page.get_by_test_id("duplicate-group").filter(has_text="Ghazala Perveen")
    expect(group.locator("[data-reason=phone]")).to_be_visible()
    group.get_by_role("button", name="Compare and merge").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Merge duplicates")
    page.get_by_label("+92 300 7771112").check()  # the copy's phone, with its country code
    page.get_by_test_id("merge-submit").click()

    expect(page.locator(".alert-success")).to_contain_text("Merged into Ghazala Parveen")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ghazala Parveen")
    expect(page.get_by_test_id("customer-tickets")).to_contain_text("Card not scanning at the till")
    expect(page.get_by_test_id("purchases")).to_contain_text("4,321.00")
    expect(page.get_by_text("+92 300 7771112")).to_be_visible()
    expect(page.get_by_text("ghazala@post.example")).to_be_visible()  # set only on the copy
