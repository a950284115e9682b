"""Practice actions kept per learner and day, so the practice window is read from a few
rows per learner instead of the sandbox's whole event log.

A practice action is an event the learner's work in the sandbox logged (sb_events, by
actor and wall-clock time). practice_days counts them per actor and UTC day; the rows
are added to in the same transaction as the events (portal.rollout.summaries). Events
outlive a sandbox's reset or expiry, and so do these rows; they go with the user.

The window starts on an hour (SINCE), not at midnight: whole days after the window's
first day are summed from the rows, and the first day's events from SINCE on are
counted in the log, for the learners with a row on that day only (a range of the
(actor_id, at) index each), so the figure is exactly the events logged since SINCE.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import (
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    Subquery,
    bindparam,
    case,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.functions import FunctionElement

from portal.accounts.models import User
from portal.database import UTCDateTime
from portal.extensions import db
from portal.rollout.sqltime import spell
from sandbox.models import SandboxEvent

FIRST_DAY = bindparam("since_day", type_=Date)  # the UTC day SINCE falls on
NEXT_DAY = bindparam("since_next", type_=UTCDateTime)  # the midnight after it


class PracticeDay(db.Model):
    """Practice actions of one learner on one UTC day."""

    __tablename__ = "practice_days"
    __table_args__ = (Index("ix_practice_days_user_id_day", "user_id", "day", "actions"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    actions: Mapped[int] = mapped_column(Integer)


class PracticeHour(db.Model):
    """Practice actions of one learner in one UTC hour: summed per department
    (departments.DepartmentPractice), the window (which starts on the hour) is a range of
    whole hours."""

    __tablename__ = "practice_hours"
    __table_args__ = (Index("ix_practice_hours_user_id_hour", "user_id", "hour"),)

    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    actions: Mapped[int] = mapped_column(Integer)


def window(since: datetime) -> dict:
    """The values of FIRST_DAY and NEXT_DAY for a window starting at `since`."""
    first = since.astimezone(UTC).date()
    return {
        "since_day": first,
        "since_next": datetime.combine(first + timedelta(days=1), time(), tzinfo=UTC),
    }


def utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date()


def utc_hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class utc_date(FunctionElement):
    """The UTC day of a timestamp column, in SQL."""

    type = Date()
    inherit_cache = True


class utc_hour_of(FunctionElement):
    """The UTC hour of a timestamp column (its start), in SQL."""

    type = UTCDateTime()
    inherit_cache = True


spell(
    utc_hour_of,
    # As SQLite stores timestamps (see portal.database.UTCDateTime).
    sqlite="strftime('%Y-%m-%d %H:00:00.000000', {0})",
    postgresql="(date_trunc('hour', {0} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')",
)
spell(utc_date, sqlite="date({0})", postgresql="CAST(({0} AT TIME ZONE 'UTC') AS DATE)")


def first_day_events(user_id: ColumnElement, since, until=NEXT_DAY) -> ColumnElement:
    """The learner's events from `since` to `until` (the end of the first day, or hour)."""
    return (
        select(func.count())
        .where(SandboxEvent.actor_id == user_id, SandboxEvent.at >= since, SandboxEvent.at < until)
        .scalar_subquery()
    )


def _actions(since) -> ColumnElement:
    p = PracticeDay
    return case((p.day > FIRST_DAY, p.actions), else_=first_day_events(p.user_id, since))


def practice_actions(since, scope: Callable[[ColumnElement], list]) -> Subquery:
    """Practice actions per learner since `since` (user_id, actions)."""
    p = PracticeDay
    return (
        select(p.user_id.label("user_id"), func.sum(_actions(since)).label("actions"))
        .where(p.day >= FIRST_DAY, *scope(p.user_id))
        .group_by(p.user_id)
        .subquery("practice")
    )


def practice_actions_of(user_id: ColumnElement, since) -> ColumnElement:
    """The same count for one learner, as a scalar (0 when none)."""
    p = PracticeDay
    return (
        select(func.coalesce(func.sum(_actions(since)), 0))
        .where(p.user_id == user_id, p.day >= FIRST_DAY)
        .scalar_subquery()
    )


def counted_days(hours: bool = False):
    """(day, user_id, actions) counted from the event log: what practice_days should hold;
    with `hours`, (hour, user_id, actions) for practice_hours."""
    e = SandboxEvent
    day = utc_hour_of(e.at) if hours else utc_date(e.at)
    return (
        select(
            day.label("hour" if hours else "day"),
            e.actor_id.label("user_id"),
            func.count().label("actions"),
        )
        .where(e.actor_id.in_(select(User.id)))
        .group_by(day, e.actor_id)
    )
