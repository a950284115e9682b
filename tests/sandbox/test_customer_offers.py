"""A customer's preferences decide the offers on their page: naming a product group
("software") brings up that group's products."""

from __future__ import annotations

from portal.extensions import db
from sandbox.models import Customer, Product
from sandbox.queries import interests_of
from tests.sandbox.test_customers import PERSON, _created

CATALOGUE = [  # beside the sandbox's own catalogue, whose groups are capitalised
    ("Till software suite", "software", 5),
    ("Card reader stand", "hardware", 7),
]


def _offers(page: str) -> list[str]:
    section = page[page.index('data-testid="offers"') :].split("</div></div>", 1)[0]
    return [part.split('"', 1)[0] for part in section.split('data-offer="')[1:]]


def test_naming_a_product_group_changes_the_offers(client, sandbox):
    for name, category, price in CATALOGUE:
        db.session.add(Product(sandbox_id=sandbox.id, name=name, category=category, price=price))
    db.session.commit()
    customer = _created(client, sandbox, {**PERSON, "preferences": "Coffee accessories"})
    page = client.get(f"/sandbox/customers/{customer.id}").get_data(as_text=True)
    assert _offers(page) == [] and "No offers yet" in page
    edited = client.post(
        f"/sandbox/customers/{customer.id}/edit",
        data={**PERSON, "preferences": "Coffee accessories, Software for an online shop"},
    )
    assert edited.status_code == 302
    page = client.get(f"/sandbox/customers/{customer.id}").get_data(as_text=True)
    assert _offers(page)[0] == "Till software suite"
    assert "Online shop add-on" in _offers(page) and "Card reader stand" not in _offers(page)


def test_interests_are_the_groups_the_preferences_name():
    customer = Customer(first_name="A", preferences="Hardware; SERVICE plans")
    assert interests_of(customer) == ["hardware", "service"]
