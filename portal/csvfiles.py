"""CSV files the portal writes and reads, with one rule for spreadsheet formulas.

Every export goes through `to_csv`. A text cell starting with = + - @, a tab or a carriage
return could run as a formula in Excel or LibreOffice (CSV injection, as OWASP describes
it), so it is written with a leading single quote and stays text. Numbers are written as
numbers, dates and times in ISO form, True and False as yes and no.

`reader` opens an uploaded file in the dialect it appears to use (comma, semicolon or
tab, as spreadsheets save them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
