"""Finding and merging duplicates: people, companies and leads entered twice are grouped by
email, phone (however written) or close name; a merge keeps one record with the chosen
values, moves everything linked to the others onto it, and is one event, or nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from sandbox.fill import STANDARD, populate
from sandbox.models import (
    Activity,
    Customer,
    Lead,
    Opportunity,
    OutboxEmail,
    Purchase,
    SandboxEvent,
    Ticket,
)
from sandbox.services import SandboxError, get_or_create_sandbox
from sandbox.services import duplicates as duplicate_services
from sandbox.services.duplicates import name_key, one_slip_apart, phone_key
from tests.sandbox.conftest import add_company, add_person, count, events, first, last_event

MERGE = "/sandbox/duplicates/{}/merge"


def _merge(client, entity: str, keep, other, **kept_from):
    """Post the merge of `other` into `keep`; `kept_from` names, for a field, the record
    whose value stays (keep_phone=other)."""
    data = {"ids": [keep.id, other.id], "survivor": keep.id}
    data |= {f"keep_{name}": record.id for name, record in kept_from.items()}
    return client.post(MERGE.format(entity), data=data)


def _lead(sandbox, first_name: str, last_name: str, **fields) -> Lead:
    lead = Lead(
        sandbox_id=sandbox.id,
        first_name=first_name,
        last_name=last_name,
        created_at=sandbox.clock,
        **fields,
    )
    db.session.add(lead)
    db.session.flush()
    return lead


def _groups(client, kind: str) -> list[set[int]]:
    """The groups of record ids the Duplicates page shows for one kind."""
    page = client.get("/sandbox/duplicates").text
    section = page.split(f'data-testid="duplicates-{kind}"')[1].split("</section>")[0]
    return [
        {int(i) for i in re.findall(r'data-record="(\d+)"', group)}
        for group in section.split('data-testid="duplicate-group"')[1:]
    ]


def _in_one_group(groups: list[set[int]], *ids: int) -> bool:
    return any(set(ids) <= group for group in groups)


@pytest.mark.parametrize(
    ("one", "other"),
    [("0300-1234567", "+92 300 1234567"), ("(0300) 123 4567", "03001234567")],
)
def test_a_phone_is_the_same_however_written(one, other):
    assert phone_key(one) == phone_key(other) == "3001234567"
    assert phone_key("12-34") == ""  # too short to be a phone number


def test_names_compare_without_case_accents_order_or_legal_form():
    assert name_key("Zoë  SMITH") == name_key("smith, zoe") == "smith zoe"
    assert name_key("Acme & Sons Ltd", company=True) == name_key("ACME and Sons", company=True)
    assert one_slip_apart("john smith", "jonh smith")  # two letters swapped
    assert one_slip_apart("john smith", "jon smith") and one_slip_apart("jon smith", "john smith")
    assert one_slip_apart("maria lopez", "mario lopez")
    assert not one_slip_apart("abxc defgh", "abcy defgh")  # two slips
    assert not one_slip_apart("john smith", "joan smyth")


def test_a_fresh_sandbox_has_people_and_a_lead_entered_twice(client, sandbox):
    response = client.get("/sandbox/duplicates")
    assert response.status_code == 200 and 'data-testid="practice-banner"' in response.text
    people, leads = _groups(client, "person"), _groups(client, "lead")
    assert len(people) >= 3 and len(leads) >= 1
    assert 'data-reason="phone"' in response.text and 'data-reason="name"' in response.text
    for group in people[:3]:
        records = db.session.scalars(select(Customer).where(Customer.id.in_(group))).all()
        assert len({phone_key(r.phone) for r in records}) == 1
        assert len({r.phone for r in records}) == len(records)  # written differently


def test_finds_by_email_phone_in_two_formats_and_close_name(client, sandbox):
    by_email = [
        add_person(sandbox, "Aamir", "Qureshi", email="a.q@shop.example"),
        add_person(sandbox, "A.", "Qureshi", email=" A.Q@Shop.example"),
    ]
    by_phone = [
        add_person(sandbox, "Hina", "Baig", phone="0321-7654321"),
        add_person(sandbox, "Hina B.", "", phone="+92 321 7654321"),
    ]
    by_name = [
        add_person(sandbox, "Rukhsana", "Mahmood"),
        add_person(sandbox, "Rukhsana", "Mahmod"),
    ]
    strangers = [add_person(sandbox, "Li", "Wu"), add_person(sandbox, "Li", "Xu")]
    companies = [add_company(sandbox, "Indus Traders Ltd"), add_company(sandbox, "INDUS TRADERS")]
    leads = [
        _lead(sandbox, "Saima", "Javed", phone="0345 1112223"),
        _lead(sandbox, "Saima", "Javed", phone="03451112223"),
    ]
    converted = _lead(sandbox, "Saima", "Javed", converted_contact_id=by_name[0].id)
    db.session.commit()
    people = _groups(client, "person")
    for pair in (by_email, by_phone, by_name):
        assert _in_one_group(people, *(p.id for p in pair))
    assert not _in_one_group(people, *(p.id for p in strangers))  # short names: exact only
    assert _in_one_group(_groups(client, "company"), *(c.id for c in companies))
    lead_groups = _groups(client, "lead")
    assert _in_one_group(lead_groups, *(lead.id for lead in leads))
    assert not any(converted.id in group for group in lead_groups)  # converted: not offered
    # A company and a person of the same name are never grouped together.
    add_person(sandbox, "Indus", "Traders")
    db.session.commit()
    assert all(len(group & {c.id for c in companies}) in (0, 2) for group in people)


def test_the_page_runs_the_same_number_of_queries_at_200_and_2000_customers(
    client, sandbox, count_queries
):
    client.get("/sandbox/duplicates")
    with count_queries() as small:
        client.get("/sandbox/duplicates")
    populate(sandbox.id, 99, sandbox.clock, "More", {k: v * 9 for k, v in STANDARD.items()})
    db.session.commit()
    with count_queries() as large:
        assert client.get("/sandbox/duplicates").status_code == 200
    assert large.count == small.count, large.statements


def _children(sandbox, person: Customer, account: Customer | None = None) -> dict[str, object]:
    """One record of every kind that links to `person` (and its account)."""
    account_id = (account or person).id
    made = {
        "ticket": Ticket(
            customer_id=account_id, contact_id=person.id, subject="Late", opened_at=sandbox.clock
        ),
        "deal": Opportunity(name="Deal", customer_id=account_id, contact_id=person.id),
        "purchase": Purchase(
            customer_id=person.id, product_id=1, amount=10, purchased_on=sandbox.today
        ),
        "email": OutboxEmail(
            customer_id=person.id, to="x@y.example", subject="Hi", body="Hi", sent_at=sandbox.clock
        ),
        "activity": Activity(
            kind="note",
            parent_type="customer",
            parent_id=person.id,
            subject="Met",
            at=sandbox.clock,
        ),
        "lead": Lead(
            first_name="Was",
            status="converted",
            converted_customer_id=account_id,
            converted_contact_id=person.id,
            created_at=sandbox.clock,
        ),
    }
    for record in made.values():
        record.sandbox_id = sandbox.id
        db.session.add(record)
    db.session.flush()
    return made


def test_merging_people_moves_every_child_and_keeps_the_chosen_values(client, sandbox):
    keep = add_person(sandbox, "Nadia", "Hussain", phone="", customer_since=date(2024, 5, 1))
    other = add_person(
        sandbox,
        "Nadia",
        "Husain",
        phone="0300 5556667",
        email="nadia@post.example",
        customer_since=date(2021, 1, 1),
        email_consent=True,
        consent_at=sandbox.clock - timedelta(days=3),
        consent_channel="visit",
    )
    company = add_company(sandbox, "Sindh Textiles")
    colleague = add_person(sandbox, "Omar", "Farooq", company_id=company.id)
    children = _children(sandbox, other)
    at_work = _children(sandbox, colleague, company)  # untouched by the merge
    db.session.commit()
    other_id = other.id  # gone after the merge
    form = MERGE.format("customer") + f"?ids={keep.id}&ids={other.id}"
    page = client.get(form)
    assert page.status_code == 200 and "Husain" in page.text and "0300 5556667" in page.text
    # The oldest record survives unless chosen otherwise; each field starts on a value that
    # is set (only the copy has a phone).
    assert re.search(rf'name="survivor" value="{keep.id}"[^>]*checked', page.text)
    assert re.search(rf'name="keep_phone" value="{other.id}"[^>]*checked', page.text)
    response = _merge(
        client, "customer", keep, other, phone=other, email=other, consent=other, last_name=keep
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sandbox/customers/{keep.id}")
    assert db.session.get(Customer, other_id) is None
    survivor = db.session.get(Customer, keep.id)
    assert (survivor.last_name, survivor.phone, survivor.email) == (
        "Hussain",
        "0300 5556667",
        "nadia@post.example",
    )
    assert survivor.email_consent and survivor.consent_channel == "visit"
    assert survivor.customer_since == date(2021, 1, 1)  # a customer since the older record
    for name in ("ticket", "deal"):
        record = db.session.get(type(children[name]), children[name].id)
        assert (record.customer_id, record.contact_id) == (keep.id, keep.id), name
    for name in ("purchase", "email"):
        assert db.session.get(type(children[name]), children[name].id).customer_id == keep.id
    assert db.session.get(Activity, children["activity"].id).parent_id == keep.id
    lead = db.session.get(Lead, children["lead"].id)
    assert (lead.converted_customer_id, lead.converted_contact_id) == (keep.id, keep.id)
    assert db.session.get(Ticket, at_work["ticket"].id).contact_id == colleague.id
    assert events(sandbox, "customer.") == ["customer.merged"]
    event = last_event(sandbox, "customer.merged")
    assert (event.entity, event.entity_id) == ("customer", keep.id)
    assert event.data["survivor"] == keep.id and event.data["merged"] == [other_id]
    assert event.data["kept"]["phone"] == other_id and event.data["kept"]["city"] == keep.id
    survivor_page = client.get(f"/sandbox/customers/{keep.id}").text
    assert "Late" in survivor_page


def test_a_person_merged_into_one_at_a_company_brings_deals_to_that_account(client, sandbox):
    company = add_company(sandbox, "Lahore Motors")
    keep = add_person(sandbox, "Bilal", "Ahmed", company_id=company.id, company="Lahore Motors")
    other = add_person(sandbox, "Bilal", "Ahmed")
    children = _children(sandbox, other)
    db.session.commit()
    screen = client.get(MERGE.format("customer") + f"?ids={other.id}&ids={keep.id}").text
    assert "Lahore Motors" in screen and 'name="keep_works_for"' in screen
    response = client.post(
        MERGE.format("customer"), data={"ids": [other.id, keep.id], "survivor": keep.id}
    )
    assert response.status_code == 302
    ticket = db.session.get(Ticket, children["ticket"].id)
    assert (ticket.customer_id, ticket.contact_id) == (company.id, keep.id)
    lead = db.session.get(Lead, children["lead"].id)
    assert (lead.converted_customer_id, lead.converted_contact_id) == (company.id, keep.id)


def test_merging_companies_moves_their_contacts_and_account_records(client, sandbox):
    keep = add_company(sandbox, "Karachi Foods", email="info@kf.example")
    other = add_company(sandbox, "KARACHI FOODS LTD", phone="021 3456789")
    contact = add_person(sandbox, "Sana", "Mir", company_id=other.id, company="KARACHI FOODS LTD")
    children = _children(sandbox, contact, other)
    db.session.commit()
    other_id = other.id
    response = _merge(client, "customer", keep, other, phone=other)
    assert response.status_code == 302
    contact = db.session.get(Customer, contact.id)
    assert (contact.company_id, contact.company) == (keep.id, "Karachi Foods")
    for name in ("ticket", "deal"):
        record = db.session.get(type(children[name]), children[name].id)
        assert (record.customer_id, record.contact_id) == (keep.id, contact.id), name
    assert db.session.get(Lead, children["lead"].id).converted_customer_id == keep.id
    assert db.session.get(Customer, keep.id).phone == "021 3456789"
    assert db.session.get(Customer, other_id) is None


def test_merging_leads_keeps_one_with_its_notes(client, sandbox):
    keep = _lead(sandbox, "Zara", "Khan", email="zara@k.example")
    other = _lead(sandbox, "Zara", "Khan", phone="0301 2223334", source="web_site")
    note = Activity(
        sandbox_id=sandbox.id,
        kind="call",
        parent_type="lead",
        parent_id=other.id,
        subject="Called",
        at=sandbox.clock,
    )
    db.session.add(note)
    db.session.commit()
    other_id = other.id
    response = _merge(client, "lead", keep, other, phone=other, source=other)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sandbox/leads/{keep.id}")
    lead = db.session.get(Lead, keep.id)
    assert (lead.email, lead.phone, lead.source) == ("zara@k.example", "0301 2223334", "web_site")
    assert db.session.get(Lead, other_id) is None
    assert db.session.get(Activity, note.id).parent_id == keep.id
    event = last_event(sandbox, "lead.merged")
    assert event.data == {
        "survivor": keep.id,
        "merged": [other_id],
        "kept": event.data["kept"] | {"phone": other_id, "source": other_id},
    }
    assert events(sandbox, "lead.") == ["lead.merged"]


def _snapshot(sandbox) -> tuple:
    rows = db.session.execute(
        select(Customer.id, Customer.last_name, Customer.phone).where(
            Customer.sandbox_id == sandbox.id
        )
    ).all()
    tickets = db.session.execute(
        select(Ticket.id, Ticket.customer_id, Ticket.contact_id).where(
            Ticket.sandbox_id == sandbox.id
        )
    ).all()
    return sorted(rows), sorted(tickets), count(SandboxEvent, sandbox)


def test_bad_merges_are_refused_and_change_nothing(client, sandbox, make):
    one = add_person(sandbox, "Asad", "Ali")
    two = add_person(sandbox, "Asad", "Alee")
    company = add_company(sandbox, "Asad Ali & Co")
    lead = _lead(sandbox, "Asad", "Ali")
    converted = _lead(sandbox, "Asad", "Ali", converted_contact_id=one.id)
    stranger = get_or_create_sandbox(make.user(roles=("learner",)))
    db.session.flush()
    theirs = first(Customer, stranger, Customer.is_company.is_(False))
    db.session.commit()
    before = _snapshot(sandbox)
    other_before = _snapshot(stranger)
    refused = [
        ("customer", {"ids": [one.id, company.id], "survivor": one.id}, 422, "company"),
        ("customer", {"ids": [one.id], "survivor": one.id}, 422, "at least two"),
        ("customer", {"ids": [one.id, two.id]}, 422, "Choose which record survives"),
        ("customer", {"ids": [one.id, two.id], "survivor": lead.id}, 422, "among those"),
        (
            "customer",
            {"ids": [one.id, two.id], "survivor": one.id, "keep_phone": company.id},
            422,
            "one of the records merged",
        ),
        ("lead", {"ids": [lead.id, converted.id], "survivor": lead.id}, 422, "converted lead"),
        ("customer", {"ids": [one.id, theirs.id], "survivor": one.id}, 404, ""),
        ("customer", {"ids": [one.id, "x"], "survivor": one.id}, 404, ""),
        ("lead", {"ids": [lead.id, one.id], "survivor": lead.id}, 404, ""),  # a customer's id
        ("customer", {"ids": [theirs.id, one.id], "survivor": theirs.id}, 404, ""),
    ]
    for entity, data, status, message in refused:
        response = client.post(MERGE.format(entity), data=data)
        assert response.status_code == status, (data, response.status_code)
        assert message in response.text, data
    assert _snapshot(sandbox) == before and _snapshot(stranger) == other_before
    assert client.post(MERGE.format("contact"), data={}).status_code == 404
    # Opening the merge screen with fewer than two records goes back to the list.
    assert client.get(MERGE.format("customer") + f"?ids={one.id}").status_code == 302
    assert client.get(MERGE.format("customer") + f"?ids={theirs.id}").status_code == 404


def test_an_error_midway_leaves_nothing_half_merged(client, sandbox, monkeypatch):
    keep = add_person(sandbox, "Farah", "Naz")
    other = add_person(sandbox, "Farah", "Naaz", phone="0333 4445556")
    children = _children(sandbox, other)
    db.session.commit()
    before = _snapshot(sandbox)

    def refuse(*_args, **_kwargs):
        raise SandboxError("The database said no.")

    monkeypatch.setattr(duplicate_services, "delete_records", refuse)
    response = _merge(client, "customer", keep, other, phone=other)
    assert response.status_code == 422 and "The database said no." in response.text
    assert _snapshot(sandbox) == before
    assert db.session.get(Purchase, children["purchase"].id).customer_id == other.id
    assert db.session.get(Activity, children["activity"].id).parent_id == other.id
    assert events(sandbox, "customer.") == []


def test_two_sandboxes_never_mix(client, sandbox, make):
    mine = add_person(sandbox, "Maryam", "Shah", email="maryam@shah.example")
    stranger = get_or_create_sandbox(make.user(roles=("learner",)))
    db.session.flush()
    theirs = add_person(stranger, "Maryam", "Shah", email="maryam@shah.example")
    db.session.commit()
    page = client.get("/sandbox/duplicates").text
    assert f'data-record="{mine.id}"' not in page and f'data-record="{theirs.id}"' not in page
