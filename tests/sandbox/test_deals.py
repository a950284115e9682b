"""Editing a deal through HTTP: its fields, the rules on each, the events, the stage history."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from markupsafe import escape

from portal.extensions import db
from sandbox.models import Colleague, Customer, Opportunity
from tests.sandbox.conftest import add_company, add_person, count, events, first, last_event

HTMX = {"HX-Request": "true"}


@pytest.fixture
def deal(sandbox) -> Opportunity:
    """An open deal at a company account with two people working there."""
    company = add_company(sandbox, "Acme Ltd")
    for first_name in ("Ayesha", "Bilal"):
        add_person(sandbox, first_name, "Khan", company="Acme Ltd", company_id=company.id)
    found = first(Opportunity, sandbox, Opportunity.stage.not_like("closed%"))
    found.customer_id, found.contact_id, found.stage = company.id, None, "qualification"
    found.close_date = sandbox.today + timedelta(days=30)
    db.session.commit()
    return found


def _people(sandbox, deal) -> list[Customer]:
    return db.session.scalars(
        db.select(Customer)
        .where(Customer.sandbox_id == sandbox.id, Customer.company_id == deal.customer_id)
        .order_by(Customer.first_name)
    ).all()


def _colleague(sandbox, role: str, learner: bool = False) -> Colleague:
    return first(Colleague, sandbox, Colleague.role == role, Colleague.is_learner.is_(learner))


def _form(sandbox, deal, **changes) -> dict:
    data = {
        "name": deal.name,
        "amount": str(deal.amount),
        "close_date": deal.close_date.isoformat() if deal.close_date else "",
        "owner_id": str(deal.owner_id or _colleague(sandbox, "sales", True).id),
        "contact_id": str(deal.contact_id or ""),
        "next_step": deal.next_step,
    }
    data.update(changes)
    return data


def test_the_deal_page_offers_the_edit_form_with_salespeople_and_the_accounts_people(
    client, sandbox, deal
):
    page = client.get(f"/sandbox/opportunities/{deal.id}").text
    form = page[page.index('data-testid="deal-form"') :]
    form = form[: form.index("</form>")]
    for person in _people(sandbox, deal):
        assert f'value="{person.id}">{person.name}' in form
    service = _colleague(sandbox, "service")
    assert f'value="{service.id}"' not in form[form.index('name="owner_id"') :]


def test_editing_every_field_saves_and_logs_the_changed_fields(client, sandbox, deal):
    owner = first(Colleague, sandbox, Colleague.role == "sales", Colleague.id != deal.owner_id)
    contact = _people(sandbox, deal)[1]
    close = sandbox.today + timedelta(days=10)
    response = client.post(
        f"/sandbox/opportunities/{deal.id}/edit",
        data=_form(
            sandbox,
            deal,
            name="Acme fleet renewal",
            amount="125000.50",
            close_date=close.isoformat(),
            owner_id=str(owner.id),
            contact_id=str(contact.id),
            next_step="Send the revised quote on Monday",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(deal)
    assert (deal.name, deal.amount, deal.close_date, deal.owner_id, deal.contact_id) == (
        "Acme fleet renewal",
        Decimal("125000.50"),
        close,
        owner.id,
        contact.id,
    )
    assert deal.next_step == "Send the revised quote on Monday"
    event = last_event(sandbox, "opportunity.updated")
    assert event.entity_id == deal.id
    assert event.data["fields"] == [
        "amount",
        "close_date",
        "contact_id",
        "name",
        "next_step",
        "owner_id",
    ]
    page = client.get(f"/sandbox/opportunities/{deal.id}").text
    assert "Send the revised quote on Monday" in page and "$125,000.50" in page
    history = page[page.index('data-testid="stage-history"') :]
    assert "Edited: Amount, Close date, Contact, Name, Next step, Owner" in history


def test_saving_without_a_change_logs_nothing(client, sandbox, deal):
    before = count_updates = len(events(sandbox, "opportunity.updated"))
    response = client.post(f"/sandbox/opportunities/{deal.id}/edit", data=_form(sandbox, deal))
    assert response.status_code == 302
    assert len(events(sandbox, "opportunity.updated")) == before == count_updates


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Name the opportunity."),
        ({"amount": "-5"}, "amount", "The amount cannot be negative."),
        ({"amount": "abc"}, "amount", "Not a valid decimal value."),
        ({"amount": ""}, "amount", "Enter the amount, 0 or more."),
        ({"amount": "99999999999"}, "amount", "That amount is too large."),
        ({"close_date": "PAST"}, "close_date", "cannot be expected to close in the past"),
        ({"close_date": "FAR"}, "close_date", "Choose a date within the next five years."),
        ({"close_date": "31/02/2026"}, "close_date", "Not a valid date value."),
        ({"owner_id": "SERVICE"}, "owner_id", "Choose a salesperson of the company"),
        ({"owner_id": "999999"}, "owner_id", "Choose a salesperson of the company"),
        ({"owner_id": "x"}, "owner_id", "Choose a salesperson of the company"),
        ({"contact_id": "OTHER"}, "contact_id", "Choose a person at the deal's customer."),
        ({"contact_id": "999999999999"}, "contact_id", "Choose a person at the deal's customer."),
        ({"next_step": "x" * 256}, "next_step", "Field cannot be longer than 255 characters."),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_is_saved(
    client, sandbox, deal, changes, field, message
):
    special = {
        "PAST": (sandbox.today - timedelta(days=1)).isoformat(),
        "FAR": (sandbox.today + timedelta(days=6 * 366)).isoformat(),
        "SERVICE": str(_colleague(sandbox, "service").id),
        "OTHER": str(
            first(
                Customer, sandbox, Customer.is_company.is_(False), Customer.company_id.is_(None)
            ).id
        ),
    }
    changes = {k: special.get(v, v) for k, v in changes.items()}
    before = (deal.name, deal.amount, deal.close_date, deal.owner_id, deal.next_step)
    updates = len(events(sandbox, "opportunity.updated"))
    response = client.post(
        f"/sandbox/opportunities/{deal.id}/edit",
        data=_form(sandbox, deal, **{"next_step": "changed too", **changes}),
    )
    assert response.status_code == 422
    form = response.text[response.text.index('data-testid="deal-form"') :]
    form = form[: form.index("</form>")]
    block = form[form.index(f'for="{field}"') :]  # from the field's label to the next field
    block = block[: block.index('class="mb-3"')] if 'class="mb-3"' in block else block
    assert "is-invalid" in block and str(escape(message)) in block
    db.session.expire_all()
    deal = db.session.get(Opportunity, deal.id)
    assert (deal.name, deal.amount, deal.close_date, deal.owner_id, deal.next_step) == before
    assert len(events(sandbox, "opportunity.updated")) == updates


def test_an_old_close_date_may_stay_while_other_fields_change(client, sandbox, deal):
    deal.close_date = sandbox.today - timedelta(days=40)
    db.session.commit()
    response = client.post(
        f"/sandbox/opportunities/{deal.id}/edit", data=_form(sandbox, deal, next_step="Call")
    )
    assert response.status_code == 302
    db.session.refresh(deal)
    assert deal.next_step == "Call"


def test_the_person_who_is_the_account_may_be_the_contact(client, sandbox, deal):
    person = first(Customer, sandbox, Customer.is_company.is_(False), Customer.company_id.is_(None))
    deal.customer_id = person.id
    db.session.commit()
    response = client.post(
        f"/sandbox/opportunities/{deal.id}/edit",
        data=_form(sandbox, deal, contact_id=str(person.id)),
    )
    assert response.status_code == 302
    db.session.refresh(deal)
    assert deal.contact_id == person.id


def test_a_closed_deal_cannot_be_edited(client, sandbox, deal):
    url = f"/sandbox/opportunities/{deal.id}"
    closing = {"stage": "closed_lost", "reason": "Budget cut"}
    assert client.post(f"{url}/stage", data=closing).status_code == 302
    response = client.post(f"{url}/edit", data=_form(sandbox, deal, next_step="Try again"))
    assert response.status_code == 422 and "This deal is closed." in response.text
    db.session.refresh(deal)
    assert deal.next_step != "Try again"
    assert 'data-testid="deal-form"' not in client.get(url).text


def test_another_sandboxs_deal_is_not_found(client, sandbox, deal, make):
    other = make.user(roles=("learner",))
    client.post("/logout")
    client.login(other)
    response = client.post(f"/sandbox/opportunities/{deal.id}/edit", data={"name": "Mine"})
    assert response.status_code == 404


def test_closing_lost_and_won_needs_a_reason_and_shows_in_the_stage_history(
    client, sandbox, deal, learner
):
    url = f"/sandbox/opportunities/{deal.id}"
    assert client.post(f"{url}/stage", data={"stage": "proposal"}).status_code == 302
    response = client.post(f"{url}/stage", data={"stage": "closed_lost", "reason": " "})
    assert response.status_code == 422 and "Say why the deal was won or lost." in response.text
    response = client.post(
        f"{url}/stage", data={"stage": "closed_lost", "reason": "Went with a competitor"}
    )
    assert response.status_code == 302
    db.session.refresh(deal)
    assert (deal.stage, deal.closed_reason, deal.closed_on) == (
        "closed_lost",
        "Went with a competitor",
        sandbox.today,
    )
    page = client.get(url).text
    history = page[page.index('data-testid="stage-history"') :]
    history = history[: history.index("</table>")]
    rows = history.split('<tr data-verb="opportunity.stage_changed">')[1:]
    assert len(rows) == 2  # newest first
    assert "Closed Lost" in rows[0] and "Moved from Proposal" in rows[0] and "0%" in rows[0]
    assert "Proposal" in rows[1] and "Moved from Qualification" in rows[1]
    amount, chance = deal.amount, 50  # Proposal's probability in the EspoCRM profile
    assert f"<bdi>${amount * chance / 100:,.2f}</bdi>" in rows[1]  # expected revenue
    assert learner.name in rows[0]
    assert "Went with a competitor" in page
    assert count(Opportunity, sandbox, Opportunity.id == deal.id) == 1


def test_a_refused_board_move_keeps_the_card_and_says_why(client, sandbox, deal):
    response = client.post(
        f"/sandbox/opportunities/{deal.id}/stage",
        data={"stage": "closed_lost", "from_board": "1"},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert 'role="alert">Say why the deal was won or lost.' in response.text
    column = response.text[response.text.index('data-stage="qualification"') :]
    assert f'data-opportunity="{deal.id}"' in column[: column.index("</section>")]


@pytest.mark.parametrize(("locale", "grouped"), [("en", "123,456.00"), ("hi", "1,23,456.00")])
def test_every_amount_on_deal_pages_is_in_the_configured_currency(
    app, monkeypatch, client, sandbox, deal, locale, grouped
):
    """The board, a deal (its history too) and the reports: PKR, grouped as the locale does."""
    monkeypatch.setitem(app.config, "CURRENCY", "PKR")
    client.post("/language", data={"locale": locale})
    client.post(
        f"/sandbox/opportunities/{deal.id}/edit", data=_form(sandbox, deal, amount="123456")
    )
    client.post(f"/sandbox/opportunities/{deal.id}/stage", data={"stage": "proposal"})
    for url in ("/sandbox/opportunities", f"/sandbox/opportunities/{deal.id}", "/sandbox/reports"):
        page = client.get(url).text
        amounts = re.findall(r"<bdi>([^<]*\d[^<]*)</bdi>", page)
        assert amounts and all(a.startswith("PKR") for a in amounts), (url, amounts)
        assert "$" not in page.split("<main", 1)[-1], url
    page = client.get(f"/sandbox/opportunities/{deal.id}").text
    assert f"<bdi>PKR{grouped}</bdi>" in page  # Babel writes PKR with no space in en and hi
