"""Every form and every numbered path of each role, sent what a careless user or an attacker
would send: over-long text, NUL bytes, huge and negative numbers, unknown choices, nothing at
all. The portal answers each with a page or a 4xx, never a 5xx, and stores nothing over-long.

The forms are the ones the role's own pages show (read from their HTML, so a new form is
fuzzed without a line here); POST routes no page shows a form for get the same values under
the field names the portal uses.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import String, Text, func, select

from portal.extensions import db
from tests.accounts.test_access import (
    ANONYMOUS,
    LOGIN,
    MATRIX,
    ROLES,
    World,
    _client_for,
    _csrf_token,
    expected,
)

OVER_LONG = "x" * 100_000
HUGE = "99999999999999999999"
SKIPPED_ACTIONS = ("/logout", "/sandbox/reset", "/language")  # would end the run's session
DESTRUCTIVE = ("/delete", "/remove", "/discard", "/withdraw", "/untie")
COMMON_FIELDS = (
    "title",
    "name",
    "body",
    "subject",
    "email",
    "kind",
    "key",
    "text",
    "index",
    "minutes",
    "threshold",
    "target",
    "metric",
    "department",
    "user",
    "days",
)


class Forms(HTMLParser):
    """The POST forms of a page: action, and each field's name, type, value and choices."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "textarea", "button") and attrs.get("name"):
            kind = "textarea" if tag == "textarea" else (attrs.get("type") or "text").lower()
            field = self._form["fields"].setdefault(attrs["name"], {"type": kind, "choices": []})
            if kind in ("radio", "checkbox", "submit") or tag == "button":
                field["choices"].append(attrs.get("value") or "y")
            field.setdefault("value", attrs.get("value") or "")
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self._form["fields"][self._select] = {"type": "select", "choices": [], "value": ""}
        elif tag == "option" and self._select:
            self._form["fields"][self._select]["choices"].append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _filled(fields: dict) -> dict:
    """The form as a browser would send it untouched: defaults and first choices."""
    data = {}
    for name, field in fields.items():
        if field["choices"] and field["type"] not in ("checkbox",):
            data[name] = next((c for c in field["choices"] if c), field["choices"][0])
        elif field["type"] != "checkbox":
            data[name] = field.get("value", "")
    return data


def _variants(fields: dict) -> dict[str, dict]:
    """The bad inputs for one form, each applied to all its fields at once."""
    base = _filled(fields)
    texts = [
        n
        for n, f in fields.items()
        if f["type"] in ("text", "textarea", "email", "search", "hidden", "tel", "url")
    ]
    # Any field may be read as a number (a FloatField is a plain text input).
    numbers = [n for n, f in fields.items() if f["type"] not in ("checkbox", "submit", "file")]
    choices = [n for n, f in fields.items() if f["type"] in ("select", "radio", "checkbox")]
    negative = {**base, **{n: "-1" for n in numbers}}
    return {
        "over-long": {**base, **{n: OVER_LONG for n in texts}},
        "nul": {**base, **{n: f"a\x00{base.get(n, '')}" for n in texts}},
        "huge": {**base, **{n: HUGE for n in numbers}},
        "negative": negative,
        "unknown choice": {**negative, **{n: "bogus" for n in choices}},
        # Digits to str.isdigit() that int() refuses.
        "superscript digits": {**base, **{n: "\u00b2" for n in numbers}},
        # More digits than int() reads (4,300), and a date past the calendar's end.
        "endless digits": {**base, **{n: "9" * 5000 for n in numbers}},
        "far date": {**base, **{n: "@today+9999y" for n in texts}},
        "missing": {},
    }


def _pattern(path: str) -> str:
    return re.sub(r"/\d+", "/N", path)


def _over_long_values() -> list[str]:
    """Text columns holding something as long as the over-long input."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String | Text):
                longest = db.session.scalar(select(func.max(func.length(column))))
                if longest and longest >= len(OVER_LONG):
                    found.append(f"{table.name}.{column.name}")
    return found


@pytest.fixture(autouse=True)
def _cheap_password_hashes(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:1")


@pytest.mark.parametrize("role", [ANONYMOUS, *ROLES], ids=["anonymous", *ROLES])
def test_no_input_gives_a_server_error(app, make, role):
    client, user = _client_for(app, make, role)
    world = World(make, user)
    token = _csrf_token(client)
    failures: list[str] = []

    def check(method: str, path: str, response, what: str) -> None:
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {method} {path} ({what})")

    forms: dict[str, dict] = {}
    for route in MATRIX:
        if route.method != "GET" or expected(route, role) != 200 or "static" in route.rule:
            continue
        path = world.path(route)
        page = client.get(path)
        if page.mimetype == "text/html":
            parser = Forms()
            parser.feed(page.get_data(as_text=True))
            for form in parser.forms:
                action = urlsplit(form["action"] or path).path
                forms.setdefault(_pattern(action), {"action": action, "fields": form["fields"]})
        # Numbers the database cannot hold, in the path and the query string.
        for value in ("2147483648", HUGE, "0"):
            if "<int:" in route.rule:
                bad = re.sub(r"/\d+(?=/|$|\.)", f"/{value}", path, count=1)
                check("GET", bad, client.get(bad), "id")
        for query in (
            f"page={HUGE}",
            "page=-1",
            f"plan={HUGE}",
            f"department={HUGE}",
            "q=a%00b",
            f"q={OVER_LONG}",
        ):
            response = client.get(f"{path}?{query}")
            check("GET", path, response, query[:20])

    # POST routes whose form no page showed: the common field names.
    for route in MATRIX:
        if route.method == "POST" and expected(route, role) not in (403, LOGIN):
            path = world.path(route)
            if _pattern(path) not in forms:
                fields = {
                    name: {"type": "text", "choices": [], "value": "1"} for name in COMMON_FIELDS
                }
                forms[_pattern(path)] = {"action": path, "fields": fields}

    # Deleting comes last, so that the other forms still find their records.
    for form in sorted(forms.values(), key=lambda f: f["action"].endswith(DESTRUCTIVE)):
        if form["action"].endswith(SKIPPED_ACTIONS):
            continue
        for what, data in _variants(form["fields"]).items():
            response = client.post(form["action"], data={**data, "csrf_token": token})
            check("POST", form["action"], response, what)

    assert failures == []
    assert _over_long_values() == []
