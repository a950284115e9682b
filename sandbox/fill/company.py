"""Fake data for one sandbox, deterministic for a seed and cheap to make.

Faker costs tens of microseconds a value, so it runs once per process to fill pools of
names, companies, cities and phone numbers (`pools()`, cached). Each sandbox then draws
from the pools with its own random.Random(seed) and is written with one executemany per
table (on SQLite a plain one, `_plain_insert`): about 1,500 rows in about 20 ms of CPU on
SQLite, 1.2 times a plain Core executemany of the same rows (bench/sandbox_seed.py).

The data hangs together: purchases fall after the customer joined and decide the
customer's tier and interests; tickets are about something the customer bought, with SLA
deadlines from their priority; converted leads link to their customer and deal; the
learner's own colleague record starts with no deals and no target (exercises add them).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from itertools import repeat
from operator import itemgetter

from flask import current_app, has_app_context
from sqlalchemy import insert

import sandbox.fill.duplicates as twice
import sandbox.fill.rows as rows
from portal.extensions import db
from sandbox.fill.fakes import DEFAULT_LOCALES, faker_locales, make_faker
from sandbox.fill.rows import Draw
from sandbox.fill.text import PRODUCTS
from sandbox.models import (
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

STANDARD = {
    "customers": 200,
    "purchases": 800,
    "leads": 40,
    "opportunities": 25,
    "tickets": 30,
    "activities": 420,
}


@cache
def pools(locales: tuple[str, ...] = DEFAULT_LOCALES, size: int = 400) -> dict[str, list]:
    """Names, companies, cities, phones: made by Faker once per process, then reused."""
    faker = make_faker(seed=90210, locales=locales)
    first = [faker.first_name() for _ in range(size)]
    last = [faker.last_name() for _ in range(size)]
    company = [faker.company() for _ in range(size)]
    return {
        "first": first,
        "last": last,
        "company": company,
        # ready-made email address parts, so that a sandbox only glues them together
        "first_key": [rows.email_key(name) or "contact" for name in first],
        "last_key": [rows.email_key(name) or "x" for name in last],
        "domain": [rows.email_key(name) or "example" for name in company],
        "city": [faker.city() for _ in range(40)],
        "phone": [faker.numerify("03##-#######") for _ in range(size)],
    }


@cache
def _highest_ids_sql(tables: tuple[str, ...]) -> str:
    """SQLite: each table's highest id (0 when empty), one row per table."""
    return " UNION ALL ".join(
        f"SELECT {number}, coalesce(max(id), 0) FROM {table}" for number, table in enumerate(tables)
    )


@cache
def _next_ids_sql(tables: tuple[str, ...]) -> str:
    """PostgreSQL: `%d` new ids from each table's sequence; plain SQL, so that no statement
    is compiled per sandbox."""
    return " UNION ALL ".join(
        f"SELECT {number}, nextval(pg_get_serial_sequence('{table}', 'id')) "
        "FROM generate_series(1, %d)"
        for number, table in enumerate(tables)
    )


class _Writer:
    """Bulk inserts for one sandbox: one executemany per table, the rows' ids handed out
    beforehand in one query for every table (`reserve`), so that rows carry their links
    when they are inserted and nothing is read back or updated afterwards."""

    def __init__(self, sandbox_id: int) -> None:
        self.sandbox_id = sandbox_id
        self.connection = db.session.connection()
        self.rows = 0

    def reserve(self, counts: list[tuple[type, int]]) -> list[list[int]]:
        """New ids for `count` rows of each model, ascending, in one query.

        PostgreSQL: the tables' own sequences (`nextval`), as an insert would draw them.
        SQLite: the ids it would give itself, after each table's highest; the write lock
        (taken here if the transaction has not written yet) keeps anyone else from
        inserting before our rows are in.
        """
        postgres = self.connection.dialect.name == "postgresql"
        if not postgres and not self.connection.connection.driver_connection.in_transaction:
            self.connection.exec_driver_sql("BEGIN IMMEDIATE")
        tables = tuple(model.__tablename__ for model, _count in counts)
        numbers = [count for _model, count in counts]
        if postgres:
            statement = _next_ids_sql(tables) % tuple(numbers)  # our own whole numbers
        else:
            statement = _highest_ids_sql(tables)
        found: list[list[int]] = [[] for _ in counts]
        for part, row_id in self.connection.exec_driver_sql(statement):
            found[part].append(row_id)
        if postgres:
            return [sorted(ids) for ids in found]
        return [
            list(range(top + 1, top + 1 + count))
            for [top], count in zip(found, numbers, strict=True)
        ]

    def insert(self, model, items: list[dict]) -> None:
        """Insert `items` (with their ids, if reserved) in one executemany."""
        for item in items:
            item["sandbox_id"] = self.sandbox_id
        self.rows += len(items)
        if not items:
            return
        dialect = self.connection.dialect
        plan = None
        if dialect.name == "sqlite":
            plan = _plain_insert(model.__table__, tuple(items[0]), dialect)
        if plan is None:
            self.connection.execute(insert(model.__table__), items)
            return
        statement, bound = plan
        self.connection.exec_driver_sql(statement, bound(items))


@cache
def _plain_insert(table, keys: tuple[str, ...], dialect):
    """SQLite: (the INSERT's SQL, a function from the rows' dicts to their bound values), or
    None where a column the rows leave out has a default made per row.

    What Core's executemany does per row, done once per table: the columns' bind
    conversions (a sandbox time to whole seconds) looked up, the defaults of the columns
    left out worked out. Core builds a parameter dict per row and looks each conversion
    up again: creation took 1.6 times a plain Core executemany with it, 1.2 without.
    """
    columns = [table.c[key] for key in keys]
    constants = []  # as Core does: a Python default bound, else the database's own
    for column in table.c:
        default = column.default
        if column.key in keys or default is None:
            continue
        if not default.is_scalar:
            return None
        constants.append((column, default.arg))
    names = columns + [column for column, _value in constants]
    quote = dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in names)}) "
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    fixed = tuple(_bound(column, value, dialect) for column, value in constants)
    converts = [_converter(column, dialect) for column in columns]
    steps = [(i, convert) for i, convert in enumerate(converts) if convert is not None]
    pick = itemgetter(*keys) if len(keys) > 1 else (lambda row, key=keys[0]: (row[key],))

    def bound(rows: list[dict]) -> list[tuple]:
        """The rows' values in the statement's order, converted a column at a time."""
        if any(len(row) != len(keys) for row in rows):
            raise ValueError(f"{table.name}: rows with other keys than {keys}")
        values = list(zip(*map(pick, rows), strict=True))
        for i, convert in steps:
            values[i] = map(convert, values[i])
        values += [repeat(value, len(rows)) for value in fixed]
        return list(zip(*values, strict=True))

    return statement, bound


def _converter(column, dialect):
    """What the column's type does to a value it binds on this database, or None."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _bound(column, value, dialect):
    """A constant as the column's type binds it."""
    convert = _converter(column, dialect)
    return value if convert is None or value is None else convert(value)


def populate(
    sandbox_id: int,
    seed: int,
    now: datetime,
    learner_name: str,
    sizes: dict[str, int] | None = None,
) -> int:
    """Fill one sandbox with a believable company's data; returns the rows written."""
    sizes = STANDARD | (sizes or {})
    language = current_app.config["BABEL_DEFAULT_LOCALE"] if has_app_context() else "en"
    draw, p, today = Draw(seed), pools(faker_locales(language)), now.date()
    out = _Writer(sandbox_id)

    # 1. The company's people and catalogue, and its customers.
    team = [{"name": learner_name, "role": "sales", "is_learner": True}] + [
        {
            "name": f"{draw.pick(p['first'])} {draw.pick(p['last'])}",
            "role": "sales" if i < 3 else "service",
            "is_learner": False,
        }
        for i in range(5)
    ]
    catalogue = [
        {"name": n, "category": c.capitalize(), "price": Decimal(v)} for n, c, v in PRODUCTS
    ]
    people = rows.customers(draw, p, today, seed, sizes["customers"])
    twice.entered_twice(people)  # as real customer lists have, for the Duplicates page
    bought = rows.purchases(draw, people, today, sizes["purchases"])
    rows.tiers_and_interests(draw, people, bought)
    companies, company_of = rows.accounts(people)
    everyone = companies + people
    colleagues, product_ids, everyone_ids, purchase_ids, lead_ids, deal_ids, ticket_ids = (
        out.reserve(
            [
                (Colleague, len(team)),
                (Product, len(catalogue)),
                (Customer, len(everyone)),
                (Purchase, len(bought)),
                (Lead, sizes["leads"]),
                (Opportunity, sizes["opportunities"]),
                (Ticket, sizes["tickets"]),
            ]
        )
    )
    for records, ids in ((team, colleagues), (catalogue, product_ids), (everyone, everyone_ids)):
        for record, record_id in zip(records, ids, strict=True):
            record["id"] = record_id
    sales, service = colleagues[1:4], colleagues[4:]
    company_ids, customer_ids = everyone_ids[: len(companies)], everyone_ids[len(companies) :]
    works_at = [
        (cid, company_ids[at])
        for cid, at in zip(customer_ids, company_of, strict=True)
        if at is not None
    ]
    for person, at in zip(people, company_of, strict=True):
        person["company_id"] = None if at is None else company_ids[at]
    for company in companies:
        company["company_id"] = None
    # The account each person buys for: their company, or themselves.
    account_of = dict(zip(customer_ids, customer_ids, strict=True)) | dict(works_at)
    account_ids = [account_of[cid] for cid in customer_ids]

    # 2. What they bought, and the leads (some already converted into those customers).
    for purchase, purchase_id in zip(bought, purchase_ids, strict=True):
        purchase["id"] = purchase_id
        purchase["product_id"] = product_ids[purchase["product_id"]]
        purchase["customer_id"] = customer_ids[purchase.pop("customer")]
    leads = rows.leads(draw, p, now, sizes["leads"], people, customer_ids, account_ids, sales)
    twice.lead_logged_twice(leads)
    for lead, lead_id in zip(leads, lead_ids, strict=True):
        lead["id"] = lead_id

    # 3. Deals (those from converted leads linked both ways) and after-sale tickets.
    by_customer: dict[int, list[int]] = {}
    for purchase_id, purchase in zip(purchase_ids, bought, strict=True):
        by_customer.setdefault(purchase["customer_id"], []).append(purchase_id)
    product_of = {pid: row["product_id"] for pid, row in zip(purchase_ids, bought, strict=True)}
    product_place = {pid: place for place, pid in enumerate(product_ids)}
    converted = [
        (lid, row["converted_contact_id"])
        for lid, row in zip(lead_ids, leads, strict=True)
        if row["converted_contact_id"] is not None
    ]
    names = dict(zip(customer_ids, people, strict=True))
    names |= dict(zip(company_ids, companies, strict=True))
    titles = {
        cid: row["company"] if row.get("is_company") else f"{row['first_name']} {row['last_name']}"
        for cid, row in names.items()
    }
    deals = rows.opportunities(
        draw, today, sizes["opportunities"], customer_ids, account_of, titles, sales, converted
    )
    tickets = rows.tickets(
        draw,
        now,
        sizes["tickets"],
        by_customer,
        account_of,
        product_of,
        product_place,
        service + sales[:1],
    )
    for records, ids in ((deals, deal_ids), (tickets, ticket_ids)):
        for record, record_id in zip(records, ids, strict=True):
            record["id"] = record_id
    opportunity_of = {row["lead_id"]: did for did, row in zip(deal_ids, deals, strict=True)}
    for lead in leads:
        lead["converted_opportunity_id"] = opportunity_of.get(lead["id"])
    for lid, cid in converted:
        names[cid]["lead_id"] = lid
    for record in everyone:
        record["created_at"] = now
    # In the order their foreign keys need: colleagues and products, companies before
    # their people, leads (after the people they became), deals and tickets.
    out.insert(Colleague, team)
    out.insert(Product, catalogue)
    out.insert(Customer, everyone)
    out.insert(Purchase, bought)
    out.insert(Lead, leads)
    out.insert(Opportunity, deals)
    out.insert(Ticket, tickets)

    # 4. The activity history on all of it, sales targets, a switched-off automation.
    parents = (
        [("customer", cid) for cid in customer_ids]
        + [("customer", cid) for cid in customer_ids[: len(customer_ids) // 4]]
        + [("customer", cid) for cid in company_ids]
        + [("lead", lid) for lid in lead_ids]
        + [("opportunity", did) for did in deal_ids]
        + [("ticket", tid) for tid in ticket_ids]
    )
    contact = {("customer", cid): names[cid] for cid in customer_ids}
    for cid, company_id in reversed(works_at):  # a company's notes speak to its first contact
        contact[("customer", company_id)] = names[cid]
    contact |= {("lead", lid): row for lid, row in zip(lead_ids, leads, strict=True)}
    contact |= {
        ("opportunity", did): names[row["contact_id"]]
        for did, row in zip(deal_ids, deals, strict=True)
    }
    contact |= {
        ("ticket", tid): names[row["contact_id"]]
        for tid, row in zip(ticket_ids, tickets, strict=True)
    }
    out.insert(Activity, rows.activities(draw, now, sizes["activities"], parents, contact))

    quarter = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    quarter_end = (quarter + timedelta(days=95)).replace(day=1) - timedelta(days=1)
    out.insert(
        SalesTarget,
        [
            {
                "owner_id": c,
                "period_start": quarter,
                "period_end": quarter_end,
                "amount": Decimal(draw.between(10, 20) * 1000),
            }
            for c in sales
        ],
    )
    out.insert(
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
    return out.rows
