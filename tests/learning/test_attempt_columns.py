"""Exercise attempts keep their sandbox generation and first event in columns; migration
0012 moves them there from the setup-record map of attempts made before."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from portal.courseformat.reader import read_course
from portal.extensions import db
from portal.learning.importer import apply_bundle
from portal.learning.models import ExerciseAttempt, Lesson
from tests.learning.exercise_course import exercise_files


def test_migration_0012_moves_generation_and_since_out_of_the_records(app_ctx, make):
    apply_bundle(read_course(exercise_files()[0]))
    lesson = db.session.scalar(select(Lesson).where(Lesson.key == "drill"))
    learner = make.user(roles=("learner",))
    db.session.commit()
    db.session.remove()
    downgrade(revision="0011_bounded_sandbox_text")
    old = '{"lead": ["lead", 7], "_generation": ["sandbox", 3], "_since": ["event", 41]}'
    db.session.execute(
        text(
            "INSERT INTO exercise_attempts (user_id, lesson_id, records, started_at, "
            "checks_run, score, passed, results) "
            "VALUES (:user, :lesson, :records, CURRENT_TIMESTAMP, 0, 0, :no, '[]')"
        ),
        {"user": learner.id, "lesson": lesson.id, "records": old, "no": False},
    )
    db.session.commit()
    db.session.remove()
    upgrade(revision="heads")
    attempt = db.session.scalar(select(ExerciseAttempt))
    assert attempt.records == {"lead": ["lead", 7]}
    assert (attempt.sandbox_generation, attempt.first_event_id) == (3, 41)
    db.session.remove()
    downgrade(revision="0011_bounded_sandbox_text")
    records = db.session.execute(text("SELECT records FROM exercise_attempts")).scalar()
    db.session.remove()
    upgrade(revision="heads")
    assert "_since" in str(records) and "_generation" in str(records)


def test_starting_an_exercise_fills_the_columns_not_the_records(client, make, app_ctx):
    from portal.learning.exercises import start_exercise

    apply_bundle(read_course(exercise_files()[0]))
    lesson = db.session.scalar(select(Lesson).where(Lesson.key == "drill"))
    learner = make.user(roles=("learner",))
    attempt = start_exercise(learner, lesson)
    assert set(attempt.records) == {"lead", "ticket"}
    assert attempt.sandbox_generation == 1 and attempt.first_event_id > 0
