"""Finding and merging duplicates: people, companies and leads entered twice.

Finding reads one narrow SELECT per table (id, names, email, phone) and groups in one pass,
so the page costs the same number of queries at 200 customers as at 2,000. Two records are
linked when they share an email, a phone (digits only, the last ten, so "0300-1234567" and
"+92 300 1234567" match) or a close name: the same words in any order, case and accents
aside, or one typing slip apart (a letter changed, added, dropped, or two swapped). That
last test is done here, in a few lines, rather than with a fuzzy-matching library: names
are bucketed by their one-letter deletions (the symmetric-delete idea), so only names in a
shared bucket are compared, and a stricter check then keeps exactly the one-slip pairs.
A group is every record reachable through such links.

Merging works as the merge screens of Salesforce and EspoCRM do: one record survives, and
for each field the learner picks whose value it keeps. Everything that pointed at the
others (tickets, deals, purchases, outbox emails, activities, contacts at a company, the
leads converted into them) then points at the survivor; the others are deleted and one
event records it. The view runs it in one transaction, so an error leaves nothing merged.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from faker.decode import unidecode
from flask_babel import gettext as _
from sqlalchemy import select, update

from portal.accounts.models import User
from portal.extensions import db
from sandbox.models import (
    Activity,
    Customer,
    Lead,
    Opportunity,
    OutboxEmail,
    Purchase,
    Sandbox,
    Ticket,
)
from sandbox.services.core import delete_records
from sandbox.services.events import SandboxError, log_event

# The kinds of record that may merge with each other (never across kinds).
KINDS = ("person", "company", "lead")
# What the learner chooses between, per kind: a choice name and the columns it carries
# (consent goes with its date and channel; where a person works, with the company's name).
MERGE_FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "person": {
        "first_name": ("first_name",),
        "last_name": ("last_name",),
        "works_for": ("company_id", "company"),
        "title": ("title",),
        "email": ("email",),
        "phone": ("phone",),
        "city": ("city",),
        "birthday": ("birthday",),
        "loyalty_card": ("loyalty_card",),
        "tier": ("tier",),
        "preferences": ("preferences",),
        "consent": ("email_consent", "consent_at", "consent_channel"),
    },
    "company": {
        "company": ("company",),
        "email": ("email",),
        "phone": ("phone",),
        "city": ("city",),
        "tier": ("tier",),
        "preferences": ("preferences",),
    },
    "lead": {
        "first_name": ("first_name",),
        "last_name": ("last_name",),
        "company": ("company",),
        "title": ("title",),
        "email": ("email",),
        "phone": ("phone",),
        "source": ("source",),
        "description": ("description",),
    },
}
CHOICES = tuple(dict.fromkeys(name for fields in MERGE_FIELDS.values() for name in fields))
# Words that say what kind of company it is, not which one: "Acme Ltd" is "Acme Limited".
LEGAL_WORDS = frozenset(
    "inc incorporated ltd limited llc plc corp corporation co company pvt gmbh".split()
)
# Shorter names than this (letters and spaces) match only exactly: "Li Wu" is not "Li Xu".
FUZZY_MIN = 8
MIN_PHONE_DIGITS = 7


def email_key(email: str) -> str:
    """An email address compared without case or surrounding spaces."""
    return email.strip().lower()


def phone_key(phone: str) -> str:
    """Digits only, the last ten: the same number written with or without country code,
    spaces or dashes. Too few digits to be a phone number gives ""."""
    digits = "".join(ch for ch in phone if ch.isascii() and ch.isdigit())
    return digits[-10:] if len(digits) >= MIN_PHONE_DIGITS else ""


def name_key(name: str, company: bool = False) -> str:
    """A name's words in ASCII lower case, sorted ("Smith, John" is "John Smith"); a
    company's legal form is left out."""
    text = unidecode(name).lower().replace("&", " and ")
    words = re.findall(r"[a-z0-9]+", text)
    if company:
        words = [w for w in words if w not in LEGAL_WORDS] or words
    return " ".join(sorted(words))


def one_slip_apart(a: str, b: str) -> bool:
    """True when `b` is `a` with at most one letter changed, added, dropped, or two
    neighbours swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    a, b = a[start:], b[start:]
    end = 0
    while end < min(len(a), len(b)) and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[: len(a) - end], b[: len(b) - end]
    return (len(a) <= 1 and len(b) <= 1) or (len(a) == len(b) == 2 and a == b[::-1])


@dataclass(frozen=True)
class Candidate:
    """What finding duplicates reads of a record."""

    id: int
    name: str
    email: str
    phone: str


@dataclass
class DuplicateGroup:
    """Records that may be one person, company or lead, and what links them."""

    kind: str
    records: list[Candidate]
    reasons: set[str] = field(default_factory=set)  # "email", "phone", "name"

    @property
    def ids(self) -> list[int]:
        """The records' ids, oldest first."""
        return [record.id for record in self.records]


def group_duplicates(kind: str, candidates: Sequence[Candidate]) -> list[DuplicateGroup]:
    """Group records linked by email, phone or close name, in one pass (union-find)."""
    parent = list(range(len(candidates)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    links: list[tuple[int, int, str]] = []
    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    names: list[str] = []
    for i, record in enumerate(candidates):
        name = name_key(record.name, company=kind == "company")
        names.append(name)
        for reason, key in (
            ("email", email_key(record.email)),
            ("phone", phone_key(record.phone)),
            ("name", name),
        ):
            if key:
                buckets[reason, key].append(i)
        if len(name) >= FUZZY_MIN:  # one slip apart: one is the other less a letter, or
            for cut in {name} | {name[:k] + name[k + 1 :] for k in range(len(name))}:
                buckets["near", cut].append(i)  # both less one letter give the same
    for (reason, _key), members in buckets.items():
        if reason != "near":
            links += [(members[0], other, reason) for other in members[1:]]
            continue
        links += [
            (a, b, "name")
            for n, a in enumerate(members)
            for b in members[n + 1 :]
            if names[a] != names[b] and one_slip_apart(names[a], names[b])
        ]
    for a, b, _reason in links:
        parent[root(a)] = root(b)
    groups: dict[int, DuplicateGroup] = {}
    for a, _b, reason in links:
        group = groups.setdefault(root(a), DuplicateGroup(kind, []))
        group.reasons.add(reason)
    for i, record in enumerate(candidates):
        if root(i) in groups:
            groups[root(i)].records.append(record)
    return sorted(groups.values(), key=lambda g: g.ids[0])


def find_duplicates(sandbox: Sandbox) -> dict[str, list[DuplicateGroup]]:
    """The sandbox's likely duplicates by kind (people, companies, open leads): two queries."""
    people: list[Candidate] = []
    companies: list[Candidate] = []
    rows = db.session.execute(
        select(
            Customer.id,
            Customer.is_company,
            Customer.first_name,
            Customer.last_name,
            Customer.company,
            Customer.email,
            Customer.phone,
        )
        .where(Customer.sandbox_id == sandbox.id)
        .order_by(Customer.id)
    )
    for row in rows:
        if row.is_company:
            companies.append(Candidate(row.id, row.company, row.email, row.phone))
        else:
            name = f"{row.first_name} {row.last_name}".strip()
            people.append(Candidate(row.id, name, row.email, row.phone))
    leads = [
        Candidate(row.id, f"{row.first_name} {row.last_name}".strip(), row.email, row.phone)
        for row in db.session.execute(
            select(Lead.id, Lead.first_name, Lead.last_name, Lead.email, Lead.phone)
            .where(Lead.sandbox_id == sandbox.id, Lead.converted_contact_id.is_(None))
            .where(Lead.converted_customer_id.is_(None))
            .order_by(Lead.id)
        )
    ]
    return {
        "person": group_duplicates("person", people),
        "company": group_duplicates("company", companies),
        "lead": group_duplicates("lead", leads),
    }


def kind_of(record: Customer | Lead) -> str:
    """What merges with what: a "person", a "company" or a "lead"."""
    if isinstance(record, Lead):
        return "lead"
    return "company" if record.is_company else "person"


def _check_merge(
    records: Sequence[Customer | Lead], survivor_id: int | None, kept: Mapping[str, int | None]
) -> str:
    """The kind being merged, once the choice is one the CRM allows."""
    if len({record.id for record in records}) < 2:
        raise SandboxError(_("Choose at least two records to merge."), "ids")
    kinds = {kind_of(record) for record in records}
    if len(kinds) > 1:
        if "lead" in kinds:
            raise SandboxError(_("Leads merge with leads only."), "ids")
        raise SandboxError(_("A person cannot be merged with a company."), "ids")
    kind = kinds.pop()
    if kind == "lead" and any(_converted(record) for record in records):
        raise SandboxError(
            _("A converted lead cannot be merged: merge the customers it became instead."), "ids"
        )
    if survivor_id not in {record.id for record in records}:
        raise SandboxError(_("Choose which record survives, among those merged."), "survivor")
    ids = {record.id for record in records}
    for name, source in kept.items():
        if name not in MERGE_FIELDS[kind]:
            raise SandboxError(_("That field cannot be chosen here."), "ids")
        if source is not None and source not in ids:
            raise SandboxError(_("Keep a value of one of the records merged."), f"keep_{name}")
    return kind


def _converted(lead: Lead) -> bool:
    return lead.converted_contact_id is not None or lead.converted_customer_id is not None


def _move(sandbox: Sandbox, column, old: Iterable[int], *where, **values) -> None:
    """Point the rows of this sandbox whose `column` is in `old` elsewhere (`values`)."""
    model = column.class_
    db.session.execute(
        update(model)
        .where(model.sandbox_id == sandbox.id, column.in_(list(old)), *where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _move_person(sandbox: Sandbox, survivor: Customer, everyone: list[int]) -> None:
    """Deals and tickets name the survivor and belong to its account; its purchases,
    emails and leads follow it."""
    account = survivor.company_id or survivor.id
    merged = [i for i in everyone if i != survivor.id]
    for model in (Ticket, Opportunity):
        _move(sandbox, model.contact_id, everyone, contact_id=survivor.id, customer_id=account)
        _move(sandbox, model.customer_id, everyone, customer_id=account)
    for model in (Purchase, OutboxEmail):
        _move(sandbox, model.customer_id, merged, customer_id=survivor.id)
    _move(
        sandbox,
        Lead.converted_contact_id,
        everyone,
        converted_contact_id=survivor.id,
        converted_customer_id=account,
    )
    _move(sandbox, Lead.converted_customer_id, everyone, converted_customer_id=account)


def _move_company(sandbox: Sandbox, survivor: Customer, everyone: list[int]) -> None:
    """What belonged to the other companies belongs to the survivor; their contacts work
    there, under its name."""
    merged = [i for i in everyone if i != survivor.id]
    for model in (Ticket, Opportunity, Purchase, OutboxEmail):
        _move(sandbox, model.customer_id, merged, customer_id=survivor.id)
    _move(sandbox, Lead.converted_customer_id, merged, converted_customer_id=survivor.id)
    _move(sandbox, Customer.company_id, everyone, company_id=survivor.id, company=survivor.company)


def merge_records(
    sandbox: Sandbox,
    actor: User,
    records: Sequence[Customer | Lead],
    survivor_id: int | None,
    kept: Mapping[str, int | None],
) -> Customer | Lead:
    """Merge `records` into the one with `survivor_id`, keeping for each field the value
    of the record `kept` names (the survivor's own when it names none); one
    `customer.merged` or `lead.merged` event. The caller holds the sandbox's lock and
    commits."""
    kind = _check_merge(records, survivor_id, kept)
    by_id = {record.id: record for record in records}
    survivor = by_id[survivor_id]
    chosen = {name: kept.get(name) or survivor.id for name in MERGE_FIELDS[kind]}
    for name, columns in MERGE_FIELDS[kind].items():
        source = by_id[chosen[name]]
        for column in columns:
            setattr(survivor, column, getattr(source, column))
    merged = sorted(i for i in by_id if i != survivor.id)
    entity = "lead" if kind == "lead" else "customer"
    if kind != "lead":
        since = [r.customer_since for r in records if r.customer_since is not None]
        survivor.customer_since = min(since) if since else None
        survivor.lead_id = survivor.lead_id or next(
            (by_id[i].lead_id for i in merged if by_id[i].lead_id), None
        )
    db.session.flush()
    everyone = [survivor.id, *merged]
    if kind == "person":
        _move_person(sandbox, survivor, everyone)
    elif kind == "company":
        _move_company(sandbox, survivor, everyone)
    else:
        _move(sandbox, Customer.lead_id, merged, lead_id=survivor.id)
        _move(sandbox, Opportunity.lead_id, merged, lead_id=survivor.id)
    notes = Activity.parent_type == entity
    _move(sandbox, Activity.parent_id, merged, notes, parent_id=survivor.id)
    delete_records(sandbox, entity, merged)
    log_event(
        sandbox,
        actor,
        "lead.merged" if entity == "lead" else "customer.merged",
        entity,
        survivor.id,
        survivor=survivor.id,
        merged=merged,
        kept={name: chosen[name] for name in MERGE_FIELDS[kind]},
    )
    db.session.flush()
    return survivor
