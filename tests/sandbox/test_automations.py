"""Automations and the simulated clock through HTTP: rules with merge fields and a
preview, emails that fire as the clock passes birthdays and anniversaries, the outbox."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from sandbox.models import (
    Automation,
    Customer,
    OutboxEmail,
    Product,
    SandboxEvent,
    Ticket,
)
from tests.sandbox.conftest import all_rows, bought, count, events, first, last_event

BIRTHDAY = {
    "name": "Birthday",
    "trigger": "birthday",
    "subject": "Happy birthday, {first_name}!",
    "body": "Dear {first_name}, best wishes from all of us.",
    "active": "y",
}


def _on(day: date, year: int) -> date:
    return (
        day.replace(year=year)
        if (day.month, day.day) != (2, 29)
        else day.replace(year=year, day=28)
    )


def _sent_to(sandbox, skipped: bool = False) -> list[int]:
    """Who the outbox's emails went to (or, `skipped`, were held back from)."""
    held = OutboxEmail.skipped_reason != ""
    return db.session.scalars(
        select(OutboxEmail.customer_id)
        .where(OutboxEmail.sandbox_id == sandbox.id, held if skipped else ~held)
        .order_by(OutboxEmail.id)
    ).all()


def _born_on(sandbox, day: date, consent: bool = True) -> list[int]:
    """Who has a birthday on `day` and has (or, consent False, has not) agreed to marketing."""
    return [
        c.id
        for c in db.session.scalars(select(Customer).where(Customer.sandbox_id == sandbox.id))
        if c.birthday
        and (c.birthday.month, c.birthday.day) == (day.month, day.day)
        and c.email_consent == consent
    ]


def test_birthday_automation_fills_the_outbox_as_the_clock_moves(client, sandbox):
    start = sandbox.clock
    customer = first(Customer, sandbox, Customer.is_company.is_(False))
    customer.birthday = _on((start + timedelta(days=3)).date(), 1990)
    customer.email_consent = True
    db.session.commit()
    assert client.post("/sandbox/automations", data=BIRTHDAY).status_code == 302

    client.post("/sandbox/clock", data={"days": "1"})
    assert sorted(_sent_to(sandbox)) == sorted(_born_on(sandbox, (start + timedelta(1)).date()))
    assert customer.id not in _sent_to(sandbox)  # not their day yet

    response = client.post("/sandbox/clock", data={"days": "7"}, follow_redirects=True)
    assert "emails went to the outbox" in response.text or "email went" in response.text
    email = first(OutboxEmail, sandbox, OutboxEmail.customer_id == customer.id)
    assert email.subject == f"Happy birthday, {customer.first_name}!"
    assert email.body.startswith(f"Dear {customer.first_name},")
    assert (email.to, email.trigger) == (customer.email, "birthday")
    assert email.sent_at == start + timedelta(days=3)  # on the day, sandbox time
    expected = []
    for offset in range(1, 9):
        expected += _born_on(sandbox, (start + timedelta(days=offset)).date())
    assert sorted(_sent_to(sandbox)) == sorted(expected)  # exactly once each, no one else
    assert client.get("/sandbox/outbox").text.count(f"Happy birthday, {customer.first_name}!") >= 1
    assert events(sandbox, "clock.") == ["clock.advanced", "clock.advanced"]
    assert last_event(sandbox, "clock.advanced").data == {"days": 7}
    db.session.refresh(sandbox)
    assert sandbox.clock == start + timedelta(days=8)


def test_purchase_anniversary_names_the_product_and_the_years(client, sandbox):
    start = sandbox.clock
    customer = first(Customer, sandbox, Customer.is_company.is_(False))
    customer.email_consent = True
    product = first(Product, sandbox)
    bought(sandbox, customer, product, _on((start + timedelta(days=1)).date(), start.year - 2))
    db.session.commit()
    client.post(
        "/sandbox/automations",
        data={
            "name": "Thank you",
            "trigger": "purchase_anniversary",
            "subject": "{years} years with your {product}",
            "body": "Thank you, {first_name}, from {company_name}.",
            "active": "y",
        },
    )
    client.post("/sandbox/clock", data={"days": "1"})
    email = first(OutboxEmail, sandbox, OutboxEmail.customer_id == customer.id)
    assert email.subject == f"2 years with your {product.name}"
    assert email.body == f"Thank you, {customer.first_name}, from Harbour Retail Systems."


def test_ticket_resolved_automation_sends_when_a_ticket_is_resolved(client, sandbox):
    rule = first(Automation, sandbox, Automation.trigger == "ticket_resolved")
    client.post(f"/sandbox/automations/{rule.id}/active", data={"active": "y"})
    ticket = first(Ticket, sandbox, Ticket.status == "new")
    client.post(f"/sandbox/tickets/{ticket.id}/resolve", data={"resolution_action": "Fixed it."})
    email = first(OutboxEmail, sandbox)
    assert (email.customer_id, email.trigger, email.automation_id) == (
        ticket.customer_id,
        "ticket_resolved",
        rule.id,
    )
    assert events(sandbox)[-2:] == ["ticket.resolved", "outbox.sent"]


def test_switched_off_rules_send_nothing(client, sandbox):
    client.post("/sandbox/automations", data={**BIRTHDAY, "active": ""})
    rule = first(Automation, sandbox, Automation.trigger == "birthday")
    assert rule.active is False
    for customer in db.session.scalars(select(Customer).where(Customer.sandbox_id == sandbox.id)):
        customer.birthday = _on((sandbox.clock + timedelta(days=1)).date(), 1985)
    db.session.commit()
    client.post("/sandbox/clock", data={"days": "1"})
    assert count(OutboxEmail, sandbox) == 0
    client.post(f"/sandbox/automations/{rule.id}/active", data={"active": "y"})
    db.session.refresh(rule)
    assert rule.active is True and last_event(sandbox, "automation.updated").data["active"]


def test_a_rule_can_be_edited(client, sandbox):
    client.post("/sandbox/automations", data=BIRTHDAY)
    rule = first(Automation, sandbox, Automation.trigger == "birthday")
    page = client.get(f"/sandbox/automations/{rule.id}").text
    assert "Happy birthday, {first_name}!" in page and "Happy birthday, Farah!" in page
    response = client.post(
        f"/sandbox/automations/{rule.id}", data={**BIRTHDAY, "subject": "Many happy returns"}
    )
    assert response.status_code == 302
    db.session.refresh(rule)
    assert rule.subject == "Many happy returns"
    assert events(sandbox, "automation.") == ["automation.created", "automation.updated"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"trigger": "moon"}, "Choose when the email is sent."),
        ({"name": ""}, "Name the automation."),
        ({"subject": ""}, "Write the email&#39;s subject."),
        ({"body": "Dear {frist_name}"}, "Unknown merge field: {frist_name}"),
        # A birthday has no ticket and no purchase to name.
        ({"body": "About {ticket_subject}"}, "{ticket_subject} cannot be filled in"),
        ({"subject": "Your {product}"}, "{product} cannot be filled in for this trigger"),
    ],
)
def test_automation_form_validates(client, sandbox, data, message):
    before = count(Automation, sandbox)
    response = client.post("/sandbox/automations", data={**BIRTHDAY, **data})
    assert response.status_code == 422
    assert message in response.text or message.replace("&#39;", "'") in response.text
    assert count(Automation, sandbox) == before


def test_preview_fills_the_merge_fields_with_sample_values(client, sandbox):
    preview = client.post(
        "/sandbox/automations/preview",
        data={"subject": "Hi {first_name}", "body": "Your {product}, {oops}"},
        headers={"HX-Request": "true"},
    )
    assert preview.status_code == 200
    assert "Hi Farah" in preview.text and "Receipt printer RP-80" in preview.text
    assert "Unknown merge field: {oops}" in preview.text


@pytest.mark.parametrize("days", ["0", "3", "-1", "x", ""])
def test_the_clock_moves_only_a_day_or_a_week(client, sandbox, days):
    start = sandbox.clock
    response = client.post("/sandbox/clock", data={"days": days}, follow_redirects=True)
    assert "The clock moves on by a day or a week." in response.text
    db.session.refresh(sandbox)
    assert sandbox.clock == start and "clock.advanced" not in events(sandbox)


def test_clock_returns_to_the_page_it_was_moved_from(client, sandbox):
    response = client.post("/sandbox/clock", data={"days": "1", "next": "/sandbox/tickets"})
    assert response.headers["Location"].endswith("/sandbox/tickets")
    response = client.post("/sandbox/clock", data={"days": "1", "next": "https://evil.test/"})
    assert response.headers["Location"].endswith("/sandbox/")


def test_outbox_searches_by_customer(client, sandbox):
    test_birthday_automation_fills_the_outbox_as_the_clock_moves(client, sandbox)
    customer = db.session.get(Customer, _sent_to(sandbox)[0])
    page = client.get(f"/sandbox/outbox?q={customer.last_name}", headers={"HX-Request": "true"})
    assert "<html" not in page.text and customer.email in page.text
    assert "0 emails" in client.get("/sandbox/outbox?q=nobody-at-all").text


def _two_born_tomorrow(sandbox) -> tuple[Customer, Customer]:
    """One person who agreed to marketing email and one who did not, born tomorrow."""
    agreed, refused = all_rows(Customer, sandbox, Customer.is_company.is_(False), limit=2)
    for person, consent in ((agreed, True), (refused, False)):
        person.birthday = _on((sandbox.clock + timedelta(days=1)).date(), 1980)
        person.email_consent = consent
    db.session.commit()
    return agreed, refused


def test_marketing_emails_skip_people_without_consent_and_the_outbox_says_why(client, sandbox):
    agreed, refused = _two_born_tomorrow(sandbox)
    tomorrow = sandbox.today + timedelta(days=1)
    client.post("/sandbox/automations", data=BIRTHDAY)
    response = client.post("/sandbox/clock", data={"days": "1"}, follow_redirects=True)
    sent, skipped = _born_on(sandbox, tomorrow), _born_on(sandbox, tomorrow, consent=False)
    assert agreed.id in sent and refused.id in skipped
    assert sorted(_sent_to(sandbox)) == sorted(sent)
    assert sorted(_sent_to(sandbox, skipped=True)) == sorted(skipped)
    assert f"{len(sent)} email" in response.text  # held back ones are not counted as sent

    held = first(OutboxEmail, sandbox, OutboxEmail.customer_id == refused.id)
    assert held.skipped_reason == "no_marketing_consent"
    assert held.subject == f"Happy birthday, {refused.first_name}!"  # what it would have said
    event = first(SandboxEvent, sandbox, SandboxEvent.verb == "outbox.skipped")
    assert event.entity_id == held.id
    assert event.data["reason"] == "no_marketing_consent"
    assert event.data["customer"] == skipped[0] and event.data["trigger"] == "birthday"
    assert events(sandbox, "outbox.").count("outbox.sent") == len(sent)

    page = client.get(f"/sandbox/outbox?q={refused.last_name}").text
    card = page[page.index(f'data-outbox="{held.id}"') :].split("</details>")[0]
    assert 'data-skipped="no_marketing_consent"' in card
    assert "Not sent: no marketing consent" in card
    mail = first(OutboxEmail, sandbox, OutboxEmail.customer_id == agreed.id)
    page = client.get(f"/sandbox/outbox?q={agreed.last_name}").text
    card = page[page.index(f'data-outbox="{mail.id}"') :].split("</details>")[0]
    assert mail.skipped_reason == "" and "data-skipped" not in card and "Not sent" not in card
    home = client.get("/sandbox/").text
    assert f'data-count="outbox">{len(sent)}<' in home


def test_a_purchase_anniversary_is_marketing_too(client, sandbox):
    agreed, refused = _two_born_tomorrow(sandbox)
    product = first(Product, sandbox)
    day = _on((sandbox.clock + timedelta(days=1)).date(), sandbox.clock.year - 1)
    for person in (agreed, refused):
        person.birthday = None
        bought(sandbox, person, product, day)
    db.session.commit()
    client.post(
        "/sandbox/automations",
        data={**BIRTHDAY, "trigger": "purchase_anniversary", "subject": "Your {product}"},
    )
    client.post("/sandbox/clock", data={"days": "1"})
    assert agreed.id in _sent_to(sandbox) and refused.id not in _sent_to(sandbox)
    assert refused.id in _sent_to(sandbox, skipped=True)


def test_a_ticket_resolved_email_is_service_and_needs_no_consent(client, sandbox):
    rule = first(Automation, sandbox, Automation.trigger == "ticket_resolved")
    client.post(f"/sandbox/automations/{rule.id}/active", data={"active": "y"})
    ticket = first(Ticket, sandbox, Ticket.status == "new")
    customer = db.session.get(Customer, ticket.customer_id)
    customer.email_consent = False
    db.session.commit()
    client.post(f"/sandbox/tickets/{ticket.id}/resolve", data={"resolution_action": "Fixed it."})
    assert _sent_to(sandbox) == [customer.id] and _sent_to(sandbox, skipped=True) == []


def test_which_triggers_are_marketing_is_decided_once():
    from sandbox.codes import MARKETING_TRIGGERS, SKIP_REASONS, TRIGGERS
    from sandbox.views.automations import SKIP_LABELS

    assert set(MARKETING_TRIGGERS) == {"birthday", "purchase_anniversary"} < set(TRIGGERS)
    assert set(SKIP_LABELS) == set(SKIP_REASONS)
