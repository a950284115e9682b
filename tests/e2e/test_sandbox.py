"""The practice CRM in a real browser: a lead logged and converted, a ticket resolved, and a
birthday email in the outbox after the clock moves on."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.extensions import db
from sandbox.models import Customer, Opportunity, Purchase, Ticket
from sandbox.services import get_or_create_sandbox
from tests.e2e.conftest import fill_birthday_automation, login, reply_resolve_and_close


def _fill(scope, texts: dict[str, str], choices: dict[str, str]) -> None:
    """Types into the labelled text fields, then picks the labelled options."""
    for label, value in texts.items():
        scope.get_by_label(label).fill(value)
    for label, value in choices.items():
        scope.get_by_label(label).select_option(value)


def test_lead_ticket_and_birthday_email(page, make, app_ctx):
    learner = make.user(roles=("learner",))
    sandbox = get_or_create_sandbox(learner)
    ticket = db.session.scalar(
        select(Ticket).where(Ticket.sandbox_id == sandbox.id, Ticket.status == "new")
    )
    customer = db.session.scalar(select(Customer).where(Customer.sandbox_id == sandbox.id))
    customer.birthday = (sandbox.clock + timedelta(days=3)).date().replace(year=1988)
    customer.first_name = "Zarghuna"  # one of a kind, so the outbox shows her email once
    customer.email_consent = True  # a birthday greeting is marketing: she agreed to it
    db.session.commit()
    login(page, learner)
    page.goto("/sandbox/")
    expect(page.get_by_test_id("practice-banner")).to_be_visible()

    # Log a lead from a trade show, qualify it inline, convert it with an opportunity.
    page.get_by_role("link", name="Leads", exact=True).click()
    page.get_by_role("link", name="New lead").click()
    _fill(
        page,
        {
            "First name": "Imran",
            "Last name": "Siddiqui",
            "Company": "Harbour Bakeries",
            "Email": "imran@harbour.example",
        },
        {"Source": "trade_show"},
    )
    page.get_by_role("button", name="Save lead").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Imran Siddiqui")
    with page.expect_response(lambda response: response.url.endswith("/status")):
        page.get_by_label("Status", exact=True).select_option("in_process")
    expect(page.locator("#lead-status")).to_contain_text("Saved")
    page.get_by_text("Convert to a customer").click()
    page.get_by_label("Opportunity name").fill("Harbour Bakeries: loyalty cards")
    page.get_by_label("Amount").fill("15000")
    page.get_by_test_id("convert-form").get_by_role("button", name="Convert").click()
    expect(page.locator(".alert-success")).to_contain_text("Imran Siddiqui is now a customer")
    expect(page.get_by_test_id("stage")).to_contain_text("Prospecting")

    # Answer and resolve a ticket.
    page.goto(f"/sandbox/tickets/{ticket.id}")
    reply_resolve_and_close(page, "Thanks, we are on it.", "Fixed the setting.")

    # A birthday automation, the clock a week on, the email in the outbox.
    form = fill_birthday_automation(page)
    expect(page.locator("#automation-preview")).to_contain_text("Happy birthday, Farah!")
    form.get_by_role("button", name="Save automation").click()
    page.get_by_role("button", name="+1 week").click()
    expect(page.locator(".alert-info")).to_contain_text(re.compile(r"[1-9]\d* emails? went"))
    page.get_by_role("link", name="Outbox", exact=True).click()
    expect(page.get_by_text("Happy birthday, Zarghuna!")).to_be_visible()


def test_live_search_pipeline_move_task_and_reset(page, make, app_ctx):
    """The htmx parts: live search, an inline pipeline move, a task ticked off, and the
    reset behind its confirmation dialog."""
    learner = make.user(roles=("learner",))
    sandbox = get_or_create_sandbox(learner)
    customer = db.session.scalar(
        select(Customer).where(Customer.sandbox_id == sandbox.id, Customer.is_company.is_(False))
    )
    everyone = db.session.scalar(
        select(func.count()).select_from(Customer).where(Customer.sandbox_id == sandbox.id)
    )
    deal = db.session.scalar(
        select(Opportunity).where(
            Opportunity.sandbox_id == sandbox.id, Opportunity.stage.not_like("closed%")
        )
    )
    deal.stage = "proposal"
    db.session.commit()
    login(page, learner)

    # Live search: typing narrows the rows without reloading the page.
    page.goto("/sandbox/customers")
    expect(page.get_by_test_id("result-count")).to_have_text(f"{everyone} customers")
    page.get_by_label("Search customers").fill(customer.loyalty_card)
    expect(page.get_by_test_id("result-count")).to_have_text("1 customer")
    expect(page.locator("#customer-rows")).to_contain_text(customer.name)
    page.get_by_role("link", name=customer.name).click()

    # A task logged on the profile, then ticked off from the timeline.
    page.get_by_label("Kind").select_option("task")
    page.get_by_label("Subject").fill("Send the revised quote")
    page.get_by_role("button", name="Log it").click()
    expect(page.get_by_label("Due (tasks)")).to_have_class(re.compile("is-invalid"))
    page.get_by_label("Due (tasks)").fill(sandbox.today.isoformat())
    page.get_by_role("button", name="Log it").click()
    item = page.get_by_test_id("timeline").locator("li", has_text="Send the revised quote")
    item.get_by_role("button", name="Mark done").click()
    expect(
        page.get_by_test_id("timeline").locator("li", has_text="Send the revised quote")
    ).to_contain_text("Done")

    # Pipeline: a deal moves a stage from the board, the board redrawn in place.
    page.goto("/sandbox/opportunities")
    card = page.locator(f'[data-opportunity="{deal.id}"]')
    card.get_by_role("combobox").select_option("negotiation")
    with page.expect_response(lambda response: response.url.endswith("/stage")):
        card.get_by_role("button", name="Move").click()
    expect(
        page.locator('[data-stage="negotiation"]').locator(f'[data-opportunity="{deal.id}"]')
    ).to_be_visible()

    # Reset asks first; cancelling keeps everything, confirming starts afresh.
    page.goto("/sandbox/")
    page.get_by_role("button", name="Reset my sandbox…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").first.click()
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="Reset my sandbox…").click()
    page.get_by_role("dialog").get_by_role("button", name="Yes, reset it").click()
    expect(page.locator(".alert-success")).to_contain_text("back to a fresh start")
    db.session.refresh(sandbox)
    assert sandbox.generation == 2


def test_log_a_ticket_from_a_customers_page(page, make, app_ctx):
    """A phone call logged from the customer's page, then moved to another category."""
    learner = make.user(roles=("learner",))
    sandbox = get_or_create_sandbox(learner)
    customer = db.session.scalar(  # a person who has bought something
        select(Customer)
        .where(Customer.sandbox_id == sandbox.id, Customer.id.in_(select(Purchase.customer_id)))
        .order_by(Customer.id)
    )
    db.session.commit()
    login(page, learner)
    # From the queue, choosing the customer offers their purchases (htmx).
    page.goto("/sandbox/tickets")
    page.get_by_test_id("new-ticket").click()
    purchases = page.locator("#purchase_id option")
    expect(purchases).to_have_count(1)
    page.get_by_label("Customer").select_option(str(customer.id))
    expect(purchases).not_to_have_count(1)

    page.goto(f"/sandbox/customers/{customer.id}")
    page.get_by_test_id("new-ticket").click()
    form = page.get_by_test_id("ticket-form")
    expect(form.get_by_label("Customer")).to_have_value(str(customer.id))
    _fill(
        form,
        {"Subject": "Card not recognised at the till"},
        {"Contacted us by": "phone", "Category": "technical", "Priority": "high"},
    )
    form.get_by_role("button", name="Log ticket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Card not recognised at the till")
    expect(page.get_by_test_id("channel")).to_contain_text("Phone call")
    page.get_by_text("Wrong category? Change it and hand the ticket on").click()
    page.get_by_test_id("ticket-category").get_by_label("Category").select_option("billing")
    page.get_by_role("button", name="Change category").click()
    expect(page.get_by_test_id("ticket-changes")).to_contain_text("Category changed from")
