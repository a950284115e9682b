"""The practice CRM in a real browser: a lead logged and converted, a ticket resolved, and a
birthday email in the outbox after the clock moves on."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from sandbox.models import Customer, Ticket
from sandbox.services import get_or_create_sandbox
from tests.e2e.conftest import login


def test_lead_ticket_and_birthday_email(page, make, app_ctx):
    learner = make.user(roles=("learner",))
    sandbox = get_or_create_sandbox(learner)
    ticket = db.session.scalar(select(Ticket).where(Ticket.sandbox_id == sandbox.id,
                                                    Ticket.status == "new"))
    customer = db.session.scalar(select(Customer).where(Customer.sandbox_id == sandbox.id))
    customer.birthday = (sandbox.clock + timedelta(days=3)).date().replace(year=1988)
    db.session.commit()
    login(page, learner)
    page.goto("/sandbox/")
    expect(page.get_by_test_id("practice-banner")).to_be_visible()

    # Log a lead from a trade show, qualify it inline, convert it with an opportunity.
    page.get_by_role("link", name="Leads", exact=True).click()
    page.get_by_role("link", name="New lead").click()
    page.get_by_label("First name").fill("Imran")
    page.get_by_label("Last name").fill("Siddiqui")
    page.get_by_label("Company").fill("Harbour Bakeries")
    page.get_by_label("Email").fill("imran@harbour.example")
    page.get_by_label("Source").select_option("trade_show")
    page.get_by_role("button", name="Save lead").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Imran Siddiqui")
    page.wait_for_load_state("load")  # htmx is set up once the page has loaded
    with page.expect_response(lambda response: response.url.endswith("/status")):
        page.get_by_label("Status").select_option("in_process")
    expect(page.locator("#lead-status")).to_contain_text("Saved")
    page.get_by_text("Convert to a customer").click()
    page.get_by_label("Opportunity name").fill("Harbour Bakeries: loyalty cards")
    page.get_by_label("Amount").fill("15000")
    page.get_by_test_id("convert-form").get_by_role("button", name="Convert").click()
    expect(page.locator(".alert-success")).to_contain_text("Imran Siddiqui is now a customer")
    expect(page.get_by_test_id("stage")).to_contain_text("Prospecting")

    # Answer and resolve a ticket.
    page.goto(f"/sandbox/tickets/{ticket.id}")
    page.get_by_label("Reply to the customer").fill("Thanks, we are on it.")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_label("Resolution note: what was wrong, what you did").fill("Fixed the setting.")
    page.get_by_role("button", name="Resolve").click()
    page.get_by_role("button", name="Close ticket").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("Closed")

    # A birthday automation, the clock a week on, the email in the outbox.
    page.get_by_role("link", name="Automations", exact=True).click()
    form = page.get_by_test_id("automation-form")
    form.get_by_label("Name").fill("Birthday greeting")
    form.get_by_label("Send when").select_option("birthday")
    form.get_by_label("Subject").fill("Happy birthday, {first_name}!")
    form.get_by_label("Email", exact=True).fill("Dear {first_name}, best wishes from us all.")
    expect(page.locator("#automation-preview")).to_contain_text("Happy birthday, Farah!")
    form.get_by_role("button", name="Save automation").click()
    page.get_by_role("button", name="+1 week").click()
    expect(page.locator(".alert-info")).to_contain_text(re.compile(r"[1-9]\d* emails? went"))
    page.get_by_role("link", name="Outbox", exact=True).click()
    expect(page.get_by_text(f"Happy birthday, {customer.first_name}!")).to_be_visible()
