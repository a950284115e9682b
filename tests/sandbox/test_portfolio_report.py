"""The customer portfolio report: the most valuable customers by lifetime value, each
with its open tickets, ranked as the answer checks' computations rank them."""

from __future__ import annotations

from portal.extensions import db
from sandbox import computations
from sandbox.reports import customer_portfolio
from sandbox.scenarios import inject


def _account(key: str, company: str) -> dict:
    return {"key": key, "entity": "customer", "fields": {"is_company": True, "company": company}}


def _bought(key: str, customer: str, quantity: int) -> dict:
    fields = {"customer": {"setup": customer}, "product": "Point-of-sale terminal"}
    return {"key": key, "entity": "purchase", "fields": {**fields, "quantity": quantity}}


def _ticket(key: str, customer: str, status: str) -> dict:
    fields = {"customer": {"setup": customer}, "subject": key, "status": status}
    return {"key": key, "entity": "ticket", "fields": {**fields, "category": "technical"}}


SETUP = [
    _account("crescent", "Crescent Supermarkets"),
    _account("greenleaf", "Greenleaf Pharmacies"),
    _account("metro", "Metro Mart"),
    _bought("p1", "crescent", 100),
    _bought("p2", "greenleaf", 80),
    _bought("p3", "greenleaf", 5),
    _bought("p4", "metro", 60),
    _ticket("t1", "greenleaf", "new"),
    _ticket("t2", "greenleaf", "assigned"),
    _ticket("t3", "greenleaf", "closed"),
    _ticket("t4", "metro", "pending"),
]


def test_the_portfolio_ranks_by_lifetime_value_and_flags_open_tickets(client, sandbox):
    records = inject(sandbox, SETUP)
    db.session.commit()
    rows = customer_portfolio(sandbox)
    names = [row.customer.company for row in rows[:3]]
    assert names == ["Crescent Supermarkets", "Greenleaf Pharmacies", "Metro Mart"]
    assert [row.open_tickets for row in rows[:3]] == [0, 2, 1]
    assert rows[1].purchases == 2 and rows[1].lifetime_value > rows[2].lifetime_value
    top = computations.compute("customers.top_by_value", sandbox, {"rank": 1})
    assert top == records["crescent"][1]
    greenleaf = {"customer": records["greenleaf"][1]}
    assert computations.compute("tickets.open_count", sandbox, greenleaf) == 2
    page = client.get("/sandbox/reports").get_data(as_text=True)
    portfolio = page[page.index('data-testid="portfolio"') :]
    assert portfolio.index("Crescent Supermarkets") < portfolio.index("Greenleaf Pharmacies")
    row = portfolio[portfolio.index(f'data-customer="{records["greenleaf"][1]}"') :]
    assert row.split("</tr>", 1)[0].count('data-testid="at-risk"') == 1
