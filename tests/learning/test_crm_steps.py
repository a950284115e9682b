"""The after-sale, leads, relationships and pipeline readings name only what the sandbox can
do: every step they teach "in the CRM" is listed in crm_steps.yaml with a quote of the
lesson and an action, and each action is done here through HTTP, as a learner in a fresh
sandbox, with its effect checked in the database.

A rewording that drops or changes a quoted step fails `test_every_quote_is_in_its_lesson`;
a new step needs a quote and an action with a helper below (`ACTIONS`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from flask import current_app
from sqlalchemy import select

from portal.extensions import db
from sandbox import profiles
from sandbox import reports as report_queries
from sandbox.models import (
    Activity,
    Automation,
    Colleague,
    Customer,
    Lead,
    Opportunity,
    OutboxEmail,
    Product,
    Purchase,
    Ticket,
)
from sandbox.services import get_or_create_sandbox
from tests.sandbox.conftest import (
    add_person,
    bought,
    count,
    first,
    last_event,
    new_lead,
    newest,
)
from tests.sandbox.test_customers import _form_of

ROOT = Path(__file__).resolve().parents[2]
COURSES = (
    "after-sale-service",
    "leads-and-qualification",
    "personal-relationships",
    "pipeline-and-targets",
)
STEPS = yaml.safe_load((Path(__file__).with_name("crm_steps.yaml")).read_text("utf-8"))


def _plain(text: str) -> str:
    """Text as the quotes compare it: no front matter, quote marks, emphasis or code
    ticks, and single spaces."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"^\s*>\s?", "", text, flags=re.M)
    return " ".join(text.replace("*", "").replace("`", "").split())


def _readings() -> list[str]:
    """Every English reading of the four courses, as <course>/<lesson key>."""
    keys = []
    for course in COURSES:
        listed = yaml.safe_load((ROOT / "courses" / course / "course.yaml").read_text("utf-8"))
        for module in listed["modules"]:
            keys += [
                f"{course}/{lesson}"
                for lesson in module["lessons"]
                if (ROOT / "courses" / course / f"{lesson}.md").exists()
            ]
    return keys


def _steps() -> list[tuple[str, str, str]]:
    return [
        (lesson, step["quote"], step["action"])
        for lesson, steps in STEPS.items()
        for step in steps or ()
    ]


# ---------------------------------------------------------------- the data file itself


def test_every_reading_of_the_four_courses_is_listed():
    assert sorted(STEPS) == sorted(_readings())


@pytest.mark.parametrize(("lesson", "quote", "action"), _steps())
def test_every_quote_is_in_its_lesson(lesson, quote, action):
    course, key = lesson.split("/")
    text = (ROOT / "courses" / course / f"{key}.md").read_text("utf-8")
    assert _plain(quote) in _plain(text), f"{lesson}: the step {quote!r} is not in the lesson"


def test_every_action_has_a_helper():
    missing = sorted({action for _lesson, _quote, action in _steps()} - set(ACTIONS))
    assert not missing, f"actions without a helper in this test: {missing}"


# ---------------------------------------------------------------- a fresh sandbox


@pytest.fixture
def sandbox(client, make, app_ctx):
    """A signed-in learner's own sandbox (as in tests/sandbox, whose fixtures are not ours)."""
    learner = make.user(roles=("learner",))
    client.login(learner)
    box = get_or_create_sandbox(learner)
    db.session.commit()
    return box


def _me(sandbox) -> Colleague:
    return first(Colleague, sandbox, Colleague.is_learner.is_(True))


def _colleague(sandbox, role: str | None = None) -> Colleague:
    """Someone other than the learner (of `role`, when given)."""
    where = [Colleague.is_learner.is_(False)]
    if role:
        where.append(Colleague.role == role)
    return first(Colleague, sandbox, *where)


def _ok(response, status: int = 302):
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    return response


def _note(client, sandbox, parent: str, parent_id: int, kind: str = "note", **fields):
    """Log an activity on a record; returns it."""
    data = {"kind": kind, "subject": fields.pop("subject", f"A {kind}"), "body": "What happened."}
    data.update({k: str(v) for k, v in fields.items()})
    _ok(client.post(f"/sandbox/activities/{parent}/{parent_id}", data=data))
    activity = newest(Activity, sandbox)
    assert (activity.parent_type, activity.parent_id, activity.kind) == (parent, parent_id, kind)
    return activity


# ---------------------------------------------------------------- tickets


def _open_ticket(sandbox) -> Ticket:
    return first(Ticket, sandbox, Ticket.status.in_(("new", "assigned")))


def _ticket_action(client, ticket: Ticket, action: str, **data):
    response = _ok(client.post(f"/sandbox/tickets/{ticket.id}/{action}", data=data))
    db.session.refresh(ticket)
    return response


def ticket_create(client, sandbox):
    purchase = first(Purchase, sandbox)
    page = _ok(client.get(f"/sandbox/customers/{purchase.customer_id}"), 200).text
    assert f"/sandbox/tickets/new?customer={purchase.customer_id}" in page
    data = {
        "customer_id": purchase.customer_id,
        "purchase_id": purchase.id,
        "channel": "visit",
        "subject": "The scanner stopped working",
        "category": "defect",
        "priority": "high",
        "description": "It will not switch on since Monday.",
    }
    _ok(client.post("/sandbox/tickets/new", data=data))
    ticket = newest(Ticket, sandbox)
    assert (ticket.customer_id, ticket.purchase_id, ticket.channel) == (
        purchase.customer_id,
        purchase.id,
        "visit",
    )
    assert (ticket.category, ticket.priority, ticket.status) == ("defect", "high", "new")
    sla = profiles.active().sla
    assert ticket.first_response_due == sla.due(ticket.opened_at, "high", "first_response")
    assert ticket.resolution_due == sla.due(ticket.opened_at, "high", "resolution")


def ticket_view(client, sandbox):
    ticket = _open_ticket(sandbox)
    page = _ok(client.get(f"/sandbox/tickets/{ticket.id}"), 200).text
    assert ticket.subject in page and 'data-testid="ticket-status"' in page


def ticket_sla(client, sandbox):
    ticket = _open_ticket(sandbox)
    page = _ok(client.get(f"/sandbox/tickets/{ticket.id}"), 200).text
    assert "First response due" in page and "Resolution due" in page
    assert 'data-testid="sla"' in page
    _ok(client.post("/sandbox/clock", data={"days": "7"}))
    db.session.refresh(ticket)
    page = client.get(f"/sandbox/tickets/{ticket.id}").text
    assert 'data-sla="overdue"' in page  # a week on, its first response is late


def ticket_note(client, sandbox):
    _note(client, sandbox, "ticket", _open_ticket(sandbox).id)


def ticket_assign_self(client, sandbox):
    ticket = first(Ticket, sandbox, Ticket.status == "new")
    _ticket_action(client, ticket, "assign", assignee=_me(sandbox).id)
    assert (ticket.assignee_id, ticket.status) == (_me(sandbox).id, "assigned")


def ticket_assign_colleague(client, sandbox):
    ticket = _open_ticket(sandbox)
    colleague = first(
        Colleague, sandbox, Colleague.role == "service", Colleague.id != ticket.assignee_id
    )
    _ticket_action(client, ticket, "assign", assignee=colleague.id)
    assert ticket.assignee_id == colleague.id
    assert last_event(sandbox, "ticket.assigned").data["assignee"] == colleague.id


def ticket_hand_over(client, sandbox):
    ticket = _open_ticket(sandbox)
    colleague = first(
        Colleague, sandbox, Colleague.is_learner.is_(False), Colleague.id != ticket.assignee_id
    )
    _ticket_action(client, ticket, "category", category=ticket.category, assignee=colleague.id)
    assert ticket.assignee_id == colleague.id
    _note(client, sandbox, "ticket", ticket.id, subject="Handed to billing: a refund")


def ticket_category(client, sandbox):
    ticket = _open_ticket(sandbox)
    other = next(c for c in ("billing", "delivery") if c != ticket.category)
    _ticket_action(client, ticket, "category", category=other, assignee="")
    assert ticket.category == other
    assert last_event(sandbox, "ticket.category_changed").data["to"] == other


def ticket_priority(client, sandbox):
    ticket = _open_ticket(sandbox)
    due = (ticket.first_response_due, ticket.resolution_due)
    other = "urgent" if ticket.priority != "urgent" else "low"
    _ticket_action(client, ticket, "priority", priority=other)
    assert ticket.priority == other
    assert (ticket.first_response_due, ticket.resolution_due) == due


def ticket_respond(client, sandbox):
    ticket = _open_ticket(sandbox)
    _ticket_action(client, ticket, "respond", message="Sorry for the trouble; we are on it.")
    assert ticket.first_responded_at == db.session.merge(sandbox).clock
    reply = newest(Activity, sandbox)
    assert (reply.parent_type, reply.parent_id, reply.kind) == ("ticket", ticket.id, "email")


def ticket_pending(client, sandbox):
    ticket = _open_ticket(sandbox)
    _ticket_action(client, ticket, "pending")
    assert ticket.status_role == "pending"
    _note(client, sandbox, "ticket", ticket.id, subject="Waiting for the serial number")


def ticket_resolve(client, sandbox):
    ticket = _open_ticket(sandbox)
    _ticket_action(
        client, ticket, "resolve", resolution_action="Charged twice; refunded the second."
    )
    assert ticket.resolved_at is not None
    assert ticket.resolution == "Charged twice; refunded the second."


def ticket_resolve_from_pending(client, sandbox):
    ticket = _open_ticket(sandbox)
    _ticket_action(client, ticket, "pending")
    _ticket_action(client, ticket, "resolve", resolution_action="The photo showed a cracked case.")
    assert ticket.resolved_at is not None
    _ticket_action(client, ticket, "close", satisfaction="4")
    assert ticket.status_role == "closed"


def ticket_close(client, sandbox):
    ticket = _open_ticket(sandbox)
    _ticket_action(client, ticket, "resolve", resolution_action="Replaced the faulty unit.")
    _ticket_action(client, ticket, "close", satisfaction="5")
    assert (ticket.status_role, ticket.satisfaction) == ("closed", 5)


def ticket_set_aside(client, sandbox):
    ticket = _open_ticket(sandbox)
    _ticket_action(client, ticket, "set_aside", status="duplicate", note="Same as the earlier one.")
    assert (ticket.status_role, ticket.resolution) == ("duplicate", "Same as the earlier one.")


def report_tickets(client, sandbox):
    page = _ok(client.get("/sandbox/reports"), 200).text
    table = page.split('data-testid="sla-report"')[1].split("</table>")[0]
    for category in ("Billing", "Defect"):
        assert category in table


# ---------------------------------------------------------------- customers


def _person(sandbox) -> Customer:
    return first(Customer, sandbox, Customer.is_company.is_(False))


def customer_history(client, sandbox):
    ticket = first(Ticket, sandbox, Ticket.contact_id.is_not(None))
    page = _ok(client.get(f"/sandbox/tickets/{ticket.id}"), 200).text
    assert f"/sandbox/customers/{ticket.customer_id}" in page
    _note(client, sandbox, "customer", ticket.customer_id, subject="Prefers calls after four")
    profile = _ok(client.get(f"/sandbox/customers/{ticket.customer_id}"), 200).text
    assert ticket.subject in profile and "Prefers calls after four" in profile
    assert 'data-testid="purchases"' in profile


def customer_search(client, sandbox):
    customer = first(Customer, sandbox, Customer.loyalty_card != "")
    for q in (customer.loyalty_card, customer.email, customer.name):
        page = _ok(client.get("/sandbox/customers", query_string={"q": q}), 200).text
        assert f'data-customer="{customer.id}"' in page, q


def customer_filter(client, sandbox):
    customer = _person(sandbox)
    customer.tier, customer.city = "gold", "Multan"
    db.session.commit()
    page = _ok(client.get("/sandbox/customers?tier=gold&city=Multan"), 200).text
    shown = {int(i) for i in re.findall(r'data-customer="(\d+)"', page)}
    assert customer.id in shown
    assert all(db.session.get(Customer, i).tier == "gold" for i in shown)


def customer_edit(client, sandbox):
    customer = _person(sandbox)
    url = f"/sandbox/customers/{customer.id}/edit"
    changes = {"phone": "021 555 0101", "preferences": "Calls after four; espresso beans"}
    _ok(client.post(url, data=_form_of(customer, **changes)))
    db.session.refresh(customer)
    assert (customer.phone, customer.preferences) == tuple(changes.values())
    assert last_event(sandbox, "customer.updated") is not None


def customer_consent(client, sandbox):
    customer = _person(sandbox)
    customer.email_consent, customer.consent_at, customer.consent_channel = False, None, ""
    db.session.commit()
    url = f"/sandbox/customers/{customer.id}/edit"
    _ok(client.post(url, data=_form_of(customer, email_consent="y", consent_channel="phone")))
    db.session.refresh(customer)
    assert (customer.email_consent, customer.consent_channel) == (True, "phone")
    assert customer.consent_at == db.session.merge(sandbox).clock


def customer_withdraw_consent(client, sandbox):
    customer = first(Customer, sandbox, Customer.email_consent.is_(True))
    url = f"/sandbox/customers/{customer.id}/edit"
    data = _form_of(customer, consent_channel="email")
    data.pop("email_consent", None)
    _ok(client.post(url, data=data))
    db.session.refresh(customer)
    assert (customer.email_consent, customer.consent_channel) == (False, "email")
    assert last_event(sandbox, "customer.consent_changed").data["to"] is False


def customer_email(client, sandbox):
    _note(client, sandbox, "customer", _person(sandbox).id, kind="email", subject="Re: thanks")


def customer_purchases(client, sandbox):
    customer = _person(sandbox)
    older, newer = db.session.scalars(
        select(Product).where(Product.sandbox_id == sandbox.id).order_by(Product.id).limit(2)
    ).all()
    today = db.session.merge(sandbox).today
    for product, days in ((older, 400), (newer, 3)):
        bought(sandbox, customer, product, today - timedelta(days=days))
    db.session.commit()
    page = _ok(client.get(f"/sandbox/customers/{customer.id}"), 200).text
    table = page.split('data-testid="purchases"')[1].split("</table>")[0]
    assert table.index(newer.name) < table.index(older.name)


# ---------------------------------------------------------------- duplicates


def _group_with(client, kind: str, *ids: int) -> bool:
    page = _ok(client.get("/sandbox/duplicates"), 200).text
    section = page.split(f'data-testid="duplicates-{kind}"')[1].split("</section>")[0]
    groups = [
        {int(i) for i in re.findall(r'data-record="(\d+)"', group)}
        for group in section.split('data-testid="duplicate-group"')[1:]
    ]
    return any(set(ids) <= group for group in groups)


def duplicates_merge_customers(client, sandbox):
    keep = add_person(sandbox, "Hina", "Baig", email="hina.baig@mail.example")
    copy = add_person(sandbox, "Hina", "Baig", email="HINA.BAIG@mail.example", phone="0300 1112223")
    product = first(Product, sandbox)
    purchase = bought(sandbox, copy, product, db.session.merge(sandbox).today)
    db.session.commit()
    keep_id, copy_id, bought_id = keep.id, copy.id, purchase.id
    assert _group_with(client, "person", keep_id, copy_id)
    _ok(
        client.post(
            "/sandbox/duplicates/customer/merge",
            data={"ids": [keep_id, copy_id], "survivor": keep_id},
        )
    )
    assert db.session.get(Customer, copy_id) is None
    assert db.session.get(Purchase, bought_id).customer_id == keep_id


def duplicates_merge_leads(client, sandbox):
    one = _lead(client, sandbox, email="omar@zephyr.example")
    two = _lead(client, sandbox, email="omar@zephyr.example", phone="0301 2223334")
    one_id, two_id = one.id, two.id
    assert _group_with(client, "lead", one_id, two_id)
    _ok(
        client.post(
            "/sandbox/duplicates/lead/merge",
            data={"ids": [one_id, two_id], "survivor": one_id, "keep_phone": two_id},
        )
    )
    assert db.session.get(Lead, two_id) is None
    assert db.session.get(Lead, one_id).phone == "0301 2223334"


# ---------------------------------------------------------------- leads

LEAD = {
    "first_name": "Omar",
    "last_name": "Farooq",
    "company": "Zephyr Tiles",
    "title": "Operations manager",
    "email": "omar.farooq@zephyr.example",
    "phone": "0300 7654321",
    "source": "trade_show",
    "description": "Met at the City Food & Retail Expo; wants loyalty cards.",
}


def _lead(client, sandbox, **fields) -> Lead:
    return new_lead(client, sandbox, {**LEAD, **fields})


def _status(client, lead: Lead, status: str) -> None:
    _ok(client.post(f"/sandbox/leads/{lead.id}/status", data={"status": status}), 200)
    db.session.refresh(lead)
    assert lead.status_role == status


def lead_create(client, sandbox):
    before = count(Lead, sandbox)
    _ok(client.post("/sandbox/leads/new", data=LEAD))
    assert count(Lead, sandbox) == before + 1
    lead = newest(Lead, sandbox)
    assert (lead.first_name, lead.company, lead.email) == ("Omar", "Zephyr Tiles", LEAD["email"])
    assert (lead.source, lead.status_role) == ("trade_show", "new")
    assert lead.description == LEAD["description"]


def lead_search(client, sandbox):
    lead = _lead(client, sandbox)
    for q in ("Omar Farooq", LEAD["email"], "Zephyr"):
        page = _ok(client.get("/sandbox/leads", query_string={"q": q}), 200).text
        assert f"/sandbox/leads/{lead.id}" in page, q
    customer = _person(sandbox)
    page = client.get("/sandbox/customers", query_string={"q": customer.email}).text
    assert f'data-customer="{customer.id}"' in page


def lead_duplicate_warning(client, sandbox):
    customer = first(Customer, sandbox, Customer.is_company.is_(False), Customer.email != "")
    before = count(Lead, sandbox)
    response = client.post("/sandbox/leads/new", data={**LEAD, "email": customer.email})
    assert response.status_code in (200, 422)
    assert customer.name in response.text and count(Lead, sandbox) == before
    new_lead(client, sandbox, {**LEAD, "email": customer.email})
    assert count(Lead, sandbox) == before + 1


def lead_note(client, sandbox):
    _note(client, sandbox, "lead", _lead(client, sandbox).id, subject="Need, budget, timing")


def _task(client, sandbox, subject: str) -> Activity:
    """A follow-up task on a new lead, due in two days."""
    lead = _lead(client, sandbox)
    due = db.session.merge(sandbox).today + timedelta(days=2)
    task = _note(client, sandbox, "lead", lead.id, kind="task", subject=subject, due_on=due)
    assert (task.due_on, task.done) == (due, False)
    return task


def lead_task(client, sandbox):
    _task(client, sandbox, "Call to arrange a demo")


def task_complete(client, sandbox):
    task = _task(client, sandbox, "Send the brochure")
    home = _ok(client.get("/sandbox/"), 200).text
    assert "Send the brochure" in home.split('data-testid="tasks"')[1]
    _ok(client.post(f"/sandbox/tasks/{task.id}/done", data={"next": "home"}))
    db.session.refresh(task)
    assert task.done is True


def lead_call(client, sandbox):
    _note(client, sandbox, "lead", _lead(client, sandbox).id, kind="call", subject="Rang Omar")


def lead_assign(client, sandbox):
    lead = _lead(client, sandbox)
    colleague = db.session.scalar(
        select(Colleague).where(
            Colleague.sandbox_id == sandbox.id,
            Colleague.role == "sales",
            Colleague.is_learner.is_(False),
        )
    )
    data = {**LEAD, "owner_id": str(colleague.id), "confirm_duplicate": "1"}
    _ok(client.post(f"/sandbox/leads/{lead.id}/edit", data=data))
    db.session.refresh(lead)
    assert (lead.owner_id, lead.status_role) == (colleague.id, "assigned")


def lead_in_process(client, sandbox):
    _status(client, _lead(client, sandbox), "in_process")


def lead_qualify(client, sandbox):
    lead = _lead(client, sandbox)
    answers = {
        "need": "Loyalty cards for eight shops",
        "authority": "The owner signs off purchases",
        "budget": "200000",
        "budget_status": "indicated",
        "timing": (db.session.merge(sandbox).today + timedelta(days=60)).isoformat(),
    }
    _ok(client.post(f"/sandbox/leads/{lead.id}/qualification", data=answers))
    db.session.refresh(lead)
    assert (lead.need, lead.budget, lead.budget_status) == (
        answers["need"],
        Decimal("200000"),
        "indicated",
    )


def lead_recycle(client, sandbox):
    lead = _lead(client, sandbox)
    _status(client, lead, "in_process")
    _status(client, lead, "recycled")
    _note(client, sandbox, "lead", lead.id, subject="Budget spent; try again in spring")


def lead_dead(client, sandbox):
    lead = _lead(client, sandbox)
    _status(client, lead, "dead")
    _note(client, sandbox, "lead", lead.id, subject="A student collecting brochures")


def lead_convert(client, sandbox):
    lead = _lead(client, sandbox)
    _status(client, lead, "in_process")
    close = db.session.merge(sandbox).today + timedelta(days=60)
    data = {
        "into": "new",
        "create_opportunity": "y",
        "opportunity_name": "Zephyr Tiles: loyalty cards",
        "amount": "12000",
        "stage": "prospecting",
        "close_date": close.isoformat(),
    }
    _ok(client.post(f"/sandbox/leads/{lead.id}/convert", data=data))
    db.session.refresh(lead)
    assert lead.status_role == "converted"
    account = db.session.get(Customer, lead.converted_customer_id)
    contact = db.session.get(Customer, lead.converted_contact_id)
    deal = db.session.get(Opportunity, lead.converted_opportunity_id)
    assert (account.is_company, account.company) == (True, "Zephyr Tiles")
    assert (contact.first_name, contact.company_id, contact.email) == (
        "Omar",
        account.id,
        LEAD["email"],
    )
    assert (deal.customer_id, deal.contact_id, deal.stage) == (
        account.id,
        contact.id,
        "prospecting",
    )
    assert (deal.amount, deal.close_date) == (Decimal("12000"), close)


def lead_convert_existing(client, sandbox):
    _ok(
        client.post(
            "/sandbox/customers/new?kind=company",
            data={"company": "Zephyr Tiles", "tier": "silver", "consent_channel": ""},
        )
    )
    company = newest(Customer, sandbox)
    assert company.is_company
    lead = _lead(client, sandbox)
    page = _ok(client.get(f"/sandbox/leads/{lead.id}"), 200).text
    assert f"account-{company.id}" in page  # the duplicate check offers it
    accounts = count(Customer, sandbox, Customer.is_company.is_(True))
    _ok(
        client.post(
            f"/sandbox/leads/{lead.id}/convert",
            data={"into": f"account-{company.id}", "stage": "prospecting"},
        )
    )
    db.session.refresh(lead)
    contact = db.session.get(Customer, lead.converted_contact_id)
    assert (lead.converted_customer_id, contact.company_id) == (company.id, company.id)
    assert count(Customer, sandbox, Customer.is_company.is_(True)) == accounts


# ---------------------------------------------------------------- automations


BIRTHDAY = {
    "name": "Birthday greeting",
    "trigger": "birthday",
    "subject": "Happy birthday, {first_name}!",
    "body": "Dear {first_name}, best wishes from all of us at {company_name}.",
    "active": "y",
}


def _born_tomorrow(sandbox, consent: bool) -> Customer:
    box = db.session.merge(sandbox)
    customer = first(Customer, sandbox, Customer.is_company.is_(False), Customer.email != "")
    tomorrow = box.today + timedelta(days=1)
    customer.birthday = date(1992, tomorrow.month, tomorrow.day)  # a leap year: any day fits
    customer.email_consent = consent
    db.session.commit()
    return customer


def _emails_to(sandbox, customer: Customer) -> list[OutboxEmail]:
    return db.session.scalars(
        select(OutboxEmail).where(
            OutboxEmail.sandbox_id == sandbox.id, OutboxEmail.customer_id == customer.id
        )
    ).all()


def automation_create(client, sandbox):
    _ok(client.post("/sandbox/automations", data=BIRTHDAY))
    rule = newest(Automation, sandbox)
    assert (rule.name, rule.trigger, rule.active) == ("Birthday greeting", "birthday", True)


def automation_preview(client, sandbox):
    page = _ok(
        client.post(
            "/sandbox/automations/preview",
            data={"subject": BIRTHDAY["subject"], "body": BIRTHDAY["body"]},
        ),
        200,
    )
    assert "Happy birthday, Farah!" in page.text


def automation_edit(client, sandbox):
    _ok(client.post("/sandbox/automations", data=BIRTHDAY))
    rule = newest(Automation, sandbox)
    _ok(client.get(f"/sandbox/automations/{rule.id}"), 200)
    changed = {**BIRTHDAY, "body": "Dear {first_name}, a very happy birthday from us all."}
    _ok(client.post(f"/sandbox/automations/{rule.id}", data=changed))
    db.session.refresh(rule)
    assert rule.body == changed["body"]


def automation_switch(client, sandbox):
    _ok(client.post("/sandbox/automations", data={**BIRTHDAY, "active": ""}))
    rule = newest(Automation, sandbox)
    assert rule.active is False
    _ok(client.post(f"/sandbox/automations/{rule.id}/active", data={"active": "y"}))
    db.session.refresh(rule)
    assert rule.active is True


def _birthday_tomorrow_and_clock(client, sandbox, consent: bool) -> Customer:
    customer = _born_tomorrow(sandbox, consent)
    _ok(client.post("/sandbox/automations", data=BIRTHDAY))
    _ok(client.post("/sandbox/clock", data={"days": "1"}))
    return customer


def clock_advance(client, sandbox):
    clock = db.session.merge(sandbox).clock
    customer = _birthday_tomorrow_and_clock(client, sandbox, consent=True)
    db.session.refresh(sandbox)
    assert sandbox.clock == clock + timedelta(days=1)
    (email,) = [e for e in _emails_to(sandbox, customer) if e.trigger == "birthday"]
    assert (email.subject, email.skipped_reason) == (f"Happy birthday, {customer.first_name}!", "")


def outbox_view(client, sandbox):
    customer = _birthday_tomorrow_and_clock(client, sandbox, consent=True)
    page = _ok(client.get("/sandbox/outbox"), 200).text
    assert f"Happy birthday, {customer.first_name}!" in page


def automation_consent_skip(client, sandbox):
    customer = _birthday_tomorrow_and_clock(client, sandbox, consent=False)
    (email,) = [e for e in _emails_to(sandbox, customer) if e.trigger == "birthday"]
    assert email.skipped_reason == "no_marketing_consent"
    page = client.get("/sandbox/outbox", query_string={"q": customer.email}).text
    assert 'data-testid="skipped"' in page and "no marketing consent" in page


def automation_anniversary(client, sandbox):
    box = db.session.merge(sandbox)
    customer = first(Customer, sandbox, Customer.is_company.is_(False), Customer.email != "")
    customer.email_consent = True
    product = first(Product, sandbox)
    tomorrow = box.today + timedelta(days=1)
    if (tomorrow.month, tomorrow.day) == (2, 29):
        pytest.skip("no anniversary of a 29 February a year ago")
    bought(sandbox, customer, product, tomorrow.replace(year=tomorrow.year - 1))
    db.session.commit()
    _ok(
        client.post(
            "/sandbox/automations",
            data={
                "name": "Purchase anniversary thank-you",
                "trigger": "purchase_anniversary",
                "subject": "A year with your {product}: thank you!",
                "body": "Dear {first_name}, thank you. The team at {company_name}",
                "active": "y",
            },
        )
    )
    _ok(client.post("/sandbox/clock", data={"days": "1"}))
    emails = [e for e in _emails_to(sandbox, customer) if e.trigger == "purchase_anniversary"]
    assert f"A year with your {product.name}: thank you!" in [e.subject for e in emails]
    assert all(e.body.startswith(f"Dear {customer.first_name},") for e in emails)


def automation_ticket_resolved(client, sandbox):
    rule = first(Automation, sandbox, Automation.trigger == "ticket_resolved")
    _ok(client.post(f"/sandbox/automations/{rule.id}/active", data={"active": "y"}))
    ticket = _open_ticket(sandbox)
    _ticket_action(client, ticket, "resolve", resolution_action="Replaced the faulty unit.")
    email = newest(OutboxEmail, sandbox)
    assert (email.trigger, email.automation_id) == ("ticket_resolved", rule.id)


def sandbox_reset(client, sandbox):
    lead = _lead(client, sandbox)
    lead_id, generation = lead.id, sandbox.generation
    _ok(client.post("/sandbox/reset"))
    db.session.refresh(sandbox)
    assert db.session.get(Lead, lead_id) is None
    assert sandbox.generation == generation + 1


# ---------------------------------------------------------------- deals and reports


def _my_open_deal(sandbox) -> Opportunity:
    """An open deal of the sandbox, made the learner's own."""
    deal = first(Opportunity, sandbox, Opportunity.stage.in_(profiles.active().open_stages()))
    deal.owner_id = _me(sandbox).id
    db.session.commit()
    return deal


def _move(client, deal: Opportunity, stage: str, **data):
    response = client.post(f"/sandbox/opportunities/{deal.id}/stage", data={"stage": stage, **data})
    db.session.refresh(deal)
    return response


def _next_open_stage(deal: Opportunity) -> str:
    stages = profiles.active().open_stages()
    return stages[(stages.index(deal.stage) + 1) % len(stages)]


def deal_stage(client, sandbox):
    deal = _my_open_deal(sandbox)
    stage = _next_open_stage(deal)
    _ok(_move(client, deal, stage))
    assert deal.stage == stage


def deal_board_move(client, sandbox):
    deal = _my_open_deal(sandbox)
    stage = _next_open_stage(deal)
    response = client.post(
        f"/sandbox/opportunities/{deal.id}/stage",
        data={"stage": stage, "from_board": "1"},
        headers={"HX-Request": "true"},
    )
    _ok(response, 200)
    assert 'data-testid="board"' in response.text
    db.session.refresh(deal)
    assert deal.stage == stage


def deal_history(client, sandbox):
    deal = _my_open_deal(sandbox)
    old, stage = deal.stage, _next_open_stage(deal)
    _ok(_move(client, deal, stage))
    event = last_event(sandbox, "opportunity.stage_changed")
    assert (event.entity_id, event.data["from"], event.data["to"]) == (deal.id, old, stage)
    page = _ok(client.get(f"/sandbox/opportunities/{deal.id}"), 200).text
    history = page.split('data-testid="stage-history"')[1].split("</table>")[0]
    assert profiles.active().label("stage", stage) in history


def deal_note(client, sandbox):
    _note(
        client,
        sandbox,
        "opportunity",
        _my_open_deal(sandbox).id,
        subject="Proposal sent on request after the demo",
    )


def _edit(client, sandbox, deal: Opportunity, **changes):
    data = {
        "name": deal.name,
        "amount": str(deal.amount),
        "close_date": deal.close_date.isoformat() if deal.close_date else "",
        "owner_id": deal.owner_id or "",
        "contact_id": deal.contact_id or "",
        "next_step": deal.next_step,
    }
    data.update({k: str(v) for k, v in changes.items()})
    _ok(client.post(f"/sandbox/opportunities/{deal.id}/edit", data=data))
    db.session.refresh(deal)


def deal_edit(client, sandbox):
    deal = _my_open_deal(sandbox)
    later = db.session.merge(sandbox).today + timedelta(days=45)
    _edit(
        client,
        sandbox,
        deal,
        amount="18500.00",
        close_date=later.isoformat(),
        next_step="Send the revised quote",
    )
    assert (deal.amount, deal.close_date, deal.next_step) == (
        Decimal("18500.00"),
        later,
        "Send the revised quote",
    )


def deal_owner(client, sandbox):
    deal = _my_open_deal(sandbox)
    other = _colleague(sandbox, "sales")
    _edit(client, sandbox, deal, owner_id=other.id)
    assert deal.owner_id == other.id


def deal_close_won(client, sandbox):
    deal = _my_open_deal(sandbox)
    _ok(_move(client, deal, "closed_won", reason="Signed the order"))
    assert (deal.stage, deal.close_date) == ("closed_won", db.session.merge(sandbox).today)
    assert deal.closed_reason == "Signed the order"


def deal_close_lost(client, sandbox):
    deal = _my_open_deal(sandbox)
    refused = _move(client, deal, "closed_lost")
    assert refused.status_code == 422 and deal.stage != "closed_lost"  # a reason is needed
    _ok(_move(client, deal, "closed_lost", reason="Chose a cheaper competitor"))
    assert (deal.stage, deal.closed_reason) == ("closed_lost", "Chose a cheaper competitor")


def pipeline_board(client, sandbox):
    deal = _my_open_deal(sandbox)
    page = _ok(client.get("/sandbox/opportunities"), 200).text
    assert deal.name in page and 'data-testid="weighted"' in page
    assert page.count('data-testid="stage-total"') == len(profiles.active().codes("stage"))
    with current_app.test_request_context():
        shown = current_app.jinja_env.filters["date"](deal.close_date)
    assert shown in page


def report_targets(client, sandbox):
    deal = _my_open_deal(sandbox)
    me = _me(sandbox)

    def won() -> Decimal:
        box = db.session.merge(sandbox)
        return next(
            r.won for r in report_queries.sales_against_target(box) if r.colleague.id == me.id
        )

    before = won()
    _ok(_move(client, deal, "closed_won", reason="Signed"))
    assert won() == before + deal.amount
    page = _ok(client.get("/sandbox/reports"), 200).text
    assert f'data-colleague="{me.id}"' in page.split('data-testid="targets"')[1]
    assert last_event(sandbox, "report.viewed") is not None


# ---------------------------------------------------------------- every action

ACTIONS: dict[str, Callable] = {
    "ticket.create": ticket_create,
    "ticket.view": ticket_view,
    "ticket.sla": ticket_sla,
    "ticket.note": ticket_note,
    "ticket.assign_self": ticket_assign_self,
    "ticket.assign_colleague": ticket_assign_colleague,
    "ticket.hand_over": ticket_hand_over,
    "ticket.category": ticket_category,
    "ticket.priority": ticket_priority,
    "ticket.respond": ticket_respond,
    "ticket.pending": ticket_pending,
    "ticket.resolve": ticket_resolve,
    "ticket.resolve_from_pending": ticket_resolve_from_pending,
    "ticket.close": ticket_close,
    "ticket.set_aside": ticket_set_aside,
    "report.tickets": report_tickets,
    "customer.history": customer_history,
    "customer.search": customer_search,
    "customer.filter": customer_filter,
    "customer.edit": customer_edit,
    "customer.consent": customer_consent,
    "customer.withdraw_consent": customer_withdraw_consent,
    "customer.email": customer_email,
    "customer.purchases": customer_purchases,
    "duplicates.merge_customers": duplicates_merge_customers,
    "duplicates.merge_leads": duplicates_merge_leads,
    "lead.create": lead_create,
    "lead.search": lead_search,
    "lead.duplicate_warning": lead_duplicate_warning,
    "lead.note": lead_note,
    "lead.task": lead_task,
    "task.complete": task_complete,
    "lead.call": lead_call,
    "lead.assign": lead_assign,
    "lead.in_process": lead_in_process,
    "lead.qualify": lead_qualify,
    "lead.recycle": lead_recycle,
    "lead.dead": lead_dead,
    "lead.convert": lead_convert,
    "lead.convert_existing": lead_convert_existing,
    "automation.create": automation_create,
    "automation.preview": automation_preview,
    "automation.edit": automation_edit,
    "automation.switch": automation_switch,
    "clock.advance": clock_advance,
    "outbox.view": outbox_view,
    "automation.consent_skip": automation_consent_skip,
    "automation.anniversary": automation_anniversary,
    "automation.ticket_resolved": automation_ticket_resolved,
    "sandbox.reset": sandbox_reset,
    "deal.stage": deal_stage,
    "deal.board_move": deal_board_move,
    "deal.history": deal_history,
    "deal.note": deal_note,
    "deal.edit": deal_edit,
    "deal.owner": deal_owner,
    "deal.close_won": deal_close_won,
    "deal.close_lost": deal_close_lost,
    "pipeline.board": pipeline_board,
    "report.targets": report_targets,
}


@pytest.mark.parametrize("action", sorted({action for _l, _q, action in _steps()}))
def test_the_lessons_action_works_in_a_fresh_sandbox(client, sandbox, action):
    helper = ACTIONS.get(action)
    assert helper is not None, f"no helper for {action}"
    helper(client, sandbox)
