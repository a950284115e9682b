"""Importing a CSV of leads or customers, the way a data migration works.

Four steps, as the import wizards of EspoCRM, HubSpot and Salesforce run them:

1. Upload: the file is checked (size, rows, encoding: see `portal.csvfiles.decode`) and
   its cells are kept in an `ImportUpload` row under a random token, for an hour.
2. Mapping: every column is matched to a field, suggested from its header (English and
   common variants: "E-mail", "Surname", "Mobile", "Organisation"...); the learner may
   change any of it. A first name or company, and an email or phone, must be mapped.
3. Preview: each row as it will be saved, with its errors (a required field missing, a
   bad email, phone or date, a status or source the CRM does not know; codes and the CRM
   profile's labels are both accepted) and its duplicates: an existing record or an
   earlier row with the same email or phone.
4. Commit: all or nothing. If any row that is not excluded has an error, nothing is
   saved. Duplicates are skipped or imported, as the learner chose. The rows go in with
   one executemany per table, and one `import.completed` event records the import.

Steps 2 and 3 only read: they live in sandbox.services.import_preview, which step 4 runs
again, so what is saved is what the preview showed.

A customer import makes companies accounts and their people contacts: a row with only a
company is a company account; a person's company becomes (or is matched to) a company
account they work for.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select

from portal import csvfiles
from portal.accounts.models import User
from portal.database import utcnow
from portal.domain import DomainError
from portal.extensions import db
from sandbox.models import Customer, ImportUpload, Lead, Sandbox, scoped
from sandbox.services.duplicates import name_key
from sandbox.services.events import SandboxError, log_event
from sandbox.services.import_preview import FIELDS, IMPORTABLE, ImportRow, build_preview

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 50
MAX_AGE = timedelta(hours=1)


# --- 1. Upload ------------------------------------------------------------------------


def store_upload(
    sandbox: Sandbox, actor: User, entity: str, filename: str, raw: bytes
) -> ImportUpload:
    """Check an uploaded CSV and keep its cells for the next steps; SandboxError on "file"."""
    if entity not in IMPORTABLE:
        raise SandboxError(_("Choose what the file holds."), "entity")
    if not raw.strip():
        raise SandboxError(_("The file is empty."), "file")
    if len(raw) > MAX_BYTES:
        raise SandboxError(
            _("The file is larger than %(size)d KB: split it.", size=MAX_BYTES // 1024), "file"
        )
    try:
        text = csvfiles.decode(raw, "file")
    except DomainError as exc:
        raise SandboxError(exc.message, "file") from exc
    header, rows = _read_rows(text)
    _forget_old_uploads(sandbox)
    upload = ImportUpload(
        sandbox_id=sandbox.id,
        user_id=actor.id,
        token=secrets.token_urlsafe(32),
        entity=entity,
        filename=filename[:255],
        header=header,
        rows=rows,
        created_at=utcnow(),
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def _read_rows(text: str) -> tuple[list[str], list[list]]:
    """The header and the non-blank rows, each as [line number, cells]."""
    header, rows = csvfiles.read_rows(text, MAX_ROWS, MAX_COLUMNS)
    if not rows:
        raise SandboxError(_("The file has a header but no rows."), "file")
    return header, [[line, cells] for line, cells in rows]


def _forget_old_uploads(sandbox: Sandbox) -> None:
    db.session.execute(
        delete(ImportUpload)
        .where(ImportUpload.sandbox_id == sandbox.id, ImportUpload.created_at < utcnow() - MAX_AGE)
        .execution_options(synchronize_session=False)
    )


def find_upload(sandbox: Sandbox, user: User, token: str) -> ImportUpload | None:
    """The user's upload under `token` in this sandbox, if it is less than an hour old."""
    return db.session.scalar(
        scoped(ImportUpload, sandbox).where(
            ImportUpload.token == token,
            ImportUpload.user_id == user.id,
            ImportUpload.created_at >= utcnow() - MAX_AGE,
        )
    )


# --- 4. Commit ------------------------------------------------------------------------


@dataclass
class ImportResult:
    entity: str
    ids: list[int]
    skipped: int
    companies: int
    event_id: int


def import_rows(
    sandbox: Sandbox,
    actor: User,
    upload: ImportUpload,
    mapping: list[str],
    *,
    skip: Collection[int] = (),
    import_duplicates: bool = False,
) -> ImportResult:
    """Save every row not skipped, or nothing if one of them has an error.

    `skip` holds the line numbers the learner excluded; duplicates are skipped too unless
    `import_duplicates`. The upload is deleted once its rows are in.
    """
    preview = build_preview(sandbox, upload, mapping)
    if preview.mapping_problems:
        raise SandboxError(" ".join(preview.mapping_problems))
    chosen = [
        row
        for row in preview.rows
        if row.line not in skip and (import_duplicates or not row.is_duplicate)
    ]
    bad = [row.line for row in chosen if row.problems]
    if bad:
        raise SandboxError(
            _(
                "Nothing was imported: lines %(lines)s have errors. Correct the file, or "
                "tick them to skip them.",
                lines=", ".join(str(line) for line in bad[:20]) + ("…" if len(bad) > 20 else ""),
            )
        )
    if not chosen:
        raise SandboxError(_("Every row is skipped: there is nothing to import."))
    if upload.entity == "lead":
        ids, companies = _insert_leads(sandbox, chosen), 0
    else:
        ids, companies = _insert_customers(sandbox, chosen)
    skipped = len(preview.rows) - len(chosen)
    event = log_event(
        sandbox,
        actor,
        "import.completed",
        upload.entity,
        None,
        records=upload.entity,
        imported=len(ids),
        skipped=skipped,
        companies=companies,
        ids=ids,
    )
    db.session.delete(upload)
    db.session.flush()
    return ImportResult(upload.entity, ids, skipped, companies, event.id)


def _insert(sandbox: Sandbox, model, records: list[dict]) -> list[int]:
    """One executemany of `records` into the model's table; the new rows' ids, in order.

    RETURNING would cost a statement per row on SQLite when the order must be kept, so
    the ids are read back instead: the caller holds the sandbox's lock, so no other rows
    join this sandbox meanwhile, and new ids are above every id the table held before.
    """
    if not records:
        return []
    in_sandbox = model.sandbox_id == sandbox.id
    before = db.session.scalar(select(func.max(model.id)).where(in_sandbox)) or 0
    db.session.execute(insert(model.__table__), records)
    return list(
        db.session.scalars(select(model.id).where(in_sandbox, model.id > before).order_by(model.id))
    )


def _insert_leads(sandbox: Sandbox, rows: list[ImportRow]) -> list[int]:
    return _insert(
        sandbox,
        Lead,
        [{**row.values, "sandbox_id": sandbox.id, "created_at": sandbox.clock} for row in rows],
    )


# A company account made for the people who work there: only its name is known.
NEW_COMPANY = {
    **dict.fromkeys(FIELDS["customer"][1:], ""),
    "birthday": None,
    "tier": "bronze",
    "email_consent": False,
}


def _customer_record(sandbox: Sandbox, values: dict, *, is_company: bool, company_id=None) -> dict:
    """A row of sb_customers: the imported values and what the CRM sets itself."""
    return {
        "loyalty_card": "",
        **values,
        "consent_at": sandbox.clock if values["email_consent"] else None,
        "is_company": is_company,
        "company_id": company_id,
        "sandbox_id": sandbox.id,
        "customer_since": sandbox.today,
        "created_at": sandbox.clock,
        "lead_id": None,
    }


def _insert_customers(sandbox: Sandbox, rows: list[ImportRow]) -> tuple[list[int], int]:
    """Company rows and the people's companies first (accounts), then the people."""
    people: list[ImportRow] = []
    company_rows: list[ImportRow] = []
    for row in rows:
        is_person = row.values["first_name"] or row.values["last_name"]
        (people if is_person else company_rows).append(row)
    accounts = {
        name_key(company, True): record_id
        for record_id, company in db.session.execute(
            select(Customer.id, Customer.company).where(
                Customer.sandbox_id == sandbox.id, Customer.is_company.is_(True)
            )
        )
    }
    new_companies: dict[str, dict] = {}
    for row in company_rows:
        new_companies[name_key(str(row.values["company"]), True)] = _customer_record(
            sandbox, row.values, is_company=True
        )
    for row in people:
        key = name_key(str(row.values["company"]), True)
        if key and key not in accounts and key not in new_companies:
            new_companies[key] = _customer_record(
                sandbox, {**NEW_COMPANY, "company": row.values["company"]}, is_company=True
            )
    company_ids = _insert(sandbox, Customer, list(new_companies.values()))
    accounts.update(zip(new_companies, company_ids, strict=True))
    row_ids = list(
        dict.fromkeys(accounts[name_key(str(row.values["company"]), True)] for row in company_rows)
    )
    person_ids = _insert(
        sandbox,
        Customer,
        [
            _customer_record(
                sandbox,
                row.values,
                is_company=False,
                company_id=accounts.get(name_key(str(row.values["company"]), True)),
            )
            for row in people
        ],
    )
    return row_ids + person_ids, len(company_ids) - len(row_ids)
