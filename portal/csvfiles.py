"""CSV files the portal writes and reads, with one rule for spreadsheet formulas.

Every export goes through `to_csv`. A text cell starting with = + - @, a tab or a carriage
return could run as a formula in Excel or LibreOffice (CSV injection, as OWASP describes
it), so it is written with a leading single quote and stays text. Numbers are written as
numbers, dates and times in ISO form, True and False as yes and no.

`decode` reads an uploaded file's bytes as text: UTF-8 with or without a byte-order mark
(Excel's "CSV UTF-8"), or UTF-16 with its byte-order mark (Excel's "Unicode Text"). Any
other encoding (cp1252, Latin-1, ...) is refused with a fix-it message rather than guessed:
a single-byte file decodes as something in every code page, so a guess would store wrong
letters without a word. `reader` opens the text in the dialect it appears to use (comma,
semicolon or tab, as spreadsheets save them); `read_rows` reads the header and the rows
every import takes, within its limits.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _

from portal.domain import DomainError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters no spreadsheet writes into a CSV (tab and line breaks are allowed):
# a NUL makes PostgreSQL refuse the row and SQLite store it silently.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def safe_cell(value: object) -> str | int | float:
    """A value for a CSV cell, with spreadsheet formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: list[str], rows: Iterable[Iterable]) -> str:
    """Rows as CSV text under `header`, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


def reader(text: str):
    """A csv.reader over `text` in the dialect its first lines use (comma by default)."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text), dialect)


def read_rows(
    text: str, max_rows: int, max_columns: int, field: str = "file"
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and each non-blank row as (line number, cells), every cell stripped of
    surrounding space, or a DomainError on `field`: no header, a header wider than
    `max_columns`, more than `max_rows` rows, or text that is not CSV."""
    lines = reader(text)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(lines, None)
        if not header or not any(cell.strip() for cell in header):
            raise DomainError(_("The file is empty."), field)
        if len(header) > max_columns:
            raise DomainError(
                _("The file has more than %(count)d columns.", count=max_columns), field
            )
        for cells in lines:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= max_rows:
                raise DomainError(
                    _("The file has more than %(count)d rows: split it.", count=max_rows), field
                )
            rows.append((lines.line_num, [cell.strip() for cell in cells]))
    except csv.Error as exc:
        raise DomainError(
            _("The file is not valid CSV near line %(line)d.", line=lines.line_num), field
        ) from exc
    return [cell.strip() for cell in header], rows


def decode(raw: bytes, field: str = "file") -> str:
    """An uploaded CSV's text, or a DomainError on `field` saying how to save it instead."""
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        text = raw.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError as exc:
        if b"\x00" in raw:
            raise DomainError(_("This is not a CSV file: it holds binary data."), field) from exc
        raise DomainError(
            _("The file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again."), field
        ) from exc
    found = CONTROL_CHARACTERS.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise DomainError(
            _(
                "Line %(line)d holds a control character (such as a NUL byte) that a CSV "
                "file cannot contain. Save the file again as 'CSV UTF-8'.",
                line=line,
            ),
            field,
        )
    return text
