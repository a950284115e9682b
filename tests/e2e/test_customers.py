"""A customer's consent in a real browser: recorded by phone, the phone number corrected,
then a birthday greeting sent to them and held back from someone who never agreed."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from sandbox.models import Customer
from sandbox.services import get_or_create_sandbox
from tests.e2e.conftest import fill_birthday_automation, login


def test_consent_by_phone_then_the_birthday_greeting_goes_only_to_those_who_agreed(
    page, make, app_ctx
):
    learner = make.user(roles=("learner",))
    sandbox = get_or_create_sandbox(learner)
    people = db.session.scalars(
        select(Customer)
        .where(Customer.sandbox_id == sandbox.id, Customer.is_company.is_(False))
        .order_by(Customer.id)
        .limit(2)
    ).all()
    birthday = (sandbox.clock + timedelta(days=3)).date().replace(year=1985)
    # Names of their own, so the outbox shows each of their emails once.
    for person, name in zip(people, ("Zarmina", "Palwasha"), strict=True):
        person.first_name, person.birthday = name, birthday
        person.email_consent, person.consent_at, person.consent_channel = False, None, ""
    db.session.commit()
    zarmina, palwasha = people
    login(page, learner)

    # Zarmina has no consent on record; she agrees on the phone, and gives a new number.
    page.goto(f"/sandbox/customers/{zarmina.id}")
    expect(page.get_by_test_id("consent-status")).to_have_text("No consent on record")
    page.get_by_test_id("edit-customer").click()
    page.get_by_label("Agrees to marketing email").check()
    page.get_by_label("Agreed or withdrew by").select_option("phone")
    page.get_by_label("Phone").fill("+92 321 7654321")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".alert-success")).to_contain_text("saved")
    expect(page.get_by_test_id("consent-status")).to_contain_text("Agreed to marketing email on")
    expect(page.get_by_test_id("consent-status")).to_contain_text("by Phone call")
    expect(page.get_by_text("+92 321 7654321")).to_be_visible()

    # A birthday greeting, and the clock a week on.
    form = fill_birthday_automation(page)
    form.get_by_role("button", name="Save automation").click()
    page.get_by_role("button", name="+1 week").click()
    expect(page.locator(".alert-info")).to_contain_text("went to the outbox")

    # Zarmina's greeting was sent; Palwasha's was held back, and the outbox says why.
    page.get_by_role("link", name="Outbox", exact=True).click()
    sent = page.locator("details", has_text="Happy birthday, Zarmina!")
    expect(sent).to_have_count(1)
    expect(sent.get_by_test_id("skipped")).to_have_count(0)
    held = page.locator("details", has_text="Happy birthday, Palwasha!")
    expect(held).to_have_count(1)
    expect(held.get_by_test_id("skipped")).to_have_text("Not sent: no marketing consent")
