"""Assigning a lead in a real browser: the lead form's "Assigned to", the status that
follows, and "My open items" on the lead list."""

from __future__ import annotations

from playwright.sync_api import expect

from portal.extensions import db
from sandbox.services import get_or_create_sandbox
from tests.e2e.conftest import login


def test_a_new_lead_assigned_to_me_shows_in_my_open_items(page, make, app_ctx):
    learner = make.user(roles=("learner",))
    get_or_create_sandbox(learner)
    db.session.commit()
    login(page, learner)

    page.goto("/sandbox/leads/new")
    page.get_by_label("First name").fill("Omar")
    page.get_by_label("Company").fill("Quillfeather Looms")
    owner = page.get_by_label("Assigned to")
    expect(owner).to_have_value("")  # nobody, until someone is chosen
    you = owner.locator("option", has_text="(you)")
    owner.select_option(value=you.get_attribute("value"))
    page.get_by_role("button", name="Save lead").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Omar")
    expect(page.get_by_test_id("lead-owner")).not_to_contain_text("Nobody")
    expect(page.get_by_role("main")).to_contain_text("Assigned")

    page.goto("/sandbox/leads")
    page.get_by_test_id("my-open-items").click()
    expect(page.get_by_role("main")).to_contain_text("Omar")
