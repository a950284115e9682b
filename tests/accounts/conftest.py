"""Account fixtures: signed-in clients per role, row counts and form-error lookups."""

from __future__ import annotations

import html as html_lib
import io
import re

import pytest
from sqlalchemy import func, select

from portal.extensions import db


@pytest.fixture
def admin(client, make):
    """An admin, signed in on `client`."""
    user = make.user(roles=("admin",), department="IT")
    response = client.login(user)
    assert response.status_code == 302
    return user


@pytest.fixture
def signed_in(app):
    """signed_in(user) -> a fresh client with its own session, signed in as `user`."""

    def sign_in(user, password=None):
        other = app.test_client()
        kwargs = {} if password is None else {"password": password}
        response = other.login(user, **kwargs)
        assert response.status_code == 302, response.status_code
        return other

    return sign_in


def count(model) -> int:
    """How many rows the table behind `model` holds, as the database sees it now."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def csv_upload(text: str | bytes, filename: str = "roster.csv") -> tuple:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return (io.BytesIO(raw), filename)


def field_errors(html: str, field_id: str) -> list[str]:
    """The messages shown beside the form field whose id is `field_id`."""
    start = html.find(f'id="{field_id}"')
    assert start != -1, f"no field {field_id!r} on the page"
    block_end = html.find('<div class="mb-3">', start)
    block = html[start : block_end if block_end != -1 else len(html)]
    return [
        html_lib.unescape(re.sub(r"\s+", " ", message).strip())
        for message in re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</div>', block, re.S)
    ]


def alerts(html: str) -> list[str]:
    """The text of every alert box on the page (flashes and form-wide errors)."""
    return [
        html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip())
        for body in re.findall(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', html, re.S)
    ]
