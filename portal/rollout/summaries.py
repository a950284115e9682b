"""Keeping learner_summaries exact: in the same transaction as every change that moves them.

Session events note which learners a flush or a DML statement touches (their progress,
quiz and exercise attempts, certificates, lesson views, roles, department, account) and
whether the course library may have changed (courses, lessons, assignments,
departments), in the session's Pending (portal.rollout.evidence.counting). Just before
the transaction commits, that module counts their rows again, with the department sums,
practice and certificates that follow them; a transaction of another session marks the
rows stale instead (evidence is then read from the raw rows till the next recount). A
bulk DML statement whose learners cannot be told (an UPDATE or DELETE with a WHERE)
counts everyone again: still one statement.

`flask --app portal evidence recount` rebuilds every row from the raw rows.
"""

from __future__ import annotations

from collections.abc import Collection

import click
from flask.cli import with_appcontext
from sqlalchemy import delete, event, func, inspect, select
from sqlalchemy.orm import Session

from portal.accounts.models import Department, User, UserRole
from portal.authoring.models import Assignment
from portal.extensions import db
from portal.learning import models as learning
from portal.rollout.evidence.counting import (
    Pending,
    apply,
    hold,
    keep_practice,
    recount,
    recount_practice,
)
from portal.rollout.evidence.stored import LearnerSummary, SummaryState
from sandbox.models import SandboxEvent

PENDING = "learner_summaries"

# What moves a learner's row, and which attributes of it (None: any change).
_LEARNER_ROWS = {
    learning.Certificate: None,
    learning.QuizAttempt: None,
    learning.ExerciseAttempt: ("user_id", "lesson_id", "passed"),
    learning.LessonProgress: ("user_id", "lesson_id", "best_score", "completed_at"),
    UserRole: None,
}
_USER_ATTRIBUTES = ("department_id", "department_since", "active", "first_login_at", "created_at")
_CATALOGUE = (learning.Course, learning.Lesson, Assignment, Department)
_CATALOGUE_ATTRIBUTES = {
    learning.Course: ("translation_of_id", "published"),
    learning.Lesson: ("course_id", "key", "kind", "required", "archived"),
    Department: (),  # only its creation or deletion (users' department is then cleared)
}


def pending(session: Session) -> Pending:
    found = session.info.get(PENDING)
    if found is None:
        found = session.info[PENDING] = Pending()
    return found


def _changed(obj, attributes: Collection[str] | None) -> bool:
    state = inspect(obj)
    names = attributes if attributes is not None else [a.key for a in state.mapper.column_attrs]
    return any(state.attrs[name].history.has_changes() for name in names)


def _old_and_new(obj, name: str) -> set:
    history = inspect(obj).attrs[name].history
    return {*history.added, *history.deleted, *history.unchanged}


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context) -> None:
    found = pending(session)
    new, deleted = session.new, session.deleted
    for objects, dirty in ((new, False), (deleted, False), (session.dirty, True)):
        for obj in objects:
            kind = type(obj)
            if kind is SandboxEvent:
                if objects is new:
                    found.practised(obj.actor_id, obj.at)
                elif not dirty or _changed(obj, ("actor_id", "at")):
                    found.practice_everyone = True
                continue
            if kind is learning.LessonProgress and not dirty and obj.best_score is None:
                continue  # only quiz scores count: a lesson opened or read moves nothing
            if kind is learning.Certificate:
                _note_certificate(found, obj, objects is new, dirty)
            elif kind is User and objects is deleted:
                found.departed = True
            if kind in _LEARNER_ROWS:
                if not dirty or _changed(obj, _LEARNER_ROWS[kind]):
                    found.users |= _old_and_new(obj, "user_id")
            elif kind is learning.LessonView:
                if not dirty:
                    found.views[obj.user_id] = max(
                        obj.viewed_at, found.views.get(obj.user_id, obj.viewed_at)
                    )
            elif kind is User:
                if not dirty or _changed(obj, _USER_ATTRIBUTES):
                    found.users.add(obj.id)
            elif kind is Assignment:
                if not dirty or _changed(obj, None):
                    found.assignments = True
                    found.departments |= _old_and_new(obj, "department_id") - {None}
                    found.users |= _old_and_new(obj, "user_id") - {None}
            elif kind in _CATALOGUE:
                if not dirty or _changed(obj, _CATALOGUE_ATTRIBUTES[kind]):
                    found.catalogue = True


def _note_certificate(found: Pending, obj: learning.Certificate, added: bool, dirty: bool) -> None:
    """A certificate added, removed or changed: its (day, course) moves for its learner."""
    state = inspect(obj)
    names = ("user_id", "issued_at", "course_id")
    if added:
        found.certified(obj.user_id, obj.issued_at, obj.course_id, 1)
        return
    history = [state.attrs[name].history for name in names]
    before = [(h.deleted or h.unchanged or [None])[0] for h in history]
    if None in before:  # not loaded: not told exactly, the sums are built again
        found.departed = True
    elif not dirty:
        found.certified(*before, -1)
    elif any(h.has_changes() for h in history):
        found.certified(*before, -1)
        found.certified(obj.user_id, obj.issued_at, obj.course_id, 1)


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    """A DML statement through the session on a table the rows depend on."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    kind = mapper.class_ if mapper is not None else None
    if kind is SandboxEvent:
        _note_events(pending(state.session), state)
        return
    if kind not in (*_LEARNER_ROWS, learning.LessonView, User, *_CATALOGUE):
        return
    if kind is Department and state.is_insert:
        return  # a new department has no learners nor assignments yet
    if state.is_update and not _moves_rows(kind, state):
        return  # e.g. a wrong password counted on users, a lesson's last view
    found = pending(state.session)
    found.assignments = found.assignments or kind is Assignment
    rows = state.parameters
    rows = rows if isinstance(rows, list) else [rows] if rows else []
    if state.is_insert and rows and all("user_id" in row for row in rows):
        if kind is learning.LessonView:
            for row in rows:
                at = row.get("viewed_at")
                if at is None:
                    found.users.add(row["user_id"])
                else:
                    found.views[row["user_id"]] = max(at, found.views.get(row["user_id"], at))
            return
        found.users |= {row["user_id"] for row in rows if row["user_id"] is not None}
        if kind is learning.Certificate:
            for row in rows:
                if row.get("issued_at") is None or row.get("course_id") is None:
                    found.departed = True  # not told exactly: the sums are built again
                else:
                    found.certified(row["user_id"], row["issued_at"], row["course_id"], 1)
        if kind is Assignment:
            found.departments |= {row.get("department_id") for row in rows} - {None}
        return
    if kind is Assignment and state.is_insert and rows:
        found.departments |= {row.get("department_id") for row in rows} - {None}
        return
    found.everyone = True
    found.catalogue = found.catalogue or kind in _CATALOGUE


def _note_events(found: Pending, state) -> None:
    rows = state.parameters
    rows = rows if isinstance(rows, list) else [rows] if rows else []
    if state.is_insert and rows and all("actor_id" in row for row in rows):
        for row in rows:
            found.practised(row["actor_id"], row.get("at"))
    elif state.is_insert or _changes_events(state):
        found.practice_everyone = True


def _changes_events(state) -> bool:
    """Whether an UPDATE or DELETE of events may move practice_days."""
    if state.is_delete:
        return True
    values = getattr(state.statement, "_values", None) or {}
    names = {getattr(key, "key", key) for key in values}
    return not names or bool(names & {"actor_id", "at"})


def _moves_rows(kind: type, state) -> bool:
    """Whether an UPDATE sets a column the rows depend on (true when it cannot be told)."""
    relevant = (
        _USER_ATTRIBUTES
        if kind is User
        else _LEARNER_ROWS.get(kind) or _CATALOGUE_ATTRIBUTES.get(kind)
    )
    if relevant is None:
        return True
    statement = state.statement
    values = getattr(statement, "_values", None) or dict(
        getattr(statement, "_ordered_values", None) or ()
    )
    names = {getattr(key, "key", key) for key in values or ()}
    rows = state.parameters
    for row in rows if isinstance(rows, list) else [rows] if rows else []:
        names |= set(row)
    return not names or bool(names & {*relevant, *(["user_id"] if kind is not User else [])})


@event.listens_for(Session, "before_commit")
def _apply_pending(session: Session) -> None:
    session.flush()  # what the commit would flush is noted too
    found = session.info.pop(PENDING, None)
    if found is None:
        return
    held = hold(found)  # once, before the first statement takes the state row
    keep_practice(session, found, held)
    if not found:
        return
    if session is db.session():
        apply(found, held)
    else:  # another session: its rows are counted by the next recount, read raw till then
        session.execute(delete(SummaryState.__table__))


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(PENDING, None)


@click.group("evidence", help="Training evidence kept per learner for the dashboard.")
def evidence_cli() -> None:
    pass


@evidence_cli.command("recount")
@with_appcontext
def recount_command() -> None:
    """Rebuild learner_summaries from progress, attempts and certificates."""
    db.session.info.pop(PENDING, None)
    recount_practice()  # first: the department sums are built from practice per learner
    recount()
    count = db.session.scalar(select(func.count()).select_from(LearnerSummary)) or 0
    db.session.info.pop(PENDING, None)
    db.session.commit()
    click.echo(f"Counted {count} learners again.")
