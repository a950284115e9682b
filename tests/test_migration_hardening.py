"""Migrations 0010 and 0011: bounded text columns refuse to upgrade over text that does not
fit, say which column, and change nothing until it is shortened."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.extensions import db


def _course(value: str) -> None:
    from portal.learning.models import Course

    db.session.add(Course(slug="long", title="Long", summary=value))


def _lead_note(value: str) -> None:
    from datetime import UTC, datetime

    from sandbox.models import Sandbox

    box = Sandbox(owner_id=None, seed=1, clock=datetime(2026, 1, 5, 9, tzinfo=UTC))
    db.session.add(box)
    db.session.flush()
    # Core, naming only the columns the old table has (the model has later ones).
    db.session.execute(
        text(
            "INSERT INTO sb_leads (sandbox_id, first_name, last_name, company, title, email,"
            " phone, source, status, description, created_at)"
            " VALUES (:box, 'Long', '', '', '', '', '', 'other', 'new', :value, :at)"
        ),
        {"box": box.id, "value": value, "at": box.clock.replace(tzinfo=None)},
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
