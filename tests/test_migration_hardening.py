"""Migrations 0010 and 0011: bounded text columns refuse to upgrade over text that does not
fit, say which column, and change nothing until it is shortened."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.extensions import db


def _insert(table: str, values: dict) -> int:
    """Insert a row naming only the columns the table has at this revision (the models
    have later ones); its id."""
    from sqlalchemy import MetaData, Table

    reflected = Table(table, MetaData(), autoload_with=db.session.connection())
    row = {name: value for name, value in values.items() if name in reflected.c}
    return db.session.execute(reflected.insert().values(**row)).inserted_primary_key[0]


def _course(value: str) -> None:
    from datetime import datetime

    now = datetime(2026, 1, 5, 9)
    _insert(
        "courses",
        {
            "slug": "long",
            "title": "Long",
            "summary": value,
            "cover": "",
            "language": "en",
            "published": True,
            "version": 1,
            "source_hash": "",
            "created_at": now,
            "updated_at": now,
        },
    )


def _lead_note(value: str) -> None:
    from datetime import datetime

    at = datetime(2026, 1, 5, 9)
    box = _insert(
        "sandboxes",
        {"owner_id": None, "seed": 1, "generation": 1, "clock": at, "created_at": at},
    )
    _insert(
        "sb_leads",
        {
            "sandbox_id": box,
            "first_name": "Long",
            "last_name": "",
            "company": "",
            "title": "",
            "email": "",
            "phone": "",
            "source": "other",
            "status": "new",
            "description": value,
            "created_at": at,
        },
    )


CASES = [
    ("0009_late_joiners", _course, "courses", "summary", 2000),
    ("0010_hardening", _lead_note, "sb_leads", "description", 5000),
]


@pytest.mark.parametrize(("before", "store", "table", "column", "limit"), CASES)
def test_upgrade_stops_with_a_clear_message_when_stored_text_is_too_long(
    app_ctx, caplog, before, store, table, column, limit
):
    db.session.remove()
    downgrade(revision=before)
    try:
        store("s" * (limit + 1))
        db.session.commit()
        db.session.remove()
        with pytest.raises(SystemExit):  # flask-migrate logs the error, then exits
            upgrade(revision="heads")
        assert f"{table}.{column}: {limit + 1} characters (limit {limit})" in caplog.text
        db.session.rollback()
        db.session.remove()
        db.session.execute(text(f"UPDATE {table} SET {column} = 'short'"))
        db.session.commit()
        db.session.remove()
    finally:
        upgrade(revision="heads")
    assert db.session.scalar(text(f"SELECT {column} FROM {table}")) == "short"
