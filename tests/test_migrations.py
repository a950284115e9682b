"""The migrations build exactly the schema the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal.extensions import db


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_on_empty_database_matches_the_models(app_ctx):
    # conftest built this database with `upgrade()` from empty; take it down and up again.
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(revision="heads")
    assert _differences() == []
    assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())


def test_migrations_form_one_line_of_history(app_ctx):
    # Two heads would make `flask db upgrade` refuse to run on a fresh install.
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
