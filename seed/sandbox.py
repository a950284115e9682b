"""Fake data for one sandbox, deterministic for a seed and cheap to make.

Faker costs tens of microseconds a value, so it runs once per process to fill pools of
names, companies and cities; each sandbox then picks from the pools with its own
random.Random(seed) and is written with bulk inserts.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache

from sqlalchemy import insert

from portal.extensions import db
from sandbox.models import (
    CATEGORIES,
    LEAD_SOURCES,
    PRIORITIES,
    STAGES,
    TIERS,
    Activity,
    Automation,
    Colleague,
    Customer,
    Lead,
    Opportunity,
    Product,
    Purchase,
    SalesTarget,
    Ticket,
)
from seed.people import make_faker

STANDARD = {
    "customers": 200,
    "purchases": 800,
    "leads": 40,
    "opportunities": 25,
    "tickets": 30,
    "activities": 420,
}

PRODUCTS = [
    ("ProScan 200 barcode scanner", "Hardware", 180),
    ("Receipt printer RP-80", "Hardware", 220),
    ("Loyalty card pack (500)", "Supplies", 90),
    ("Point-of-sale terminal", "Hardware", 950),
    ("Inventory software licence", "Software", 400),
    ("Annual support plan", "Service", 300),
    ("Cash drawer", "Hardware", 120),
    ("Label printer", "Hardware", 160),
    ("Customer display", "Hardware", 140),
    ("Online shop add-on", "Software", 250),
    ("Gift voucher stock (1000)", "Supplies", 75),
    ("Installation visit", "Service", 110),
    ("Handheld stock counter", "Hardware", 340),
    ("Staff training day", "Service", 600),
    ("Thermal paper rolls (50)", "Supplies", 45),
]
TICKET_SUBJECTS = {
    "billing": ["Invoice amount looks wrong", "Charged twice this month", "Refund not received"],
    "technical": ["Terminal will not connect", "Software crashes at closing", "Sync errors"],
    "delivery": ["Order arrived late", "Parcel missing an item", "Wrong address on delivery"],
    "defect": ["Scanner stops working", "Printer jams every day", "Display flickers"],
    "return": ["Want to return unused stock", "Return label needed", "Exchange for a bigger size"],
}
INTERESTS = ["hardware", "software", "supplies", "service", "online shop", "training"]


@cache
def pools(size: int = 400) -> dict[str, list]:
    """Names, companies, cities, phones: made by Faker once per process, then reused."""
    faker = make_faker(seed=90210)
    return {
        "first": [faker.first_name() for _ in range(size)],
        "last": [faker.last_name() for _ in range(size)],
        "company": [faker.company() for _ in range(size)],
        "city": [faker.city() for _ in range(60)],
        "phone": [faker.numerify("03##-#######") for _ in range(size)],
        "sentence": [faker.sentence(nb_words=10) for _ in range(120)],
    }


def _email(first: str, last: str, company: str, index: int) -> str:
    domain = "".join(ch for ch in company.lower() if ch.isalnum())[:18] or "example"
    return f"{first.lower()}.{last.lower()}{index}@{domain}.example".replace(" ", "")


def populate(
    sandbox_id: int,
    seed: int,
    now: datetime,
    learner_name: str,
    sizes: dict[str, int] | None = None,
) -> int:
    """Fill one empty sandbox; returns the number of rows written."""
    sizes = STANDARD | (sizes or {})
    rnd = random.Random(seed)
    p = pools()
    today = now.date()
    rows = 0

    def bulk(model, items: list[dict], returning: bool = False) -> list[int]:
        nonlocal rows
        if not items:
            return []
        rows += len(items)
        for item in items:
            item["sandbox_id"] = sandbox_id
        # Plain Core executemany on the session's connection, bypassing the ORM bulk path.
        table = model.__table__
        connection = db.session.connection()
        if returning:
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            return list(connection.execute(statement, items).scalars())
        connection.execute(insert(table), items)
        return []

    colleagues = bulk(
        Colleague,
        [{"name": learner_name, "role": "sales", "is_learner": True}]
        + [
            {
                "name": f"{rnd.choice(p['first'])} {rnd.choice(p['last'])}",
                "role": "sales" if i < 3 else "service",
                "is_learner": False,
            }
            for i in range(5)
        ],
        returning=True,
    )
    sales_people = colleagues[:4]
    products = bulk(
        Product,
        [{"name": n, "category": c, "price": Decimal(v)} for n, c, v in PRODUCTS],
        returning=True,
    )
    prices = {pid: Decimal(v) for pid, (_n, _c, v) in zip(products, PRODUCTS, strict=True)}

    customer_rows = []
    for i in range(sizes["customers"]):
        first, last, company = (
            rnd.choice(p["first"]),
            rnd.choice(p["last"]),
            rnd.choice(p["company"]),
        )
        customer_rows.append(
            {
                "first_name": first,
                "last_name": last,
                "company": company,
                "email": _email(first, last, company, i),
                "phone": rnd.choice(p["phone"]),
                "city": rnd.choice(p["city"]),
                "birthday": today - timedelta(days=rnd.randint(20 * 365, 65 * 365)),
                "customer_since": today - timedelta(days=rnd.randint(30, 8 * 365)),
                "loyalty_card": f"LC{seed % 1000:03d}{i:05d}",
                "tier": rnd.choices(TIERS, weights=(50, 30, 15, 5))[0],
                "preferences": ", ".join(rnd.sample(INTERESTS, 2)),
                "created_at": now,
            }
        )
    customers = bulk(Customer, customer_rows, returning=True)

    purchases = []
    for _ in range(sizes["purchases"]):
        product = rnd.choice(products)
        quantity = rnd.randint(1, 4)
        purchases.append(
            {
                "customer_id": rnd.choice(customers),
                "product_id": product,
                "quantity": quantity,
                "amount": prices[product] * quantity,
                "purchased_on": today - timedelta(days=rnd.randint(1, 3 * 365)),
            }
        )
    bulk(Purchase, purchases)

    leads = []
    for _ in range(sizes["leads"]):
        first, last, company = (
            rnd.choice(p["first"]),
            rnd.choice(p["last"]),
            rnd.choice(p["company"]),
        )
        leads.append(
            {
                "first_name": first,
                "last_name": last,
                "company": company,
                "title": rnd.choice(["Owner", "Manager", "Buyer", "Director"]),
                "email": _email(first, last, company, 9000 + len(leads)),
                "phone": rnd.choice(p["phone"]),
                "source": rnd.choice(LEAD_SOURCES),
                "status": rnd.choices(
                    ["new", "assigned", "in_process", "recycled", "dead"],
                    weights=(35, 20, 25, 10, 10),
                )[0],
                "description": rnd.choice(p["sentence"]),
                "created_at": now - timedelta(days=rnd.randint(0, 60)),
            }
        )
    lead_ids = bulk(Lead, leads, returning=True)

    stages = list(STAGES)
    opportunities = [
        {
            "name": f"{rnd.choice(p['company'])}: {rnd.choice(PRODUCTS)[0]}",
            "customer_id": rnd.choice(customers),
            "owner_id": rnd.choice(sales_people),
            "stage": rnd.choices(stages, weights=(25, 20, 20, 15, 12, 8))[0],
            "amount": Decimal(rnd.randint(5, 200) * 100),
            "close_date": today + timedelta(days=rnd.randint(-30, 90)),
            "closed_reason": "",
            "closed_on": None,
        }
        for _ in range(sizes["opportunities"])
    ]
    for opportunity in opportunities:
        if opportunity["stage"].startswith("closed"):
            opportunity["closed_on"] = today - timedelta(days=rnd.randint(1, 80))
    opportunity_ids = bulk(Opportunity, opportunities, returning=True)

    tickets = []
    for _ in range(sizes["tickets"]):
        category = rnd.choice(CATEGORIES)
        priority = rnd.choices(PRIORITIES, weights=(20, 50, 20, 10))[0]
        opened = now - timedelta(hours=rnd.randint(1, 24 * 20))
        status = rnd.choices(["new", "assigned", "pending", "closed"], weights=(30, 30, 15, 25))[0]
        responded = opened + timedelta(hours=rnd.randint(1, 10)) if status != "new" else None
        resolved = opened + timedelta(hours=rnd.randint(12, 96)) if status == "closed" else None
        tickets.append(
            {
                "customer_id": rnd.choice(customers),
                "subject": rnd.choice(TICKET_SUBJECTS[category]),
                "description": rnd.choice(p["sentence"]),
                "category": category,
                "priority": priority,
                "status": status,
                "assignee_id": rnd.choice(colleagues) if status != "new" else None,
                "opened_at": opened,
                "first_response_due": opened
                + timedelta(hours={"urgent": 1, "high": 4}.get(priority, 8)),
                "resolution_due": opened
                + timedelta(hours={"urgent": 8, "high": 24}.get(priority, 72)),
                "first_responded_at": responded,
                "resolved_at": resolved,
                "resolution": "Solved with the customer." if resolved else "",
                "satisfaction": rnd.randint(3, 5) if resolved else None,
            }
        )
    ticket_ids = bulk(Ticket, tickets, returning=True)

    parents = (
        [("customer", c) for c in customers[:60]]
        + [("lead", i) for i in lead_ids]
        + [("opportunity", o) for o in opportunity_ids]
        + [("ticket", t) for t in ticket_ids]
    )
    activities = []
    for _ in range(sizes["activities"]):
        kind = rnd.choice(["call", "email", "meeting", "note", "task"])
        parent_type, parent_id = rnd.choice(parents)
        activities.append(
            {
                "kind": kind,
                "parent_type": parent_type,
                "parent_id": parent_id,
                "subject": {
                    "call": "Called",
                    "email": "Emailed",
                    "meeting": "Met",
                    "note": "Note",
                    "task": "Follow up",
                }[kind]
                + " "
                + rnd.choice(p["first"]),
                "body": rnd.choice(p["sentence"]),
                "due_on": today + timedelta(days=rnd.randint(-3, 10)) if kind == "task" else None,
                "done": kind != "task" or rnd.random() < 0.4,
                "at": now - timedelta(hours=rnd.randint(1, 24 * 30)),
            }
        )
    bulk(Activity, activities)

    quarter_start = today.replace(day=1)
    bulk(
        SalesTarget,
        [
            {
                "owner_id": c,
                "period_start": quarter_start,
                "period_end": quarter_start + timedelta(days=89),
                "amount": Decimal(rnd.randint(20, 60) * 1000),
            }
            for c in sales_people
        ],
    )
    bulk(
        Automation,
        [
            {
                "name": "Ticket resolved: satisfaction survey",
                "trigger": "ticket_resolved",
                "subject": "How did we do, {first_name}?",
                "body": "Dear {first_name},\n\nYour case is resolved. Reply to tell us how "
                "we did.\n\nThank you,\n{company_name}",
                "active": False,
            }
        ],
    )
    return rows
