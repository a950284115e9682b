"""Database helpers: SQLite pragmas, a UTC timestamp type, and the UTC clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask, current_app
from sqlalchemy import DateTime, event, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware; used as a column default callable."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite keeps no zone, PostgreSQL does; this makes both return the same thing.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def increment(record, column: str) -> int:
    """Add one to a counter column in the database (`SET n = n + 1 ... RETURNING n`), not
    from the value the object was loaded with: two requests at once both count. The object
    takes the new value as if loaded; returns it."""
    from portal.extensions import db

    model = type(record)
    counter = getattr(model, column)
    value = db.session.execute(
        update(model)
        .where(model.id == record.id)
        .values({column: counter + 1})
        .returning(counter)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(record, column, value)
    return value


def best_effort(write: Callable[[], object], what: str) -> None:
    """Run and commit a bookkeeping write that a page does not depend on (a lesson view, a
    report opened). When the database refuses it (disk full, locked), roll it back and log
    one line: the page is still shown."""
    from portal.extensions import db

    try:
        write()
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        current_app.logger.warning("could not record %s: %s", what, str(error).splitlines()[0])


def install_sqlite_pragmas(app: Flask) -> None:
    """Turn on WAL, a busy timeout and foreign keys on every SQLite connection."""
    from portal.extensions import db

    busy_timeout = int(app.config["SQLITE_BUSY_TIMEOUT_MS"])

    def on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", on_connect)
