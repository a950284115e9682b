"""Reading an uploaded CSV under a column mapping, for the import's preview and commit.

Nothing here writes. `suggest_mapping` matches headers to fields; `build_preview` turns
each row into the values it would be saved with, its errors, and the records or earlier
rows it may repeat (same email or phone, compared as sandbox.services.duplicates does;
for a company account, the same name). See sandbox.services.imports for the steps.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from email_validator import EmailNotValidError
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from sandbox import profiles
from sandbox.codes import CHANNELS, LEAD_SOURCES, SETUP_FIELDS, TIERS
from sandbox.models import Customer, ImportUpload, Lead, Sandbox
from sandbox.services.contacts import PHONE, normal_email
from sandbox.services.duplicates import email_key, name_key, phone_key
from sandbox.vocabulary import label

PREVIEW_ROWS = 10  # clean rows shown first; every row with a problem is shown too
IMPORTABLE = ("lead", "customer")  # the kinds of record a CSV may hold

# The fields each import fills, in the order the preview shows them: what an exercise's
# setup may give the record, less links and dates the CRM sets. "full_name" is a column
# holding both names (the last word is the last name).
NOT_IMPORTED = {"is_company", "works_for", "owner", "customer_since", "created_at"}
FIELDS: dict[str, tuple[str, ...]] = {
    entity: ("full_name", *(f for f in SETUP_FIELDS[entity] if f not in NOT_IMPORTED))
    for entity in IMPORTABLE
}
FIELD_LABELS = {
    "full_name": _l("Full name (first and last)"),
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "company": _l("Company"),
    "title": _l("Job title"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "source": _l("Source"),
    "status": _l("Status"),
    "description": _l("Description"),
    "city": _l("City"),
    "birthday": _l("Birthday"),
    "tier": _l("Tier"),
    "email_consent": _l("Consent to marketing email"),
    "consent_channel": _l("Consent given by"),
    "preferences": _l("Preferences"),
    "loyalty_card": _l("Loyalty card"),
}
MATCH_REASONS = {"email": _l("email"), "phone": _l("phone"), "company": _l("company name")}
# Header words that suggest a field, compared after `_header_key` (lower case, letters
# and digits only). The first field whose words hold the header wins.
SYNONYMS: dict[str, set[str]] = {
    field: set(words.split())
    for field, words in {
        "full_name": "name fullname contactname customername leadname person",
        "first_name": "firstname givenname forename first fname",
        "last_name": "lastname surname familyname last lname",
        "company": "company companyname organisation organization org account accountname "
        "business employer",
        "title": "title jobtitle position designation role job",
        "email": "email emailaddress mail emailid",
        "phone": "phone phonenumber telephone tel mobile mobilenumber cell cellphone "
        "contactnumber whatsapp",
        "city": "city town location",
        "source": "source leadsource origin",
        "status": "status leadstatus",
        "description": "description notes note comments comment",
        "birthday": "birthday dateofbirth dob birthdate",
        "tier": "tier loyaltytier level",
        "email_consent": "consent emailconsent marketingconsent optin emailoptin newsletter "
        "subscribed",
        "consent_channel": "consentchannel consentgivenby consentvia",
        "preferences": "preferences preference interests",
        "loyalty_card": "loyaltycard cardnumber loyaltynumber membershipnumber",
    }.items()
}
# Free-text fields, with the width of their column.
TEXT_FIELDS = (
    "first_name",
    "last_name",
    "company",
    "title",
    "city",
    "preferences",
    "loyalty_card",
    "description",
)
YES = {"yes", "y", "true", "1", "x", "opted in", "optin", "agreed"}
NO = {"no", "n", "false", "0", "", "opted out", "optout"}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")


def _width(name: str) -> int:
    model = Lead if name == "description" else Customer
    return model.__table__.c[name].type.length


def _header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def _code_key(text: str) -> str:
    return " ".join(re.sub(r"[_\-]", " ", text.casefold()).split())


# --- 2. Mapping -----------------------------------------------------------------------


def suggest_mapping(entity: str, header: list[str]) -> list[str]:
    """A field for each column, from its header ("" for none); each field used once."""
    taken: set[str] = set()
    mapping = []
    for text in header:
        key = _header_key(text)
        found = next(
            (f for f in FIELDS[entity] if f not in taken and key in SYNONYMS.get(f, ())), ""
        )
        taken.add(found)
        mapping.append(found)
    return mapping


def mapping_problems(entity: str, mapping: list[str]) -> list[str]:
    """What is wrong with a column mapping (empty when it can be imported)."""
    problems = []
    used = [f for f in mapping if f]
    for name in sorted({f for f in used if used.count(f) > 1}):
        problems.append(
            _("%(field)s is mapped to two columns.", field=FIELD_LABELS.get(name, name))
        )
    for name in used:
        if name not in FIELDS[entity]:
            problems.append(_("%(field)s cannot be imported here.", field=name))
    if not set(used) & {"first_name", "full_name", "company"}:
        problems.append(_("Map a column to the first name (or full name) or the company."))
    if not set(used) & {"email", "phone"}:
        problems.append(_("Map a column to the email or the phone."))
    return problems


# --- 3. Preview -----------------------------------------------------------------------


@dataclass
class Match:
    """Why a row may already be in the CRM: an existing record or an earlier row."""

    reason: str  # "email" or "phone" (or "company" for a company account's name)
    entity: str = ""
    record_id: int | None = None
    name: str = ""
    line: int | None = None


@dataclass
class ImportRow:
    """One row as it will be saved, with its errors and possible duplicates."""

    line: int
    values: dict[str, object]
    problems: list[str] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)

    @property
    def is_duplicate(self) -> bool:
        return bool(self.matches)


@dataclass
class Preview:
    """Every row of an upload under one mapping."""

    entity: str
    columns: tuple[str, ...]  # the fields shown, in order
    rows: list[ImportRow]
    mapping_problems: list[str]

    @property
    def errors(self) -> list[ImportRow]:
        return [row for row in self.rows if row.problems]

    @property
    def duplicates(self) -> list[ImportRow]:
        return [row for row in self.rows if row.is_duplicate]

    def shown(self, skipped: Collection[int] = ()) -> list[ImportRow]:
        """The first rows, every row with a problem or a duplicate, and any skipped."""
        return [
            row
            for index, row in enumerate(self.rows)
            if index < PREVIEW_ROWS or row.problems or row.matches or row.line in skipped
        ]


class _Vocabulary:
    """Code lookups by code or label, in the CRM profile's words and the sandbox's."""

    def __init__(self) -> None:
        profile = profiles.active()
        self.groups = {
            "status": self._lookup("lead_status", profile.codes("lead_status"), profile),
            "source": self._lookup("lead_source", LEAD_SOURCES, profile),
            "tier": self._lookup("tier", TIERS, profile),
            "consent_channel": self._lookup("channel", CHANNELS, profile),
        }
        self.converted = set(profile.plays("lead_status", "converted"))

    @staticmethod
    def _lookup(group: str, codes: Iterable[str], profile) -> dict[str, str]:
        found: dict[str, str] = {}
        for code in codes:
            for text in (code, profile.label(group, code) or "", label(group, code)):
                if text:
                    found.setdefault(_code_key(text), code)
        return found


DEFAULTS = {"status": "new", "source": "other", "tier": "bronze", "consent_channel": ""}
UNKNOWN_CODE = {
    "status": _l("Unknown status “%(value)s”."),
    "source": _l("Unknown source “%(value)s”."),
    "tier": _l("Unknown tier “%(value)s”."),
    "consent_channel": _l("Unknown consent channel “%(value)s”."),
}


def _parse_date(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _clean_row(
    entity: str, line: int, cells: dict[str, str], vocabulary: _Vocabulary, today: date
) -> ImportRow:
    """The row's values as they will be saved, and what is wrong with them."""
    values: dict[str, object] = {}
    problems: list[str] = []
    first, last = cells.get("first_name", ""), cells.get("last_name", "")
    words = cells.get("full_name", "").split()
    if words and not first and not last:
        first, last = " ".join(words[:-1]) or words[0], words[-1] if len(words) > 1 else ""
    values["first_name"], values["last_name"] = first, last
    for name in TEXT_FIELDS[2:]:
        if name in FIELDS[entity]:
            values[name] = cells.get(name, "")
    for name in TEXT_FIELDS:
        if len(str(values.get(name, ""))) > _width(name):
            problems.append(
                _(
                    "%(field)s is longer than %(count)d characters.",
                    field=FIELD_LABELS[name],
                    count=_width(name),
                )
            )
    if not first and not values["company"]:
        problems.append(_("A first name or a company is required."))
    email, phone = cells.get("email", ""), cells.get("phone", "")
    if not email and not phone:
        problems.append(_("An email or a phone is required."))
    if email:
        try:
            email = normal_email(email)
        except EmailNotValidError:
            problems.append(_("“%(value)s” is not a valid email address.", value=email))
    if phone and not PHONE.match(phone):
        problems.append(_("“%(value)s” is not a phone number.", value=phone))
    values["email"], values["phone"] = email, phone
    for name, lookup in vocabulary.groups.items():
        if name not in FIELDS[entity]:
            continue
        given = cells.get(name, "")
        code = lookup.get(_code_key(given)) if given else DEFAULTS[name]
        if code is None:
            problems.append(str(UNKNOWN_CODE[name]) % {"value": given})
        elif name == "status" and code in vocabulary.converted:
            problems.append(_("A lead cannot be imported as converted: convert it in the CRM."))
        values[name] = code or given
    if entity == "customer":
        _clean_customer_extras(cells, values, problems, today)
    return ImportRow(line, values, problems)


def _clean_customer_extras(cells, values, problems, today: date) -> None:
    birthday = cells.get("birthday", "")
    values["birthday"] = _parse_date(birthday) if birthday else None
    if birthday and values["birthday"] is None:
        problems.append(
            _("“%(value)s” is not a date: write it as 2024-03-31 or 31/03/2024.", value=birthday)
        )
    elif values["birthday"] and values["birthday"] > today:
        problems.append(_("The birthday is in the future."))
    consent = _code_key(cells.get("email_consent", ""))
    values["email_consent"] = consent in YES
    if consent not in YES | NO:
        problems.append(
            _("Consent must be yes or no, not “%(value)s”.", value=cells["email_consent"])
        )


def build_preview(sandbox: Sandbox, upload: ImportUpload, mapping: list[str]) -> Preview:
    """Every row of the upload under `mapping`, with its errors and duplicates."""
    entity = upload.entity
    problems = mapping_problems(entity, mapping)
    shown = [f for f in FIELDS[entity] if f != "full_name"]
    if problems:
        return Preview(entity, tuple(shown), [], problems)
    vocabulary = _Vocabulary()
    rows = []
    for line, cells in upload.rows:
        named = {f: cells[i] for i, f in enumerate(mapping) if f and i < len(cells)}
        row = _clean_row(entity, line, named, vocabulary, sandbox.today)
        if len(cells) > len(mapping):
            row.problems.append(_("More cells than columns in the header."))
        rows.append(row)
    _find_duplicates(sandbox, entity, rows)
    return Preview(entity, tuple(shown), rows, [])


def _existing(sandbox: Sandbox, entity: str) -> list[tuple[str, int, str, str, str, bool]]:
    """(entity, id, name, email, phone, is a company) of the records an import may repeat:
    customers, and for a lead import leads too. One narrow SELECT per table."""
    found = []
    customers = select(
        Customer.id,
        Customer.first_name,
        Customer.last_name,
        Customer.company,
        Customer.email,
        Customer.phone,
        Customer.is_company,
    ).where(Customer.sandbox_id == sandbox.id)
    for r in db.session.execute(customers):
        name = r.company if r.is_company else f"{r.first_name} {r.last_name}".strip()
        found.append(("customer", r.id, name, r.email, r.phone, r.is_company))
    if entity == "lead":
        leads = select(
            Lead.id, Lead.first_name, Lead.last_name, Lead.company, Lead.email, Lead.phone
        ).where(Lead.sandbox_id == sandbox.id)
        for r in db.session.execute(leads):
            name = f"{r.first_name} {r.last_name}".strip() or r.company
            found.append(("lead", r.id, name, r.email, r.phone, False))
    return found


def _find_duplicates(sandbox: Sandbox, entity: str, rows: list[ImportRow]) -> None:
    """Mark rows sharing an email or phone with a record, or with an earlier row."""
    keys: dict[tuple[str, str], Match] = {}
    for kind, record_id, name, email, phone, is_company in _existing(sandbox, entity):
        for reason, key in (("email", email_key(email)), ("phone", phone_key(phone))):
            if key:
                keys.setdefault((reason, key), Match(reason, kind, record_id, name))
        if is_company:
            keys.setdefault(
                ("company", name_key(name, True)), Match("company", kind, record_id, name)
            )
    for row in rows:
        values = row.values
        found = [
            ("email", email_key(str(values["email"]))),
            ("phone", phone_key(str(values["phone"]))),
        ]
        if entity == "customer" and not values["first_name"] and not values["last_name"]:
            found.append(("company", name_key(str(values["company"]), True)))
        for reason, key in found:
            if not key:
                continue
            match = keys.get((reason, key))
            if match is not None:
                row.matches.append(match)
            else:
                keys[(reason, key)] = Match(reason, line=row.line, name=_row_name(values))


def _row_name(values: dict[str, object]) -> str:
    name = f"{values['first_name']} {values['last_name']}".strip()
    return name or str(values["company"])
