"""Assignments: a published course given to departments, rollout waves or people."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from portal import clock
from portal.accounts.models import Department, User, UserRole, normalise_email
from portal.authoring.models import LATE_JOINER_DAYS, Assignment
from portal.domain import DomainError
from portal.extensions import db
from portal.learning.models import Course
from portal.rollout.models import Wave


class AssignmentError(DomainError):
    """A change to assignments the rules refuse; `field` names the form field at fault."""


@dataclass(frozen=True)
class Assigning:
    """Who a course goes to and on what terms, as the trainer's form gives them: departments
    and/or people by email, the due date, required or optional, who assigns, and the days
    people who join an assigned department later get from joining."""

    department_ids: list[int]
    emails: list[str]
    due_on: date | None
    required: bool
    actor: User
    late_joiner_days: int = LATE_JOINER_DAYS


def assign_course(course: Course, assigning: Assigning) -> int:
    """Assign the course to departments and/or people; returns how many were added."""
    department_ids, emails = assigning.department_ids, assigning.emails
    if not course.published:
        raise AssignmentError(_("Publish the course before assigning it."))
    if not department_ids and not emails:
        raise AssignmentError(_("Choose at least one department or person."), "departments")
    users: list[User] = []
    if emails:
        wanted = {normalise_email(e) for e in emails if e.strip()}
        users = list(db.session.scalars(select(User).where(User.email.in_(wanted))))
        unknown = wanted - {u.email for u in users}
        if unknown:
            raise AssignmentError(
                _("No account for: %(emails)s", emails=", ".join(sorted(unknown))), "emails"
            )
    known_departments = set(
        db.session.scalars(select(Department.id).where(Department.id.in_(department_ids)))
    )
    if set(department_ids) - known_departments:
        raise AssignmentError(_("Choose departments from the list."), "departments")
    existing = db.session.scalars(select(Assignment).where(Assignment.course_id == course.id))
    taken = {(a.department_id, a.user_id) for a in existing}
    added = 0
    targets = [(d, None) for d in department_ids] + [(None, u.id) for u in users]
    for department_id, user_id in targets:
        if (department_id, user_id) in taken:
            continue
        db.session.add(
            Assignment(
                course_id=course.id,
                department_id=department_id,
                user_id=user_id,
                due_on=assigning.due_on,
                required=assigning.required,
                assigned_by_id=assigning.actor.id,
                late_joiner_days=assigning.late_joiner_days,
            )
        )
        added += 1
    if not added:
        raise AssignmentError(_("Everyone chosen already has this course assigned."))
    db.session.flush()
    return added


def assign(course: Course, assigning: Assigning, *, wave: Wave | None, lead_days: int) -> int:
    """Assign as the trainer's form says: to a rollout wave's departments (due `lead_days`
    before its go-live), and/or to other departments and people. Returns how many
    assignments were added."""
    from portal.rollout.services import RolloutError, tie_course

    count = select(func.count(Assignment.id)).where(Assignment.course_id == course.id)
    before = db.session.scalar(count)
    if wave is not None:
        try:
            tie_course(wave, course.id, assigning.required, lead_days, assigning.actor)
        except RolloutError as error:
            raise AssignmentError(error.message, "wave") from error
        in_wave = {d.id for d in wave.departments}
        assigning = replace(
            assigning, department_ids=[d for d in assigning.department_ids if d not in in_wave]
        )
        for tied in db.session.scalars(
            select(Assignment).where(
                Assignment.wave_id == wave.id, Assignment.course_id == course.id
            )
        ):
            tied.late_joiner_days = assigning.late_joiner_days
    if wave is None or assigning.department_ids or any(e.strip() for e in assigning.emails):
        assign_course(course, assigning)
    db.session.flush()
    return db.session.scalar(count) - before


def change_assignment(
    assignment: Assignment, due_on: date | None, required: bool, late_joiner_days: int | None = None
) -> None:
    """A new due date, required flag or days for late joiners for one assignment; a
    wave's assignment keeps the due date its wave gives it."""
    if assignment.wave_id is not None and due_on != assignment.due_on:
        raise AssignmentError(
            _("This due date follows its rollout wave: move the wave's go-live date instead."),
            "due_on",
        )
    if due_on is not None and due_on != assignment.due_on and due_on < clock.today():
        raise AssignmentError(_("The due date is in the past."), "due_on")
    assignment.due_on = due_on
    assignment.required = required
    if late_joiner_days is not None:
        assignment.late_joiner_days = late_joiner_days
    db.session.flush()


def assignments_of(course: Course) -> list[AssignmentRow]:
    """Each assignment with who it names and how many active learners it reaches."""
    learners = (
        select(User.id, User.department_id)
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == "learner"))
        .where(User.active.is_(True))
        .subquery()
    )
    dept_counts = dict(
        db.session.execute(
            select(learners.c.department_id, func.count()).group_by(learners.c.department_id)
        ).all()
    )
    rows = db.session.execute(
        select(Assignment, Department.name, User.name, Wave.name)
        .outerjoin(Department, Department.id == Assignment.department_id)
        .outerjoin(User, User.id == Assignment.user_id)
        .outerjoin(Wave, Wave.id == Assignment.wave_id)
        .where(Assignment.course_id == course.id)
        .order_by(Assignment.created_at)
    ).all()
    return [
        AssignmentRow(
            a, dept or person or "", dept_counts.get(a.department_id, 0) if dept else 1, wave
        )
        for a, dept, person, wave in rows
    ]


@dataclass
class AssignmentRow:
    assignment: Assignment
    who: str
    reach: int  # active learners it reaches
    wave: str | None  # the rollout wave that sets its due date
