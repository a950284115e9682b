"""Converting a lead into an account the CRM already has, in a real browser: the duplicate
warning on logging, then "add to the existing account" on converting."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from sandbox.models import Customer
from sandbox.services import get_or_create_sandbox
from tests.e2e.conftest import login
from tests.sandbox.conftest import add_company


def test_lead_from_a_known_company_converts_into_its_account(page, make, app_ctx):
    learner = make.user(roles=("learner",))
    sandbox = get_or_create_sandbox(learner)
    company = add_company(sandbox, "Zephyr Tiles")
    db.session.commit()
    login(page, learner)

    page.goto("/sandbox/leads/new")
    page.get_by_label("First name").fill("Nadia")
    page.get_by_label("Last name").fill("Qureshi")
    page.get_by_label("Company").fill("Zephyr Tiles")
    page.get_by_label("Email").fill("nadia@zephyrtiles.example")
    page.get_by_role("button", name="Save lead").click()
    warning = page.get_by_test_id("duplicate-warning")
    expect(warning).to_contain_text("Zephyr Tiles")
    page.get_by_role("button", name="Save lead anyway").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nadia Qureshi")

    page.get_by_text("Convert to a customer").click()
    form = page.get_by_test_id("convert-form")
    form.get_by_label("Add to the existing account Zephyr Tiles").check()
    form.get_by_label("Also create an opportunity").uncheck()
    form.get_by_role("button", name="Convert").click()

    expect(page).to_have_url(f"{page.url.split('/sandbox/')[0]}/sandbox/customers/{company.id}")
    expect(page.locator(".alert-success")).to_contain_text(
        "Nadia Qureshi is linked to Zephyr Tiles"
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zephyr Tiles")
    expect(page.get_by_role("main")).to_contain_text("Nadia Qureshi")
    db.session.expire_all()
    contact = db.session.scalar(
        select(Customer).where(
            Customer.sandbox_id == sandbox.id, Customer.email == "nadia@zephyrtiles.example"
        )
    )
    assert contact.company_id == company.id
