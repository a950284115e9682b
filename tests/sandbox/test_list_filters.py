"""The lists' filters (owner, status, date range, "my open items") narrow what they should,
ignore nonsense, and each list remembers a person's last filter until a new one or Clear."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, select

from portal.extensions import db
from sandbox import profiles
from sandbox.models import Colleague, Customer, Lead, Opportunity, Ticket
from sandbox.remembered import QUERY_LIMIT, SavedFilter
from sandbox.services import get_or_create_sandbox
from sandbox.services import leads as lead_services
from sandbox.services.tickets import open_statuses
from tests.sandbox.conftest import all_rows, count, first


def shown(client, url: str) -> int:
    """How many records the list says match."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return int(re.search(r'data-testid="result-count">(\d+)', page.text).group(1))


def ticket_ids(client, url: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-ticket="(\d+)"', client.get(url).text)}


def at(day: str, clock: str = "00:00:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=UTC)


@pytest.fixture
def staff(sandbox):
    me = first(Colleague, sandbox, Colleague.is_learner.is_(True))
    agent = first(Colleague, sandbox, Colleague.is_learner.is_(False))
    return me, agent


@pytest.fixture
def old_tickets(sandbox, staff):
    """Three open tickets opened in January 2001, long before anything the seed made."""
    me, agent = staff
    tickets = all_rows(Ticket, sandbox, limit=3)
    for ticket, opened, who, status, priority in zip(
        tickets,
        (at("2001-01-01"), at("2001-01-03", "23:59:59"), at("2001-01-04")),
        (me.id, agent.id, None),
        ("assigned", "pending", "new"),
        ("high", "low", "normal"),
        strict=True,
    ):
        ticket.opened_at, ticket.assignee_id = opened, who
        ticket.status, ticket.priority, ticket.resolved_at = status, priority, None
    db.session.commit()
    return tickets


JANUARY_2001 = "show=all&opened_from=2001-01-01&opened_to=2001-01-31"


def test_ticket_date_range_includes_both_days(client, old_tickets):
    first_day, last_day, after = (t.id for t in old_tickets)
    url = "/sandbox/tickets?show=all&opened_from=2001-01-01&opened_to=2001-01-03"
    assert ticket_ids(client, url) == {first_day, last_day}
    assert ticket_ids(client, "/sandbox/tickets?show=all&opened_from=2001-01-04") >= {after}
    assert first_day not in ticket_ids(client, "/sandbox/tickets?opened_from=2001-01-02")
    assert ticket_ids(client, "/sandbox/tickets?show=all&opened_to=2001-01-01") == {first_day}


def test_ticket_filters_narrow_by_assignee_status_and_priority(client, old_tickets, staff):
    mine, theirs, nobodys = (t.id for t in old_tickets)
    me, agent = staff
    base = f"/sandbox/tickets?{JANUARY_2001}"
    assert ticket_ids(client, base) == {mine, theirs, nobodys}
    assert ticket_ids(client, f"{base}&assignee=me") == {mine}
    assert ticket_ids(client, f"{base}&assignee={agent.id}") == {theirs}
    assert ticket_ids(client, f"{base}&assignee=none") == {nobodys}
    assert ticket_ids(client, f"{base}&status=pending") == {theirs}
    assert ticket_ids(client, f"{base}&priority=high") == {mine}
    assert ticket_ids(client, f"{base}&priority=high&assignee={agent.id}") == set()


def test_a_chosen_status_shows_finished_tickets_too(client, sandbox):
    closed = profiles.active().plays("ticket_status", "closed")[0]
    total = count(Ticket, sandbox, Ticket.status == closed)
    assert total and shown(client, f"/sandbox/tickets?status={closed}") == total


def test_my_open_tickets(client, sandbox, staff, old_tickets):
    me, _agent = staff
    assert 'for="show-mine">My open items' in client.get("/sandbox/tickets").text
    mine = count(Ticket, sandbox, Ticket.status.in_(open_statuses()), Ticket.assignee_id == me.id)
    assert mine and shown(client, "/sandbox/tickets?show=mine") == mine
    assert shown(client, "/sandbox/tickets?assignee=me") == mine  # open is the default


def test_lead_filters_owner_open_and_dates(client, sandbox, learner):
    lead = lead_services.create_lead(
        sandbox, learner, lead_services.LeadData(first_name="Zia", company="Zia Traders")
    )
    me = first(Colleague, sandbox, Colleague.is_learner.is_(True))
    lead_services.assign_lead(sandbox, learner, lead, me.id)
    db.session.commit()
    assert shown(client, "/sandbox/leads?owner=me") == 1
    assert shown(client, "/sandbox/leads?owner=none") == count(
        Lead, sandbox, Lead.owner_id.is_(None)
    )
    finished = profiles.active().playing("lead_status", ("converted", "dead"))
    assert shown(client, "/sandbox/leads?open=1") == count(
        Lead, sandbox, Lead.status.not_in(finished)
    )
    assert f'data-lead="{lead.id}"' in client.get("/sandbox/leads?owner=me&open=1").text
    lead.status = finished[0]
    old = db.session.scalars(
        select(Lead).where(Lead.sandbox_id == sandbox.id, Lead.id != lead.id).limit(2)
    ).all()
    old[0].created_at, old[1].created_at = at("2001-02-01"), at("2001-02-02", "23:59:59")
    db.session.commit()
    assert shown(client, "/sandbox/leads?owner=me&open=1") == 0
    dates = "created_from=2001-02-01&created_to=2001-02-02"
    assert shown(client, f"/sandbox/leads?{dates}") == 2
    assert shown(client, "/sandbox/leads?created_to=2001-02-01") == 1


def test_customer_filters_owner_and_customer_since(client, sandbox, staff):
    me, agent = staff
    for colleague, url in ((me, "owner=me"), (agent, f"owner={agent.id}")):
        tickets = select(Ticket.customer_id).where(
            Ticket.sandbox_id == sandbox.id,
            Ticket.status.in_(open_statuses()),
            Ticket.assignee_id == colleague.id,
        )
        deals = select(Opportunity.customer_id).where(
            Opportunity.sandbox_id == sandbox.id,
            Opportunity.stage.in_(profiles.active().open_stages()),
            Opportunity.owner_id == colleague.id,
        )
        accounts = set(db.session.scalars(tickets.union(deals)).all())
        assert shown(client, f"/sandbox/customers?{url}") == len(accounts)
    people = all_rows(Customer, sandbox, limit=2)
    people[0].customer_since, people[1].customer_since = date(1999, 3, 1), date(1999, 3, 31)
    db.session.commit()
    assert shown(client, "/sandbox/customers?since_from=1999-03-01&since_to=1999-03-31") == 2
    assert shown(client, "/sandbox/customers?since_to=1999-03-30") == 1


@pytest.mark.parametrize(
    "url",
    [
        "/sandbox/tickets?status=bogus&assignee=99999999999&priority=%3Cb%3E&opened_from=2026-02-30",
        "/sandbox/tickets?assignee=-1&opened_to=20260101&show=everything&category=x",
        "/sandbox/leads?owner=someone&status=x&source=y&created_from=0001-01-01&open=maybe",
        "/sandbox/customers?owner=none&kind=x&tier=y&since_from=9999-12-31&open_ticket=no",
    ],
)
def test_nonsense_is_ignored_and_not_remembered(client, sandbox, url):
    plain = url.split("?")[0]
    assert shown(client, url) == shown(client, f"{plain}?q=")
    assert 'data-testid="clear-filters"' not in client.get(url).text
    assert client.get(plain).status_code == 200  # nothing remembered, no redirect


def test_a_list_remembers_the_last_filter_until_replaced_or_cleared(client, sandbox, staff):
    me, _agent = staff
    assert client.get("/sandbox/tickets?status=pending&assignee=me").status_code == 200
    back = client.get("/sandbox/tickets")
    assert back.status_code == 302
    assert back.location.endswith("/sandbox/tickets?status=pending&assignee=me")
    page = client.get("/sandbox/tickets", follow_redirects=True).text
    assert 'data-testid="clear-filters"' in page and 'value="pending" selected' in page

    # Another list keeps its own; a new query string replaces this one.
    assert client.get("/sandbox/leads").status_code == 200
    client.get("/sandbox/tickets?priority=high", headers={"HX-Request": "true"})
    assert client.get("/sandbox/tickets").location.endswith("/sandbox/tickets?priority=high")

    # Clear forgets it: the list opens as it does the first time.
    cleared = client.get("/sandbox/tickets?clear=1")
    assert cleared.status_code == 302 and cleared.location.endswith("/sandbox/tickets")
    page = client.get("/sandbox/tickets")
    assert page.status_code == 200 and 'data-testid="clear-filters"' not in page.text

    # The live search sends every field, empty ones too: an emptied form forgets as well.
    client.get("/sandbox/leads?owner=me&open=1")
    client.get("/sandbox/leads?q=&status=&source=&owner=&created_from=&created_to=")
    assert client.get("/sandbox/leads").status_code == 200


def test_remembered_per_person_and_across_sign_out(client, sandbox, learner, make):
    client.get("/sandbox/customers?tier=gold&owner=me")
    client.post("/logout")
    other = make.user(roles=("learner",))
    client.login(other)
    get_or_create_sandbox(other)
    db.session.commit()
    assert client.get("/sandbox/customers").status_code == 200
    client.post("/logout")
    client.login(learner)
    again = client.get("/sandbox/customers")
    assert again.status_code == 302 and "tier=gold" in again.location


def test_stored_filters_are_bounded_and_checked_again_when_they_come_back(client, sandbox, learner):
    def stored() -> str | None:
        return db.session.scalar(
            select(SavedFilter.query).where(
                SavedFilter.user_id == learner.id, SavedFilter.list_name == "leads"
            )
        )

    client.get("/sandbox/leads?q=" + "x" * 5000 + "&owner=me&page=3")
    assert stored() == '{"q":"' + "x" * 100 + '","owner":"me"}'
    # Urdu or Hindi search text counts in characters, not in its %-encoded bytes.
    client.get("/sandbox/leads?q=" + "ک" * 100)
    assert stored() == '{"q":"' + "ک" * 100 + '"}'
    assert "q=" in client.get("/sandbox/leads").location
    # Quotes are escaped in storage and come back as typed.
    client.get("/sandbox/leads?q=" + "%22" * 100)
    assert json.loads(stored()) == {"q": '"' * 100} and len(stored()) <= QUERY_LIMIT
    assert client.get("/sandbox/leads").location.endswith("?q=" + "%22" * 100)

    # A colleague who is gone (a reset makes new ones) is ignored, not an error; so is
    # anything that is not an object of texts.
    for query in ('{"assignee":"999999"}', "assignee=1", '["a"]', '{"status":["new"]}'):
        db.session.execute(delete(SavedFilter).where(SavedFilter.list_name == "tickets"))
        db.session.add(SavedFilter(user_id=learner.id, list_name="tickets", query=query))
        db.session.commit()
        assert client.get("/sandbox/tickets").status_code == 200, query
