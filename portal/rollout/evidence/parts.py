"""The relation's parts: who the learners are, and what they did in the practice window
(practice actions: portal.rollout.evidence.practice).

Kept apart from `relation`, which assembles them with the evidence of courses, quizzes and
exercises: these read users and activity only. The day and the start of the practice
window are bound parameters (TODAY, SINCE), so a statement built once runs on any day.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Date, Select, and_, bindparam, case, select

from portal.accounts.models import User, UserRole
from portal.accounts.roles import Role
from portal.database import UTCDateTime
from portal.learning.models import LessonView
from portal.rollout.evidence.practice import utc_hour, window
from portal.rollout.sqltime import days_after

PRACTICE_WINDOW = timedelta(days=14)

TODAY = bindparam("today", type_=Date)
SINCE = bindparam("since", type_=UTCDateTime)


def params(today: date, now: datetime) -> dict:
    """The values of TODAY and SINCE for a statement run at `now`. The window starts on
    the UTC hour (PRACTICE_WINDOW ago, rounded down), so that practice per department is
    a range of the hours kept (departments.DepartmentPractice) and the same at every
    read within the hour."""
    since = window_start(now)
    return {"today": today, "since": since, **window(since)}


def window_start(now: datetime) -> datetime:
    """The start of the practice window at `now`: PRACTICE_WINDOW ago, on the UTC hour."""
    return utc_hour(now - PRACTICE_WINDOW)


def learners(
    department_ids: Collection[int] | None = None,
    user_ids: Collection[int] | None = None,
    *,
    names: bool = False,
) -> Select:
    """Active users holding the learner role, optionally only some departments or people;
    with `names`, their names too."""
    query = (
        select(
            User.id.label("user_id"),
            User.department_id.label("department_id"),
            User.first_login_at.label("first_login_at"),
            User.created_at.label("created_at"),
            User.department_since.label("joined_at"),
            *([User.name.label("name"), User.sort_name.label("sort_name")] if names else []),
        )
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == Role.LEARNER.value))
        .where(User.active.is_(True))
    )
    if department_ids is not None:
        query = query.where(User.department_id.in_(list(department_ids)))
    if user_ids is not None:
        query = query.where(User.id.in_(list(user_ids)))
    return query


def effective_due(
    due_on: ColumnElement,
    joined_at: ColumnElement,
    assigned_at: ColumnElement,
    late_days: ColumnElement | int,
) -> ColumnElement:
    """A department assignment's due date for one learner, in SQL, as
    Assignment.due_for computes it: a learner who joined the department (joined_at)
    after the assignment was made is due `late_days` after joining, or on its own date
    if that is later."""
    later = days_after(joined_at, late_days)
    return case(
        (and_(joined_at > assigned_at, later > due_on), later),
        else_=due_on,
    )


def studied(user_id: ColumnElement, since) -> ColumnElement:
    """1 if the learner opened a lesson since `since`, else 0. Quiz and exercise attempts
    need no test of their own: both are made from the lesson's page, which opening logs."""
    recent = select(LessonView.id).where(
        LessonView.user_id == user_id, LessonView.viewed_at >= since
    )
    return case((recent.exists(), 1), else_=0)
