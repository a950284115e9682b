"""Free text in the sandbox has a limit in the form and in its column; an automation's
email, whose merge fields can make it longer than its template, is cut to fit."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from sandbox.models import OUTBOX_LIMIT, TEXT_LIMIT, Customer, Lead, OutboxEmail
from tests.sandbox.conftest import count, first


def test_a_birthday_email_longer_than_its_column_is_cut_to_fit(client, sandbox):
    customer = first(Customer, sandbox, Customer.is_company.is_(False))
    customer.first_name = "N" * 80
    customer.birthday = (sandbox.clock + timedelta(days=1)).date().replace(year=1990)
    db.session.commit()
    template = "{first_name} " * (TEXT_LIMIT // 13)  # 13 characters each, within the form
    rule = {"name": "Long", "trigger": "birthday", "subject": "Hi", "body": template, "active": "y"}
    assert client.post("/sandbox/automations", data=rule).status_code == 302

    assert client.post("/sandbox/clock", data={"days": "1"}).status_code == 302

    email = first(OutboxEmail, sandbox, OutboxEmail.customer_id == customer.id)
    assert len(email.body) == OUTBOX_LIMIT  # 81 characters a field would make 31,000+
    assert email.body.startswith("N" * 80 + " ")


def test_a_description_over_the_limit_is_refused_at_the_field(client, sandbox):
    before = count(Lead, sandbox)
    response = client.post(
        "/sandbox/leads/new",
        data={
            "first_name": "Asha",
            "status": "new",
            "source": "other",
            "description": "d" * (TEXT_LIMIT + 1),
        },
    )
    assert response.status_code == 422
    assert "5000" in response.text or "5,000" in response.text
    assert count(Lead, sandbox) == before


def test_the_column_holds_the_same_limit_as_the_form():
    for model, column in ((Lead, "description"), (OutboxEmail, "body")):
        length = model.__table__.c[column].type.length
        assert length == (OUTBOX_LIMIT if model is OutboxEmail else TEXT_LIMIT)
