"""What a learner types comes back on the list pages as text, never as markup: the customer
list's and the ticket queue's rows are made whole in Python (sandbox.rows), each value
escaped where it is put in, so a value missed there would reach the browser as HTML."""

from __future__ import annotations

from portal.extensions import db
from sandbox.models import Customer, Purchase, Ticket
from tests.sandbox.conftest import add_company, add_person, first, newest

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
QUOTE = 'Q"uote'  # an attribute would end at the quote


def _shown_as_text(page: str) -> None:
    assert HOSTILE not in page
    assert ESCAPED in page
    assert QUOTE not in page


def test_customer_rows_escape_every_typed_value(client, sandbox):
    account = add_company(sandbox, f"{HOSTILE} Ltd {QUOTE}", city=f"{HOSTILE}")
    add_person(
        sandbox,
        f"{HOSTILE} {QUOTE}",
        "Khan",
        email="khan@example.com",
        title=f"{HOSTILE} lead",
        company=account.company,
        company_id=account.id,
        loyalty_card="LC-1",
    )
    db.session.commit()

    page = client.get("/sandbox/customers?q=onerror").get_data(as_text=True)

    _shown_as_text(page)
    assert page.count("data-customer=") == 2  # the account and the person at it


def test_ticket_rows_escape_the_subject_and_the_customers_name(client, sandbox):
    purchase = first(Purchase, sandbox)
    customer = db.session.get(Customer, purchase.customer_id)
    customer.last_name = f"{HOSTILE} {QUOTE}"
    db.session.commit()
    answer = client.post(
        "/sandbox/tickets/new",
        data={
            "customer_id": str(purchase.customer_id),
            "purchase_id": str(purchase.id),
            "channel": "phone",
            "subject": f"{HOSTILE} broke {QUOTE}",
            "category": "defect",
            "priority": "high",
            "description": "It will not start.",
        },
    )
    assert answer.status_code == 302

    page = client.get("/sandbox/tickets?show=all&q=onerror").get_data(as_text=True)

    _shown_as_text(page)
    ticket = newest(Ticket, sandbox)
    assert f'data-ticket="{ticket.id}"' in page
