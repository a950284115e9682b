"""The exercise builder in a real browser: a refused setup row is fixed where it stands."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.e2e.test_authoring import _add_lesson, _new_draft


def test_a_bad_setup_row_is_shown_at_its_field_fixed_and_saved(page, make):
    trainer = make.user(roles=("trainer",))
    login(page, trainer)
    _new_draft(page, "Customers first")
    _add_lesson(page, "Set up a customer", "exercise")
    page.locator("#structure").get_by_role("link", name="Set up a customer").click()

    setup = page.locator("[data-setup-form=new]")
    setup.get_by_label("Kind of record").select_option(label="Customer")
    setup.get_by_label("Field 1", exact=True).select_option(label="First name")
    setup.get_by_label("Value 1", exact=True).fill("Sana")
    setup.get_by_role("button", name="Add a row").click()
    setup.get_by_label("Field 2", exact=True).select_option(label="Tier")
    setup.get_by_label("Value 2", exact=True).fill("platinum-plus")
    setup.get_by_role("button", name="Add record").click()

    # Refused: the message stands at the tier's value, which says so to screen readers;
    # the other row is still there as typed, and nothing was saved.
    setup = page.locator("[data-setup-form=new]")
    tier = setup.get_by_label("Value 2", exact=True)
    expect(tier).to_have_attribute("aria-invalid", "true")
    expect(tier).to_have_accessible_description(re.compile("must be one of"))
    expect(setup.get_by_label("Value 1", exact=True)).to_have_value("Sana")
    expect(setup.get_by_label("Field 2", exact=True)).to_have_value("tier")
    expect(page.locator("[data-setup]")).to_have_count(0)

    tier.fill("gold")
    setup.get_by_role("button", name="Add record").click()
    record = page.locator("[data-setup]")
    expect(record).to_have_count(1)
    expect(record).to_contain_text("Sana")
    expect(record).to_contain_text("gold")
    expect(page.locator("[aria-invalid=true]")).to_have_count(0)
