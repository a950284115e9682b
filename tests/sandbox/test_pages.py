"""Every sandbox page answers, runs a fixed number of queries, and shows the practice banner."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from sandbox.models import Customer, Lead, Opportunity, Ticket
from seed.sandbox import populate

PAGES = [
    "/sandbox/",
    "/sandbox/customers",
    "/sandbox/leads",
    "/sandbox/leads/new",
    "/sandbox/opportunities",
    "/sandbox/tickets",
    "/sandbox/tickets?show=all",
    "/sandbox/automations",
    "/sandbox/outbox",
    "/sandbox/reports",
]


@pytest.mark.parametrize("url", PAGES)
def test_page_answers_with_the_practice_banner(client, sandbox, url):
    response = client.get(url)
    assert response.status_code == 200
    assert 'data-testid="practice-banner"' in response.get_data(as_text=True)


def test_detail_pages_answer(client, sandbox):
    for model, url in (
        (Customer, "/sandbox/customers/{}"),
        (Lead, "/sandbox/leads/{}"),
        (Opportunity, "/sandbox/opportunities/{}"),
        (Ticket, "/sandbox/tickets/{}"),
    ):
        record_id = db.session.scalar(select(model.id).where(model.sandbox_id == sandbox.id))
        assert client.get(url.format(record_id)).status_code == 200


def test_first_visit_creates_a_full_sandbox(client, learner, app_ctx):
    assert client.get("/sandbox/").status_code == 200
    from sandbox.services import sandbox_of

    box = sandbox_of(learner)
    counts = {
        m.__name__: db.session.scalar(select(db.func.count(m.id)).where(m.sandbox_id == box.id))
        for m in (Customer, Lead, Opportunity, Ticket)
    }
    assert counts == {"Customer": 200, "Lead": 40, "Opportunity": 25, "Ticket": 30}


@pytest.mark.parametrize("url", PAGES + ["/sandbox/customers?q=a&tier=gold&open_ticket=1"])
def test_pages_run_the_same_number_of_queries_with_200_and_2000_customers(
    client, sandbox, count_queries, url
):
    client.get(url)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    populate(
        sandbox.id,
        99,
        sandbox.clock,
        "More",
        sizes={
            "customers": 1800,
            "purchases": 5400,
            "leads": 360,
            "opportunities": 225,
            "tickets": 270,
            "activities": 1350,
        },
    )
    db.session.commit()
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count, (small.statements, large.statements)


def test_lists_paginate(client, sandbox):
    page = client.get("/sandbox/customers").get_data(as_text=True)
    assert "200 customers" in page and 'class="pagination' in page
    assert client.get("/sandbox/customers?page=8").status_code == 200
