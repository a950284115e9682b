"""The exercise builder in a real browser: a refused setup row is fixed where it stands."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.e2e.test_authoring import _add_lesson, _new_draft


def _new_customer_record(page, make):
    """A trainer's new exercise, its setup form open on a new customer record."""
    login(page, make.user(roles=("trainer",)))
    _new_draft(page, "Customers first")
    _add_lesson(page, "Set up a customer", "exercise")
    page.locator("#structure").get_by_role("link", name="Set up a customer").click()
    setup = page.locator("[data-setup-form=new]")
    setup.get_by_label("Kind of record").select_option(label="Customer")
    return setup


def test_a_bad_setup_row_is_shown_at_its_field_fixed_and_saved(page, make):
    setup = _new_customer_record(page, make)
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


def test_a_refused_date_stays_in_sight_beside_a_field_that_takes_none(page, make):
    """A date given and then the field changed to one that takes none is refused, and the
    date stays on screen to be cleared: the page's script leaves the row as refused."""
    setup = _new_customer_record(page, make)
    setup.get_by_label("Field 1", exact=True).select_option(label="Customer since")
    setup.locator("[name='field-0-amount']").fill("3")
    setup.get_by_label("Field 1", exact=True).select_option(label="First name")
    expect(setup.locator("[name='field-0-amount']")).to_be_hidden()
    setup.get_by_label("Value 1", exact=True).fill("Ali")
    setup.get_by_role("button", name="Add record").click()

    setup = page.locator("[data-setup-form=new]")
    expect(setup).to_contain_text("Give 'First name' a date or a value, not both.")
    amount = setup.locator("[name='field-0-amount']")
    expect(amount).to_be_visible()
    expect(amount).to_have_value("3")
    amount.fill("")
    setup.get_by_role("button", name="Add record").click()
    expect(page.locator("[data-setup]")).to_have_count(1)
    expect(page.locator("[data-setup]")).to_contain_text("Ali")
