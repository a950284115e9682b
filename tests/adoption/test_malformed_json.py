"""Malformed JSON pushed to the adoption API: every case is a 4xx and nothing is saved."""

from __future__ import annotations

import pytest

from tests.adoption.conftest import import_count, usage_rows
from tests.adoption.test_api import admin, push, token, week  # noqa: F401  (fixtures)

BODIES = {
    "not json": "{rows: [",
    "bad utf-8": b'{"rows": [\xff]}',
    "a list": [week()],
    "null": None,
    "rows null": {"rows": None},
    "rows an object": {"rows": {"0": week()}},
    "rows empty": {"rows": []},
    "row a string": {"rows": ["ann@example.com"]},
    "row nested": {"rows": [{**week(), "email": {"address": "ann@example.com"}}]},
    "email null": {"rows": [week(email=None)]},
    "email a number": {"rows": [week(email=42)]},
    "date a number": {"rows": [{**week(), "period_start": 20261102}]},
    "date nonsense": {"rows": [{**week(), "period_start": "2026-13-40"}]},
    "days 3": {"rows": [{**week(), "days": 3}]},
    "days a string": {"rows": [{**week(), "days": "seven"}]},
    "count a float": {"rows": [week(sign_ins=2.5)]},
    "count negative": {"rows": [week(sign_ins=-1)]},
    "count too large": {"rows": [week(sign_ins=10**9)]},
    "count a word": {"rows": [week(sign_ins="many")]},
    "count a list": {"rows": [week(sign_ins=[1])]},
    "count true": {"rows": [week(sign_ins=True)]},
    "unknown key": {"rows": [week(sign_inz=3)]},
    "unknown person": {"rows": [week(email="nobody@example.com", sign_ins=1)]},
    "same person twice": {"rows": [week(sign_ins=1), week(sign_ins=2)]},
}


@pytest.mark.parametrize("body", BODIES.values(), ids=BODIES.keys())
def test_malformed_body_is_refused_and_saves_nothing(client, staff, token, body):  # noqa: F811
    answer = push(client, body, token)
    assert 400 <= answer.status_code < 500, answer.get_data(as_text=True)
    assert usage_rows() == 0 and import_count() == 0
