"""Migration 0010: bounded text columns refuse to upgrade over text that does not fit."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.extensions import db


def _course(summary: str) -> None:
    from portal.learning.models import Course

    db.session.add(Course(slug="long", title="Long", summary=summary))
    db.session.commit()


def test_upgrade_stops_with_a_clear_message_when_stored_text_is_too_long(app_ctx, caplog):
    db.session.remove()
    downgrade(revision="0009_late_joiners")
    try:
        _course("s" * 2001)
        db.session.remove()
        with pytest.raises(SystemExit):  # flask-migrate logs the error, then exits
            upgrade(revision="heads")
        assert "courses.summary: 2001 characters (limit 2000)" in caplog.text
        db.session.rollback()
        db.session.remove()
        db.session.execute(text("UPDATE courses SET summary = 'short'"))
        db.session.commit()
        db.session.remove()
    finally:
        upgrade(revision="heads")
    assert db.session.scalar(text("SELECT summary FROM courses")) == "short"
