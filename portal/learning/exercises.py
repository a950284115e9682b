"""Hands-on exercises: set up a scenario in the learner's sandbox, then check the work.

The portal reaches the sandbox only through sandbox.services, sandbox.scenarios and
sandbox.checks (the dependency rule in DESIGN.md); this module is where it does.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING

from flask_babel import format_timedelta
from flask_babel import gettext as _
from pydantic import ValidationError
from sqlalchemy import bindparam, func, inspect, select

from portal.accounts.models import User
from portal.database import increment, utcnow
from portal.extensions import db
from portal.learning.models import Course, ExerciseAttempt, ExerciseCheck, Lesson, LessonKind
from portal.learning.services import LearningError, progress_for, record_view
from portal.learning.translations import shared_checks
from portal.loaded import as_loaded

if TYPE_CHECKING:
    from sandbox.checks import CheckResult


def _sandbox_for(user: User):
    """The learner's sandbox, locked for this transaction's writes (see `lock_sandbox`):
    an exercise started or checked from two tabs, or beside a reset, runs after the other.
    Its running clock is caught up, so what follows is stamped with the time it is now."""
    from sandbox import services as sandbox_services
    from sandbox.services import clock

    sandbox = sandbox_services.lock_sandbox(sandbox_services.get_or_create_sandbox(user))
    clock.catch_up(sandbox, persist=True)
    return sandbox


def start_exercise(user: User, lesson: Lesson) -> ExerciseAttempt:
    """Inject the exercise's setup records into the learner's sandbox; a new attempt."""
    if lesson.kind != LessonKind.EXERCISE:
        raise LearningError(_("This lesson is not a hands-on exercise."))
    from sandbox import scenarios
    from sandbox.services import scenario_events

    sandbox = _sandbox_for(user)
    scenario = scenarios.inject(sandbox, lesson.content.get("setup", []), actor=user)
    attempt = ExerciseAttempt(
        user_id=user.id,
        lesson_id=lesson.id,
        sandbox_id=sandbox.id,
        sandbox_generation=sandbox.generation,
        first_event_id=scenario.since,
        records={key: list(value) for key, value in scenario.items()},
        started_at=utcnow(),
    )
    db.session.add(attempt)
    if progress_for(user, lesson) is None:
        record_view(user, lesson)
    db.session.flush()
    scenario_events.start_exercise(sandbox, lesson.content, scenario, scenario.since, attempt.id)
    return attempt


def latest_attempt(user: User, lesson: Lesson) -> ExerciseAttempt | None:
    return db.session.scalar(
        select(ExerciseAttempt)
        .where(ExerciseAttempt.user_id == user.id, ExerciseAttempt.lesson_id == lesson.id)
        .order_by(ExerciseAttempt.id.desc())
        .limit(1)
    )


@dataclass
class OpenExercise:
    """An exercise the learner is working on: what the panel beside the sandbox shows."""

    attempt: ExerciseAttempt
    lesson: Lesson
    course: Course


def open_exercise(user: User, sandbox, left_attempt_id: int | None = None) -> OpenExercise | None:
    """The learner's latest exercise, if it is still open in this sandbox (one query).

    Open means started and neither passed nor left (`left_attempt_id`, the attempt the
    learner closed the panel on), in the sandbox as it is now: a reset ends it. Every
    sandbox page asks, and the usual answer is none: the statement is built once, with
    the conditions in it, and runs on the session's connection, since setting up an ORM
    load of three entities cost more than the statement. An open exercise's row becomes
    its attempt, lesson and course in the session (`_in_session`), as a load would.
    """
    values = {
        "user_id": user.id,
        "left": left_attempt_id or 0,
        "sandbox_id": sandbox.id,
        "generation": sandbox.generation,
    }
    row = db.session.connection().execute(_open_exercise_statement(), values).first()
    if row is None:
        return None
    return OpenExercise(*(_in_session(model, row) for model in _OPEN_EXERCISE_MODELS))


_OPEN_EXERCISE_MODELS = (ExerciseAttempt, Lesson, Course)


def _columns(model) -> list:
    """`model`'s mapped columns, labelled "<table>.<attribute>" (three tables have an id)."""
    table = model.__table__.name
    return [
        prop.columns[0].label(f"{table}.{prop.key}")
        for prop in inspect(model).column_attrs
        if prop.columns[0].table is model.__table__
    ]


def _in_session(model, row):
    """The `model` instance a row of `_open_exercise_statement` holds (`as_loaded`)."""
    table = model.__table__.name
    mapping = row._mapping
    return as_loaded(
        model,
        {
            prop.key: mapping[f"{table}.{prop.key}"]
            for prop in inspect(model).column_attrs
            if prop.columns[0].table is model.__table__
        },
    )


@cache
def _open_exercise_statement():
    """The user's latest attempt with its lesson and course, when open (`open_exercise`)."""
    latest = (
        select(func.max(ExerciseAttempt.id))
        .where(ExerciseAttempt.user_id == bindparam("user_id"))
        .scalar_subquery()
    )
    columns = [column for model in _OPEN_EXERCISE_MODELS for column in _columns(model)]
    return (
        select(*columns)
        .join_from(ExerciseAttempt, Lesson, Lesson.id == ExerciseAttempt.lesson_id)
        .join(Course, Course.id == Lesson.course_id)
        .where(
            ExerciseAttempt.id == latest,
            ExerciseAttempt.id != bindparam("left"),
            ExerciseAttempt.passed.is_(False),
            ExerciseAttempt.sandbox_id == bindparam("sandbox_id"),
            ExerciseAttempt.sandbox_generation == bindparam("generation"),
            Lesson.archived.is_(False),
            Course.published.is_(True),
        )
    )


def event_label(verb: str) -> str:
    """What a sandbox action is called in a learner's summary ("A lead was created")."""
    from portal.authoring.exercise.labels import EVENT_LABELS

    return str(EVENT_LABELS.get(verb, verb))


def sandbox_span(minutes: int) -> str:
    """A stretch of sandbox time in the reader's words ("2 hours")."""
    return format_timedelta(timedelta(minutes=minutes), threshold=1.5)


def answer_checks(lesson: Lesson) -> list[dict]:
    """The exercise's answer checks: what the learner answers beside Check my work."""
    return [check for check in lesson.content.get("checks", []) if check.get("type") == "answer"]


def check_exercise(
    user: User, lesson: Lesson, answers: dict[str, str] | None = None
) -> tuple[ExerciseAttempt, list[CheckResult]]:
    """Evaluate every check against the learner's own sandbox and keep the result;
    `answers` (check key -> what they entered) replace those given before. Passing keeps
    a summary of how they worked on the attempt."""
    attempt = latest_attempt(user, lesson)
    if attempt is None:
        raise LearningError(_("Start the exercise first."))
    from sandbox import checks, scenarios
    from sandbox.services import scenario_events

    sandbox = _sandbox_for(user)
    if sandbox.id != attempt.sandbox_id or attempt.sandbox_generation != sandbox.generation:
        raise LearningError(
            _("Your sandbox was reset since you started: start the exercise again.")
        )
    scenario_events.play_due(sandbox)
    if answers:
        attempt.answers = {**(attempt.answers or {}), **answers}
    scenario = scenarios.Scenario(
        {key: tuple(value) for key, value in attempt.records.items()},
        attempt.first_event_id,
        attempt.answers,
    )
    try:
        outcomes = checks.evaluate(sandbox, shared_checks(lesson), scenario)
    except ValidationError as error:  # published before the format refused such checks
        raise LearningError(
            _("This exercise cannot be checked as it stands: please tell your trainer.")
        ) from error
    required = [o for o in outcomes if o.required]
    increment(attempt, "checks_run")  # in the database: checks from two tabs both count
    attempt.last_checked_at = utcnow()
    attempt.score = round(100 * sum(o.passed for o in outcomes) / len(outcomes)) if outcomes else 0
    attempt.passed = bool(required) and all(o.passed for o in required)
    attempt.results = [asdict(o) for o in outcomes]
    db.session.add(
        ExerciseCheck(
            attempt_id=attempt.id,
            checked_at=attempt.last_checked_at,
            score=attempt.score,
            passed=attempt.passed,
            failed=[o.key for o in outcomes if not o.passed],
        )
    )
    progress = progress_for(user, lesson) or record_view(user, lesson)
    progress.best_score = max(progress.best_score or 0, attempt.score)
    if attempt.passed and progress.completed_at is None:
        progress.completed_at = utcnow()
    if attempt.passed and attempt.summary is None:
        attempt.summary = checks.summary(sandbox, scenario)
    db.session.flush()
    return attempt, outcomes
