"""Numbers from URLs and query strings, bounded to what every database column can hold.

An id past 2**31 - 1 overflows PostgreSQL's integer and one past 2**63 - 1 SQLite's: the
`int` converter of every route stops at the smaller, so such a path is a 404, and the query
string helpers below read a nonsense or out-of-range number as absent.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` for the whole portal: 0 to MAX_ID, else the route does not match (404)."""

    def __init__(
        self,
        url_map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)


def parse_id(text: str | None) -> int | None:
    """A positive id written in ASCII digits and within MAX_ID, else None."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_count(text: str | None, maximum: int = MAX_ID) -> int | None:
    """A whole number from 0 to `maximum` written in ASCII digits, else None.

    For numbers read by hand from a form: `str.isdecimal()` also accepts "²"-like digits
    that int() refuses, and int() refuses strings of over 4,300 digits with a ValueError.
    """
    text = (text or "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if number <= maximum else None


def arg_id(name: str) -> int | None:
    """The query string's `name` as an id (?plan=, ?department=), None when missing or
    not a usable id: the page then shows what it shows without that filter."""
    return parse_id(request.args.get(name))


def arg_page(name: str = "page") -> int:
    """The query string's page number; 1 when missing, nonsense or out of range."""
    return parse_id(request.args.get(name)) or 1


def init_app(app: Flask) -> None:
    """Every route's `<int:...>` becomes bounded; set before any blueprint is registered."""
    app.url_map.converters["int"] = BoundedIntConverter
