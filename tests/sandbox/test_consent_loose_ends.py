"""Consent loose ends: an exercise's customer who agreed to marketing email has a date and
a channel on record, and moving the clock says how many emails were held back."""

from __future__ import annotations

from datetime import date, timedelta

from portal.extensions import db
from sandbox import scenarios
from sandbox.models import Customer, OutboxEmail
from tests.sandbox.conftest import all_rows, first

BIRTHDAY = {
    "name": "Birthday",
    "trigger": "birthday",
    "subject": "Happy birthday, {first_name}!",
    "body": "Dear {first_name}.",
    "active": "y",
}


def _consent_line(client, customer_id: int) -> str:
    page = client.get(f"/sandbox/customers/{customer_id}").get_data(as_text=True)
    return page.split('data-testid="consent-status"')[1].split("</span>")[0]


def test_a_setup_customer_who_agreed_has_a_date_and_a_channel(client, sandbox, learner):
    setup = [
        {
            "key": "web",
            "entity": "customer",
            "fields": {"first_name": "Amna", "email_consent": True},
        },
        {
            "key": "phone",
            "entity": "customer",
            "fields": {"first_name": "Bilal", "email_consent": True, "consent_channel": "phone"},
        },
        {"key": "none", "entity": "customer", "fields": {"first_name": "Cyrus"}},
    ]
    records = scenarios.inject(sandbox, setup, actor=learner)
    db.session.commit()
    web, phone, none = (db.session.get(Customer, records[k][1]) for k in ("web", "phone", "none"))
    assert (web.consent_at, web.consent_channel) == (sandbox.clock, "web")
    assert (phone.consent_at, phone.consent_channel) == (sandbox.clock, "phone")
    assert (none.email_consent, none.consent_at, none.consent_channel) == (False, None, "")
    assert "Agreed to marketing email on" in _consent_line(client, web.id)
    assert "Web" in _consent_line(client, web.id)
    assert "No consent on record" in _consent_line(client, none.id)


def _born_tomorrow(sandbox, consents: list[bool]) -> None:
    """Exactly these people (consent as given) have their birthday tomorrow."""
    tomorrow = (sandbox.clock + timedelta(days=1)).date()
    people = all_rows(Customer, sandbox, Customer.is_company.is_(False))
    for person in people:
        if person.birthday and (person.birthday.month, person.birthday.day) == (
            tomorrow.month,
            tomorrow.day,
        ):
            person.birthday = date(1980, 1, 1) if tomorrow.month != 1 else date(1980, 6, 1)
    for person, consent in zip(people, consents, strict=False):
        person.birthday = tomorrow.replace(year=1984)  # a leap year: 29 February exists
        person.email_consent = consent
    db.session.commit()


def test_moving_the_clock_says_how_many_were_held_back(client, sandbox):
    assert client.post("/sandbox/automations", data=BIRTHDAY).status_code == 302
    _born_tomorrow(sandbox, [True, False, False])
    response = client.post("/sandbox/clock", data={"days": "1"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "1 email went to the outbox." in text
    assert "2 were held back: no marketing consent." in text
    held = first(OutboxEmail, sandbox, OutboxEmail.skipped_reason != "")
    assert held is not None

    # Nothing held back: the message says only what was sent.
    response = client.post("/sandbox/clock", data={"days": "1"}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "went to the outbox" in text and "held back" not in text
