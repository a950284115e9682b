"""Usage from an uploaded CSV: kept for its uploader while they map its columns, then read
through the mapping and checked and saved as portal.adoption.importing checks and saves every
batch (the JSON API sends its rows there directly)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from portal import csvfiles
from portal.accounts.models import User
from portal.adoption import importing
from portal.adoption.importing import AdoptionError, Checked, RowError, check_records, save_usage
from portal.adoption.models import ImportSource, UsageImport, UsageUpload
from portal.database import utcnow
from portal.domain import DomainError
from portal.extensions import db

MAX_COLUMNS = 50
MAX_HEADER = 200  # characters in a column name: every mapping select lists every name
UPLOAD_AGE = timedelta(hours=1)


def store_upload(actor: User, filename: str, raw: bytes) -> UsageUpload:
    """Check an uploaded CSV's size and text and keep it for mapping; AdoptionError on "file"."""
    if not raw.strip():
        raise AdoptionError(_("The file is empty."), "file")
    if len(raw) > importing.MAX_BYTES:
        raise AdoptionError(
            _("The file is larger than %(size)d KB: split it.", size=importing.MAX_BYTES // 1024),
            "file",
        )
    try:
        text = csvfiles.decode(raw, "file")
    except DomainError as exc:
        raise AdoptionError(exc.message, "file") from exc
    read_csv(text)  # refuses a file with no header, too many rows or columns
    db.session.execute(delete(UsageUpload).where(UsageUpload.created_at < utcnow() - UPLOAD_AGE))
    upload = UsageUpload(
        token=secrets.token_urlsafe(32), user_id=actor.id, filename=filename[:255], text=text
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def find_upload(actor: User, token: str) -> UsageUpload | None:
    """The actor's own upload under `token`, if it has not expired."""
    return db.session.scalar(
        select(UsageUpload).where(
            UsageUpload.token == token,
            UsageUpload.user_id == actor.id,
            UsageUpload.created_at >= utcnow() - UPLOAD_AGE,
        )
    )


def read_csv(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and (line number, cells) of each non-blank row."""
    header, rows = csvfiles.read_rows(text, importing.MAX_ROWS, MAX_COLUMNS)
    if any(len(name) > MAX_HEADER for name in header):
        raise AdoptionError(
            _("A column name is longer than %(count)d characters.", count=MAX_HEADER), "file"
        )
    return header, rows


def csv_records(
    header: list[str], rows: list[tuple[int, list[str]]], mapping: Mapping[str, str]
) -> list[tuple[int, dict[str, str]]]:
    """Each row as target -> its cell, through `mapping` (target -> header)."""
    position = {name: index for index, name in enumerate(header)}
    columns = {target: position[name] for target, name in mapping.items() if name in position}
    return [
        (
            line,
            {
                target: cells[index] if index < len(cells) else ""
                for target, index in columns.items()
            },
        )
        for line, cells in rows
    ]


def check_upload(
    upload: UsageUpload, mapping: Mapping[str, str], days: int
) -> tuple[list, Checked]:
    """The upload's records through `mapping`, and their checks."""
    header, rows = read_csv(upload.text)
    records = csv_records(header, rows, mapping)
    checked = check_records(records, default_days=days)
    checked.errors.extend(_ragged(header, rows))
    return records, checked


def _ragged(header: list[str], rows: list[tuple[int, list[str]]]) -> list[RowError]:
    """Rows with more or fewer cells than the header: their cells may sit in wrong columns."""
    return [
        RowError(
            line,
            None,
            _(
                "The row has %(cells)d cells; the header has %(columns)d.",
                cells=len(cells),
                columns=len(header),
            ),
        )
        for line, cells in rows
        if len(cells) != len(header)
    ]


def import_upload(
    actor: User, upload: UsageUpload, mapping: Mapping[str, str], days: int, preset: str | None
) -> UsageImport:
    """Save an upload's rows if every one passes; AdoptionError otherwise. Deletes the upload."""
    _records, checked = check_upload(upload, mapping, days)
    if checked.errors:
        raise AdoptionError(
            _(
                "Nothing was imported: %(count)d rows were refused. Correct them in the file "
                "and upload it again.",
                count=len(checked.errors_by_line()),
            )
        )
    batch = save_usage(
        checked.rows,
        source=ImportSource.CSV,
        actor=actor,
        preset=preset or None,
        filename=upload.filename,
    )
    db.session.delete(upload)
    db.session.flush()
    return batch
