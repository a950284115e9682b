"""Usage summed per person and week, kept beside the daily rows for the adoption views.

A year of daily rows for 10,000 people is 3.6 million rows; the adoption pages read
weeks. adoption_weeks holds one row per person and calendar week (Monday first) in which
they did anything in the CRM (signed in, or created or updated a record), so a page reads
at most one row per active person and week. `refresh_weeks` rewrites the weeks an import
touched, in the import's transaction (portal.adoption.importing.save_usage calls it).
A week row of an export counts in the calendar week it starts in.

adoption_department_weeks sums those rows per department and week (the department a
person was in when the week was imported), so a page's weekly trend reads one row per
department and week whatever the number of people.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import (
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.accounts.models import User
from portal.adoption.models import COUNTS, Usage
from portal.extensions import db

WEEK = timedelta(days=7)


def monday(day: date) -> date:
    """The first day (Monday) of the calendar week holding `day`."""
    return day - timedelta(days=day.weekday())


class UsageWeek(db.Model):
    """What one person did in the CRM in one calendar week (only weeks they did anything)."""

    __tablename__ = "adoption_weeks"

    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    active_days: Mapped[int] = mapped_column(SmallInteger)  # days (or week rows) with use
    sign_ins: Mapped[int] = mapped_column(Integer)
    records: Mapped[int] = mapped_column(Integer)  # created and updated, every kind
    deals: Mapped[int] = mapped_column(Integer)  # deals created and updated


class DepartmentWeek(db.Model):
    """A department's use of the CRM in one calendar week: its people active that week and
    their records, counted in the department they were in when the week was imported."""

    __tablename__ = "adoption_department_weeks"

    week_start: Mapped[date] = mapped_column(Date, primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    active: Mapped[int] = mapped_column(Integer)
    records: Mapped[int] = mapped_column(Integer)
    deals: Mapped[int] = mapped_column(Integer)


def _records(table) -> object:
    return sum((table.c[name] for name in COUNTS[1:]), literal(0))


def refresh_weeks(first: date, last: date) -> None:
    """Recount every calendar week from the one holding `first` to the one holding `last`."""
    usage = Usage.__table__
    records = _records(usage)
    used = (usage.c.sign_ins + records) > 0
    week = monday(first)
    while week <= last:
        db.session.execute(delete(UsageWeek).where(UsageWeek.week_start == week))
        rows = (
            select(
                literal(week, Date).label("week_start"),
                usage.c.user_id,
                func.count().label("active_days"),
                func.sum(usage.c.sign_ins),
                func.sum(records),
                func.sum(usage.c.deals_created + usage.c.deals_updated),
            )
            .where(usage.c.period_start >= week, usage.c.period_start < week + WEEK, used)
            .group_by(usage.c.user_id)
        )
        db.session.execute(
            insert(UsageWeek).from_select(
                ["week_start", "user_id", "active_days", "sign_ins", "records", "deals"], rows
            )
        )
        _refresh_departments(week)
        week += WEEK


def _refresh_departments(week: date) -> None:
    """Sum the week's people per department (a page's weekly trend reads these rows)."""
    db.session.execute(delete(DepartmentWeek).where(DepartmentWeek.week_start == week))
    rows = (
        select(
            UsageWeek.week_start,
            User.department_id,
            func.count(),
            func.sum(UsageWeek.records),
            func.sum(UsageWeek.deals),
        )
        .join(User, User.id == UsageWeek.user_id)
        .where(UsageWeek.week_start == week, User.department_id.is_not(None))
        .group_by(UsageWeek.week_start, User.department_id)
    )
    db.session.execute(
        insert(DepartmentWeek).from_select(
            ["week_start", "department_id", "active", "records", "deals"], rows
        )
    )
