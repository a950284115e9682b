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


def test_exercise_checks_migration_keeps_the_last_check_of_existing_attempts(app_ctx, make):
    from datetime import UTC, datetime

    from sqlalchemy import select

    from portal.courseformat import read_course
    from portal.learning.importer import apply_bundle
    from portal.learning.models import ExerciseAttempt, ExerciseCheck, Lesson
    from tests.learning.conftest import course_files

    apply_bundle(read_course(course_files()))
    lesson = db.session.scalar(select(Lesson))
    learner = make.user(roles=("learner",))
    checked = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    db.session.add_all(
        [
            ExerciseAttempt(
                user_id=learner.id,
                lesson_id=lesson.id,
                checks_run=2,
                score=50,
                last_checked_at=checked,
                passed=False,
                results=[{"key": "a", "passed": True}, {"key": "b", "passed": False}],
            ),
            ExerciseAttempt(user_id=learner.id, lesson_id=lesson.id),  # started, never checked
        ]
    )
    db.session.commit()
    db.session.remove()
    downgrade(revision="0005_signoff_guard")
    upgrade(revision="heads")
    rows = db.session.execute(
        select(
            ExerciseCheck.checked_at,
            ExerciseCheck.score,
            ExerciseCheck.passed,
            ExerciseCheck.failed,
        )
    ).all()
    assert rows == [(checked, 50, False, ["b"])]


def test_sort_names_follow_names_through_orm_core_and_the_migration(app_ctx, make):
    from sqlalchemy import insert, select, update

    from portal.accounts.models import User

    person = make.user(name="Émile Zola")
    db.session.execute(insert(User), [{"email": "a@x.test", "name": "ÄNNE"}])  # as imports do
    db.session.commit()
    assert person.sort_name == "émile zola"
    person.name = "Zoë"
    db.session.commit()
    assert db.session.scalar(select(User.sort_name).where(User.email == "a@x.test")) == "änne"
    assert db.session.scalar(select(User.sort_name).where(User.id == person.id)) == "zoë"

    db.session.execute(update(User).values(sort_name=""))  # as before the column existed
    db.session.commit()
    db.session.remove()
    downgrade(revision="0007_course_cover")
    upgrade(revision="heads")
    assert sorted(db.session.scalars(select(User.sort_name))) == ["zoë", "änne"]


def test_every_revision_id_fits_postgresqls_version_column():
    """alembic_version.version_num is VARCHAR(32): a longer id fails every upgrade on
    PostgreSQL (and not on SQLite, which does not enforce the length)."""
    from pathlib import Path

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parents[1] / "migrations"))
    ids = [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()]
    assert ids and [i for i in ids if len(i) > 32] == []
