"""The schema reset the tests and the benchmarks share: an emptied database whose schema the
Alembic migrations build, exactly as `flask db upgrade` builds it."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from portal.extensions import db


def reset_schema(app: Flask) -> None:
    """Drop everything, then build the schema through the migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        engine = db.engine
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            else:
                db.metadata.drop_all(connection)
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(revision="heads")
