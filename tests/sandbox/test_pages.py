"""Every sandbox page answers, shows the practice banner, paginates its lists, and runs the
same number of SQL statements with 200 customers as with 2,000."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

from portal.extensions import db
from sandbox import profiles
from sandbox.fill import STANDARD, populate
from sandbox.models import (
    Activity,
    Automation,
    Colleague,
    Customer,
    Lead,
    Opportunity,
    Ticket,
)
from sandbox.remembered import SavedFilter
from sandbox.services import get_or_create_sandbox, sandbox_of
from tests.sandbox.conftest import count, first

LISTS = [
    "/sandbox/",
    "/sandbox/customers",
    "/sandbox/customers?q=a&tier=gold&open_ticket=1&page=2",
    "/sandbox/customers/new",
    "/sandbox/customers/new?kind=company",
    "/sandbox/leads",
    "/sandbox/leads?status=new&source=web_site&q=e",
    "/sandbox/leads/new",
    "/sandbox/opportunities",
    "/sandbox/tickets",
    "/sandbox/tickets?show=all&category=defect",
    "/sandbox/tickets?show=mine",
    "/sandbox/tickets?status=pending&assignee=me&priority=high&opened_from=2020-01-01",
    "/sandbox/leads?owner=me&open=1&created_from=2020-01-01&created_to=2030-12-31",
    "/sandbox/customers?owner=me&since_from=2020-01-01&since_to=2030-12-31",
    "/sandbox/automations",
    "/sandbox/outbox",
    "/sandbox/reports",
]
# (model, URL) of the pages about one record
DETAILS = [
    (Customer, "/sandbox/customers/{}"),
    (Lead, "/sandbox/leads/{}"),
    (Lead, "/sandbox/leads/{}/edit"),
    (Opportunity, "/sandbox/opportunities/{}"),
    (Ticket, "/sandbox/tickets/{}"),
    (Automation, "/sandbox/automations/{}"),
]


# The customer page's variants: a company account, a person at one, a person on their own.
CUSTOMER_KINDS = [
    Customer.is_company.is_(True),
    Customer.company_id.is_not(None),
    Customer.is_company.is_(False) & Customer.company_id.is_(None),
]
CUSTOMER_PAGES = ["/sandbox/customers/{}", "/sandbox/customers/{}/edit"]


def _detail_urls(sandbox) -> list[str]:
    urls = [url.format(first(model, sandbox).id) for model, url in DETAILS]
    for kind in CUSTOMER_KINDS:
        urls += [url.format(first(Customer, sandbox, kind).id) for url in CUSTOMER_PAGES]
    company = first(Customer, sandbox, CUSTOMER_KINDS[0])
    return [*urls, f"/sandbox/customers/new?company={company.id}"]


@pytest.mark.parametrize("url", LISTS)
def test_page_answers_with_the_practice_banner(client, sandbox, url):
    response = client.get(url)
    assert response.status_code == 200
    page = response.text
    assert 'data-testid="practice-banner"' in page and 'data-testid="sandbox-clock"' in page


def test_detail_pages_answer_with_the_banner(client, sandbox):
    for url in _detail_urls(sandbox):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'data-testid="practice-banner"' in response.text


def test_first_visit_creates_a_full_sandbox_once(client, learner, app_ctx):
    assert sandbox_of(learner) is None
    assert client.get("/sandbox/customers").status_code == 200
    box = sandbox_of(learner)
    people = count(Customer, box, Customer.is_company.is_(False))
    assert people == STANDARD["customers"]
    assert client.get("/sandbox/").status_code == 200
    assert get_or_create_sandbox(learner).id == box.id
    assert count(Customer, box, Customer.is_company.is_(False)) == people


def test_other_roles_are_refused_and_anonymous_sent_to_sign_in(client, make):
    assert client.get("/sandbox/").status_code == 302
    client.login(make.user(roles=("executive",)))
    assert client.get("/sandbox/").status_code == 403
    assert client.get("/sandbox/customers").status_code == 403


def test_trainers_practise_too(client, make, app_ctx):
    client.login(make.user(roles=("trainer",)))
    assert client.get("/sandbox/tickets").status_code == 200


def _grow(sandbox, factor: int = 9) -> None:
    """Nine more standard sandboxes' worth of data into this one: 2,000 customers."""
    populate(sandbox.id, 99, sandbox.clock, "More", {k: v * factor for k, v in STANDARD.items()})
    db.session.commit()


def test_pages_run_the_same_number_of_queries_with_200_and_2000_customers(
    client, sandbox, count_queries
):
    urls = LISTS + _detail_urls(sandbox)
    small = {}
    for url in urls:
        client.get(url)  # warm caches (translations, templates)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        small[url] = counter.count
    _grow(sandbox)
    assert count(Customer, sandbox, Customer.is_company.is_(False)) == 2000
    db.session.execute(delete(SavedFilter))  # each list opens as it did the first time
    db.session.commit()
    for url in urls:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        assert counter.count == small[url], (url, small[url], counter.statements)


def test_lists_paginate(client, sandbox):
    page = client.get("/sandbox/customers?kind=people").text
    assert "200 customers" in page and 'class="pagination' in page
    assert page.count("data-customer=") == 25
    assert client.get("/sandbox/customers?kind=people&page=8").text.count("data-customer=") == 25
    beyond = client.get("/sandbox/customers?kind=people&page=9").text
    assert beyond.count("data-customer=") == 0 and "No customer matches." in beyond
    assert client.get("/sandbox/customers?page=nonsense").status_code == 200


def test_the_list_shows_people_and_companies_and_filters_each(client, sandbox, app_ctx):
    companies = count(Customer, sandbox, Customer.is_company.is_(True))
    assert f"{companies + 200} customers" in client.get("/sandbox/customers").text
    listed = client.get("/sandbox/customers?kind=companies").text
    assert f"{companies} customers" in listed and listed.count(">Company</span>") == min(
        25, companies
    )
    worker = first(Customer, sandbox, Customer.company_id.is_not(None))
    row = client.get(f"/sandbox/customers?q={worker.email}").text
    assert f'href="/sandbox/customers/{worker.company_id}"' in row


def test_live_search_answers_with_the_rows_only(client, sandbox):
    customer = first(Customer, sandbox, Customer.is_company.is_(False))
    response = client.get(
        f"/sandbox/customers?q={customer.loyalty_card}", headers={"HX-Request": "true"}
    )
    assert "<html" not in response.text and "1 customer" in response.text
    assert "HX-Request" in response.headers["Vary"]
    page = client.get(f"/sandbox/customers?q={customer.last_name.upper()}").text
    assert customer.email in page


def test_customer_filters(client, sandbox):
    customer = first(Customer, sandbox, Customer.is_company.is_(False))
    in_city = count(Customer, sandbox, Customer.city == customer.city)
    assert f"{in_city} customer" in client.get(f"/sandbox/customers?city={customer.city}").text
    with_open = db.session.scalars(
        select(Ticket.customer_id).where(
            Ticket.sandbox_id == sandbox.id, Ticket.status.in_(("new", "assigned", "pending"))
        )
    ).all()
    page = client.get("/sandbox/customers?open_ticket=1").text
    assert f"{len(set(with_open))} customer" in page


def test_customer_profile_shows_history_value_tickets_deals_and_timeline(client, sandbox):
    ticket = first(Ticket, sandbox, Ticket.status == "new")
    customer = db.session.get(Customer, ticket.customer_id)
    page = client.get(f"/sandbox/customers/{customer.id}").text
    assert ticket.subject in page and 'data-testid="purchases"' in page
    assert customer.loyalty_card in page and 'data-testid="lifetime-value"' in page
    notes = count(
        Activity, sandbox, Activity.parent_type == "customer", Activity.parent_id == customer.id
    )
    on_tickets = count(
        Activity,
        sandbox,
        Activity.parent_type == "ticket",
        Activity.parent_id.in_(select(Ticket.id).where(Ticket.customer_id == customer.id)),
    )
    on_deals = count(
        Activity,
        sandbox,
        Activity.parent_type == "opportunity",
        Activity.parent_id.in_(
            select(Opportunity.id).where(Opportunity.customer_id == customer.id)
        ),
    )
    on_lead = count(
        Activity,
        sandbox,
        Activity.parent_type == "lead",
        Activity.parent_id == (customer.lead_id or 0),
    )
    elsewhere = on_tickets + on_deals + on_lead
    assert page.count("data-activity=") == notes + elsewhere
    assert page.count('data-testid="activity-source"') == elsewhere

    # Answering the customer's ticket shows on the customer's timeline, linked to the ticket.
    response = client.post(f"/sandbox/tickets/{ticket.id}/respond", data={"message": "On it."})
    assert response.status_code == 302
    page = client.get(f"/sandbox/customers/{customer.id}").text
    assert page.count("data-activity=") == notes + elsewhere + 1
    assert f'href="/sandbox/tickets/{ticket.id}">{ticket.subject}</a>' in page


def test_home_shows_counts_overdue_tickets_and_the_clock_buttons(client, sandbox):
    page = client.get("/sandbox/").text
    assert f'data-count="customers">{count(Customer, sandbox)}<' in page
    assert 'data-testid="overdue"' in page and 'data-sla="overdue"' in page
    assert "+1 day" in page and "+1 week" in page and 'id="reset-dialog"' in page


def test_labels_are_translated_and_can_be_renamed_per_organisation(client, sandbox, app):
    lead = first(Lead, sandbox, Lead.status == "in_process")
    lead = lead or first(Lead, sandbox)
    lead.status = "in_process"
    db.session.commit()
    assert "In Process" in client.get(f"/sandbox/leads/{lead.id}").text
    before = app.extensions["crm_profile"]
    renamed = {"labels": {"lead_status": {"in_process": "Working on it"}}}
    app.extensions["crm_profile"] = profiles.load("espocrm", renamed)
    try:
        assert "Working on it" in client.get(f"/sandbox/leads/{lead.id}").text
    finally:
        app.extensions["crm_profile"] = before


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("espocrm", ("Accounts", "Leads", "Opportunities", "Cases")),
        ("hubspot", ("Companies", "Leads", "Deals", "Tickets")),
        ("odoo", ("Customers", "Leads", "Opportunities", "Tickets")),
    ],
)
def test_navigation_and_headings_use_the_crms_own_words(client, sandbox, app, key, words):
    before = app.extensions["crm_profile"]
    app.extensions["crm_profile"] = profiles.load(key)
    try:
        home = client.get("/sandbox/").text
        nav = home[home.index('aria-label="Sandbox"') :]
        for word in words:
            assert f"</i> {word}</a>" in nav
        assert f'<h1 class="h3">{words[0]}</h1>' in client.get("/sandbox/customers").text
        tickets = client.get("/sandbox/tickets").text
        assert f">{words[3]}</h1>" in tickets
    finally:
        app.extensions["crm_profile"] = before


def test_an_organisation_may_call_its_records_its_own_words(app):
    profile = profiles.load("salesforce", {"entities": {"customer": ["Client", "Clients"]}})
    assert profile.entity_label("customer", plural=True) == "Clients"
    assert profile.entity_label("ticket") == "Case"
    with pytest.raises(profiles.ProfileError, match="labels.stage: unknown code"):
        profiles.load("espocrm", {"labels": {"stage": {"nonsense": "X"}}})
    with pytest.raises(profiles.ProfileError, match="entities"):
        profiles.load("espocrm", {"entities": {"customer": "Client"}})


def _row(page: str, marker: str) -> str:
    row = page[page.index(marker) :]
    return row[: row.index("</tr>")]


def test_a_resolved_ticket_shows_one_status_everywhere(client, sandbox):
    ticket = first(Ticket, sandbox, Ticket.status == "new")
    url = f"/sandbox/tickets/{ticket.id}"
    me = first(Colleague, sandbox, Colleague.is_learner.is_(True))
    client.post(f"{url}/assign", data={"assignee": me.id})
    client.post(f"{url}/respond", data={"message": "Looking into it."})
    client.post(f"{url}/resolve", data={"resolution_action": "Refunded the second charge."})
    db.session.refresh(ticket)
    assert ticket.status == "assigned" and ticket.resolved_at is not None

    detail = client.get(url).text
    status = detail[detail.index('data-testid="ticket-status"') :].split("</span>")[0]
    assert status.endswith(">Resolved, awaiting close")
    assert "Assigned" not in detail.split('data-testid="sla"')[0].split("<h1")[1]
    row = _row(client.get("/sandbox/tickets").text, f'data-ticket="{ticket.id}"')
    assert "Resolved, awaiting close" in row and ">Assigned<" not in row
    profile = client.get(f"/sandbox/customers/{ticket.customer_id}").text
    assert "Resolved, awaiting close" in profile


@pytest.mark.parametrize("locale", ["ur", "hi"])
def test_ticket_queue_times_read_in_the_locale_without_english_am_pm(client, sandbox, locale):
    client.post("/language", data={"locale": locale})
    page = client.get("/sandbox/tickets").text
    queue = page[page.index('data-testid="queue"') :]
    times = re.findall(r'<bdi><time datetime="([^"]+)">([^<]+)</time></bdi>', queue)
    assert len(times) >= 10
    for iso, shown in times:
        assert re.search(r"\d\d:\d\d$", shown), shown
        assert not re.search(r"\b[AaPp]\.?[Mm]\b", shown), shown
        assert iso[:4] in shown or iso[2:4] in shown
    sandbox_clock = page[page.index('data-testid="sandbox-clock"') :][:400]
    assert "<bdi><time datetime=" in sandbox_clock
