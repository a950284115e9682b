"""Row builders for one sandbox's fake data: plain dicts, ready for a Core executemany.

Over 400 lines: one builder per table, kept together because each takes the rows the
previous ones made (people before their purchases, purchases before tickets about them).

Each builder draws from the Faker pools with the sandbox's own `Draw`, so the same seed
always gives the same rows; `sandbox.fill.company.populate` inserts them and links the ids.
"""

from __future__ import annotations

import bisect
import itertools
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from faker.decode import unidecode

from sandbox import profiles
from sandbox.fill.text import (
    ACTIVITIES,
    DEAL_NAME,
    INTERESTS,
    JOB_TITLES,
    LEAD_NOTES,
    LOST_REASONS,
    PRODUCT_WEIGHTS,
    PRODUCTS,
    RESOLUTIONS,
    TICKETS,
    WON_REASONS,
    stored,
    stored_form,
    stored_interests,
)
from sandbox.models import CATEGORIES, LEAD_SOURCES, TIERS
from sandbox.models_storage import SEP

# how many of a product one purchase takes, and what that costs
MAX_QUANTITY = [10 if category == "supplies" else 3 for _n, category, _v in PRODUCTS]
AMOUNTS = [[Decimal(price) * q for q in range(11)] for _n, _c, price in PRODUCTS]
PRICES = [price for _n, _c, price in PRODUCTS]
CATEGORY_OF = [category for _n, category, _p in PRODUCTS]
ANYONE = {"first_name": "the customer", "company": "the shop"}
TIER_RANK = {tier: rank for rank, tier in enumerate(TIERS)}


def _coder(draw, group: str):
    """`code(role)`: a stored code for `role` in the active CRM profile, the role's own or
    one of the profile's codes that play it (Salesforce's Needs Analysis for
    qualification). The profile is looked up once, each role's codes once."""
    plays, known = profiles.active().plays, {}

    def code(role: str) -> str:
        codes = known.get(role)
        if codes is None:
            codes = known[role] = plays(group, role)
        return codes[0] if len(codes) == 1 else draw.pick(codes)

    return code


class Draw:
    """Fast draws from one seeded generator (random.randint costs ~10x random())."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed).random

    def pick(self, items):
        """One item, uniformly."""
        return items[int(self.random() * len(items))]

    def between(self, low: int, high: int) -> int:
        """A whole number from low to high, both included."""
        return low + int(self.random() * (high - low + 1))

    def chance(self, probability: float) -> bool:
        """True with this probability."""
        return self.random() < probability

    def weighted(self, items, weights):
        """A picker for `items` with these relative weights."""
        cumulative = list(itertools.accumulate(weights))
        total = cumulative[-1]
        return lambda: items[bisect.bisect_right(cumulative, self.random() * total)]

    def spread(self, items, weights, count: int) -> list:
        """`count` items in these proportions exactly (as near as whole numbers go), in a
        shuffled order: a small sample still shows every status, stage or category."""
        total = sum(weights)
        exact = [count * w / total for w in weights]
        counts = [int(x) for x in exact]
        by_remainder = sorted(range(len(items)), key=lambda i: counts[i] - exact[i])
        for i in by_remainder[: count - sum(counts)]:
            counts[i] += 1
        out = [item for item, n in zip(items, counts, strict=True) for _ in range(n)]
        for i in range(len(out) - 1, 0, -1):  # Fisher-Yates, on our own generator
            j = int(self.random() * (i + 1))
            out[i], out[j] = out[j], out[i]
        return out


def email_key(text: str, limit: int = 24) -> str:
    """Lower-case ASCII letters and digits only, for the parts of a made-up email address
    (a name in another script is transliterated first)."""
    return "".join(ch for ch in unidecode(text).lower() if ch.isascii() and ch.isalnum())[:limit]


def _person(draw: Draw, p: dict) -> tuple[str, str, str, str]:
    """First name, last name, company, and an email address at that company."""
    i, j, k = (int(draw.random() * len(p["first"])) for _ in range(3))
    email = f"{p['first_key'][i]}.{p['last_key'][j]}@{p['domain'][k]}.example"
    return p["first"][i], p["last"][j], p["company"][k], email


# Where retail customers' own email addresses are (made up: .example never resolves).
MAILBOXES = ["mail", "inbox", "post", "webmail"]
# One customer in five buys for a business; a business has 1-4 contacts with us.
BUSINESS_SHARE = 0.2
CONSENT_CHANNELS = ["web", "visit", "email", "phone"]


def customers(draw: Draw, p: dict, today, seed: int, count: int) -> list[dict]:
    """`count` people with a unique email and a loyalty card: most buy for themselves,
    one in five for a business (`company` names it; `accounts` makes the companies).
    Seven in ten have agreed to marketing email, on the day they joined or later."""
    taken: set[str] = set()
    rows = []
    card_prefix = 100 + seed % 900
    day = today.toordinal()
    # The draws of `_person`, `Draw.pick`, `between` and `chance`, inlined: this loop
    # runs for every customer of every new sandbox.
    random, fromordinal = draw.random, date.fromordinal
    first, last, company_names = p["first"], p["last"], p["company"]
    first_key, last_key, domain, phones, cities = (
        p["first_key"],
        p["last_key"],
        p["domain"],
        p["phone"],
        p["city"],
    )
    n_first, n_last, n_company = len(first), len(last), len(company_names)
    n_phones, n_cities, n_titles = len(phones), len(cities), len(JOB_TITLES)
    titles = [stored(title) for title in JOB_TITLES]
    for i in range(count):
        a, b, k = int(random() * n_first), int(random() * n_last), int(random() * n_company)
        if random() < BUSINESS_SHARE:
            company = company_names[k]
            email = f"{first_key[a]}.{last_key[b]}@{domain[k]}.example"
        else:
            company = ""
            mailbox = MAILBOXES[int(random() * 4)]
            email = f"{first_key[a]}.{last_key[b]}@{mailbox}.example"
        if email in taken:
            email = email.replace("@", f"{i}@")
        taken.add(email)
        since = day - 30 - int(random() * (8 * 365 - 29))
        consent = random() < 0.7
        rows.append(
            {
                "is_company": False,
                "first_name": first[a],
                "last_name": last[b],
                "company": company,
                "title": titles[int(random() * n_titles)] if company else "",
                "email": email,
                "phone": phones[int(random() * n_phones)],
                "city": cities[int(random() * n_cities)],
                "birthday": fromordinal(day - 22 * 365 - int(random() * (46 * 365 + 1))),
                "customer_since": fromordinal(since),
                "loyalty_card": f"LC-{card_prefix}-{i + 1:05d}",
                "email_consent": consent,
                "consent_at": _at_hour(since + int(random() * (day - since)), 9 + int(random() * 9))
                if consent
                else None,
                "consent_channel": CONSENT_CHANNELS[int(random() * 4)] if consent else "",
                "lead_id": None,
            }
        )
    return rows


def _at_hour(day: int, hour: int) -> datetime:
    """That day (an ordinal) at that whole hour, UTC."""
    return datetime(1, 1, 1, hour, tzinfo=UTC) + timedelta(day - 1)


def accounts(people: list[dict]) -> tuple[list[dict], list[int | None]]:
    """The company accounts the business buyers work for, and for each person the index
    of their company in that list (None for a person who is their own account). A company
    is a customer since its first contact was, and has its best contact's tier."""
    companies: list[dict] = []
    index: dict[str, int] = {}
    of_person: list[int | None] = []
    for person in people:
        name = person["company"]
        if not name:
            of_person.append(None)
            continue
        if name not in index:
            index[name] = len(companies)
            domain = person["email"].split("@")[1]
            companies.append(
                {
                    "is_company": True,
                    "first_name": "",
                    "last_name": "",
                    "company": name,
                    "title": "",
                    "email": f"info@{domain}",
                    "phone": person["phone"],
                    "city": person["city"],
                    "birthday": None,
                    "customer_since": person["customer_since"],
                    "loyalty_card": "",
                    "tier": person["tier"],
                    "preferences": person["preferences"],
                    "email_consent": False,
                    "consent_at": None,
                    "consent_channel": "",
                    "lead_id": None,
                }
            )
        company = companies[index[name]]
        company["customer_since"] = min(company["customer_since"], person["customer_since"])
        if TIER_RANK[person["tier"]] > TIER_RANK[company["tier"]]:
            company["tier"] = person["tier"]
        of_person.append(index[name])
    return companies, of_person


def purchases(draw: Draw, people: list[dict], today, count: int) -> list[dict]:
    """Purchases after each customer joined; some customers buy far more than others."""
    cumulative = list(itertools.accumulate(PRODUCT_WEIGHTS))  # Draw.weighted, inlined
    total, pick = cumulative[-1], bisect.bisect_right
    random, size, day = draw.random, len(people), today.toordinal()
    fromordinal = date.fromordinal
    member_for = [max(1, day - c["customer_since"].toordinal()) for c in people]
    rows = []
    for _ in range(count):  # the hottest loop of a sandbox's creation: kept plain
        index = int(size * random() ** 1.7)
        item = pick(cumulative, random() * total)
        quantity = 1 + int(random() * MAX_QUANTITY[item])
        rows.append(
            {
                "customer": index,
                "product_id": item,
                "quantity": quantity,
                "amount": AMOUNTS[item][quantity],
                "purchased_on": fromordinal(day - 1 - int(random() * member_for[index])),
            }
        )
    return rows


def tiers_and_interests(draw: Draw, people: list[dict], bought: list[dict]) -> None:
    """Tier from lifetime spend (top 5% platinum, 15% gold, 30% silver); interests from
    what each customer buys."""
    spend = [0] * len(people)
    likes: list[dict[str, int]] = [{} for _ in people]
    for row in bought:
        customer, item = row["customer"], row["product_id"]
        spend[customer] += PRICES[item] * row["quantity"]  # whole numbers: as the amounts
        liked, category = likes[customer], CATEGORY_OF[item]
        liked[category] = liked.get(category, 0) + 1
    ranked = sorted(range(len(people)), key=lambda i: -spend[i])
    random, size = draw.random, max(1, len(people))
    for rank, index in enumerate(ranked):
        share = rank / size
        person, liked = people[index], likes[index]
        if share < 0.05:
            person["tier"] = "platinum"
        elif share < 0.20:
            person["tier"] = "gold"
        elif share < 0.50:
            person["tier"] = "silver"
        else:
            person["tier"] = "bronze"
        top = sorted(liked, key=liked.__getitem__, reverse=True)[:2]  # stable: ties keep order
        extra = INTERESTS[int(random() * len(INTERESTS))]
        person["preferences"] = stored_interests(tuple(dict.fromkeys([*top, extra])))


def leads(
    draw: Draw, p: dict, now: datetime, count: int, people, ids, account_ids, sales=()
) -> list[dict]:
    """Leads in every status; converted ones are some of the customers (`ids` the people's
    ids, `account_ids` the account each buys for). Every lead past New has an owner, one of
    the `sales` colleagues' ids in turn (no draw, so the rest of the fill stays the same)."""
    statuses = draw.spread(
        ["new", "assigned", "in_process", "recycled", "dead", "converted"],
        [30, 15, 25, 10, 10, 10],
        count,
    )
    source = draw.weighted(LEAD_SOURCES, [10, 8, 6, 5, 3, 14, 8, 6, 10, 3])
    status = _coder(draw, "lead_status")
    rows = []
    for i, state in enumerate(statuses):
        person = None
        if state == "converted":
            index = draw.between(0, len(people) - 1)
            person = people[index]
            first, last, company = person["first_name"], person["last_name"], person["company"]
            email = person["email"]
        else:
            first, last, company, email = _person(draw, p)
            email = email.replace("@", f".{i}@")  # never the same as a customer's
        rows.append(
            {
                "first_name": first,
                "last_name": last,
                "company": company,
                "title": stored(draw.pick(JOB_TITLES)),
                "email": email,
                "phone": person["phone"] if person else draw.pick(p["phone"]),
                "source": source(),
                "status": status(state),
                "description": stored(
                    draw.pick(LEAD_NOTES),
                    product=int(draw.random() * len(PRODUCTS)),
                    quantity=draw.between(2, 6),
                ),
                "converted_customer_id": account_ids[index] if person else None,
                "converted_contact_id": ids[index] if person else None,
                "converted_opportunity_id": None,
                "owner_id": sales[i % len(sales)] if sales and state != "new" else None,
                "created_at": now - timedelta(hours=draw.between(2, 24 * (90 if person else 45))),
            }
        )
    return rows


def opportunities(draw: Draw, today, count: int, ids, account_of, names, sales, converted):
    """Deals at every stage, each with an account and the contact there; the first ones
    come from the converted leads (`converted`: lead id, contact id). Business accounts
    buy in quantity, so most deals are theirs."""
    stages = draw.spread(
        ["prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"],
        [25, 20, 20, 15, 12, 8],
        count,
    )
    business = [i for i in ids if account_of[i] != i] or ids
    # Won deals mostly closed this quarter, so the target report has something to show.
    this_quarter = max(1, (today - today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)).days)
    stage = _coder(draw, "stage")
    rows = []
    for i, state in enumerate(stages):
        lead_id, contact_id = converted[i] if i < len(converted) else (None, None)
        if contact_id is None:
            pool = business if draw.chance(0.7) else ids
            contact_id = pool[int(len(pool) * draw.random() ** 2)]
        customer_id = account_of[contact_id]
        product = int(draw.random() * len(PRODUCTS))  # Draw.pick, keeping the place
        price = PRODUCTS[product][2]
        quantity = draw.between(2, 25)
        closed = state.startswith("closed")
        if state == "closed_won":
            close_date = today - timedelta(days=draw.between(1, min(this_quarter, 60)))
        elif closed:
            close_date = today - timedelta(days=draw.between(1, 80))
        else:
            close_date = today + timedelta(days=draw.between(-7, 90))
        rows.append(
            {
                "name": stored(DEAL_NAME, account=names[customer_id], product=product),
                "customer_id": customer_id,
                "contact_id": contact_id,
                "owner_id": draw.pick(sales),
                "stage": stage(state),
                "amount": Decimal(round(price * quantity, -2) or 100),
                "close_date": close_date,
                "closed_on": close_date if closed else None,
                "closed_reason": stored(
                    draw.pick(WON_REASONS if state == "closed_won" else LOST_REASONS)
                )
                if closed
                else "",
                "lead_id": lead_id,
            }
        )
    return rows


def tickets(
    draw, now, count, by_customer, account_of, product_of, product_place, agents
) -> list[dict]:
    """Open tickets opened recently (some past a deadline), finished ones over the month;
    deadlines from the CRM profile's SLA policy. The buyer (`by_customer`: person id to
    their purchase ids) is the contact; the ticket belongs to their account.
    `product_place`: a product id's place in PRODUCTS."""
    sla = profiles.active().sla
    kinds = draw.spread(CATEGORIES, [20, 30, 15, 25, 10], count)
    levels = draw.spread(["low", "normal", "high", "urgent"], [20, 50, 20, 10], count)
    states = draw.spread(
        ["new", "assigned", "pending", "closed", "rejected", "duplicate"],
        [20, 30, 15, 27, 4, 4],
        count,
    )
    buyers = list(by_customer)
    status = _coder(draw, "ticket_status")
    rows = []
    for kind, level, state in zip(kinds, levels, states, strict=True):
        contact_id = draw.pick(buyers)
        purchase_id = draw.pick(by_customer[contact_id])
        subject, description = draw.pick(TICKETS[kind])
        target = sla.targets[level]
        respond_in, resolve_in = (round(h * 60) for h in (target.first_response, target.resolution))
        if state == "new":
            age = draw.between(10, respond_in * 2)
        elif state in ("assigned", "pending"):
            age = draw.between(respond_in, resolve_in * 13 // 10)
        else:
            age = draw.between(60 * 24 * 2, 60 * 24 * 30)
        opened = now - timedelta(minutes=age)
        answered = state != "new"
        responded = opened + timedelta(minutes=draw.between(respond_in // 5, respond_in * 7 // 5))
        resolved = opened + timedelta(minutes=draw.between(resolve_in // 4, resolve_in * 13 // 10))
        done = state == "closed"
        rows.append(
            {
                "customer_id": account_of[contact_id],
                "contact_id": contact_id,
                "purchase_id": purchase_id,
                "subject": stored(subject),
                "description": stored(description, product=product_place[product_of[purchase_id]]),
                "category": kind,
                "priority": level,
                "status": status(state),
                "assignee_id": draw.pick(agents) if answered else None,
                "opened_at": opened,
                "first_response_due": sla.due(opened, level, "first_response"),
                "resolution_due": sla.due(opened, level, "resolution"),
                "first_responded_at": min(responded, now) if answered else None,
                "resolved_at": min(resolved, now) if done else None,
                "resolution": stored(RESOLUTIONS[kind]) if done else "",
                "satisfaction": draw.between(2, 5) if done else None,
            }
        )
    return rows


def activities(draw: Draw, now: datetime, count: int, parents, contact) -> list[dict]:
    """Calls, emails, meetings, notes and tasks over the last two months, on any record."""
    kinds = ["call", "email", "meeting", "note", "task"]
    cumulative = list(itertools.accumulate([30, 25, 10, 20, 15]))  # Draw.weighted, inlined
    total, pick = cumulative[-1], bisect.bisect_right
    random, today = draw.random, now.date()
    due_days = [today + timedelta(days=days) for days in range(-5, 15)]
    latest, n_parents, n_products = now - timedelta(minutes=30), len(parents), len(PRODUCTS)
    # Per kind, each (subject, body) as stored: the subject's code, the body's code without
    # its fields, and the names of those.
    forms = {
        what: [(stored(subject), *stored_form(body)) for subject, body in said]
        for what, said in ACTIVITIES.items()
    }
    rows = []
    for _ in range(count):
        parent = parents[int(random() * n_parents)]
        what = kinds[pick(cumulative, random() * total)]
        said = forms[what]
        subject, body, names = said[int(random() * len(said))]
        if names:
            person = contact.get(parent) or ANYONE
            values = {
                "first_name": person["first_name"],
                "company": person["company"],
                "product": str(int(random() * n_products)),
                "quantity": str(2 + int(random() * 9)),
            }
            body += SEP.join([values[name] for name in names])
        is_task = what == "task"
        rows.append(
            {
                "kind": what,
                "parent_type": parent[0],
                "parent_id": parent[1],
                "subject": subject,
                "body": body,
                "due_on": due_days[int(random() * 20)] if is_task else None,
                "done": not is_task or random() < 0.4,
                "at": latest - timedelta(0, 60 * int(random() * 60 * 24 * 60)),
            }
        )
    return rows
