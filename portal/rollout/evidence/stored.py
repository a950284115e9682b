"""The per-learner relation kept as rows: one narrow row per active learner.

learner_summaries holds what the relation says of each learner that does not depend on
the day: counts and sums, the earliest due date of a required course still open, when
they last opened a lesson. portal.rollout.summaries keeps the rows up to date in the same
transaction as every change that moves them, and learner_summary_state records the
course library (a digest of the catalogue's key) they were counted against. Whenever that
digest is the catalogue's, evidence is read from these rows (stored_evidence): what
depends on the day (overdue, practice and study in the window, new accounts) is worked
out at read time over one row per learner. Otherwise the relation is computed from the
raw rows as before, so a figure is never stale.

Practice in the window is kept too, though the window moves every hour:
learner_summaries.practice counts the learner's practice actions from a kept hour on
(learner_summary_state.practice_since), and a read adds the difference between that hour
and the window's start, summed from practice_hours (practice_moved): no rows when both
are the same hour, the rows of an hour or two otherwise. The kept hour moves to the
window's start as practice is logged (portal.rollout.evidence.counting.advance).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import (
    CTE,
    ColumnElement,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Subquery,
    and_,
    case,
    func,
    null,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.accounts.models import User
from portal.database import UTCDateTime
from portal.extensions import db
from portal.rollout.evidence.parts import SINCE, TODAY
from portal.rollout.evidence.practice import PracticeHour


class LearnerSummary(db.Model):
    """What the evidence relation says of one active learner, less what depends on the day."""

    __tablename__ = "learner_summaries"
    __table_args__ = (
        Index("ix_learner_summaries_department_id", "department_id", "user_id"),
        # The dashboard's time-dependent counts read the learners at risk only: overdue
        # (due_on past), idle (idle_from before the window) or stuck.
        Index("ix_learner_summaries_due_on", "due_on", "department_id"),
        Index("ix_learner_summaries_idle_from", "idle_from", "department_id"),
        Index("ix_learner_summaries_stuck", "stuck", "department_id"),
        # Medians: a department's days to proficiency in order, read at the middle.
        Index("ix_learner_summaries_proficiency", "department_id", "proficiency_days"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    department_id: Mapped[int | None] = mapped_column(Integer)
    required_n: Mapped[int] = mapped_column(Integer, default=0)
    done_n: Mapped[int] = mapped_column(Integer, default=0)
    # The earliest due date of a required course not yet certified (overdue once past).
    due_on: Mapped[date | None] = mapped_column(Date)
    ex_required: Mapped[int] = mapped_column(Integer, default=0)
    ex_passed: Mapped[int] = mapped_column(Integer, default=0)
    quiz_sum: Mapped[int] = mapped_column(Integer, default=0)
    quiz_n: Mapped[int] = mapped_column(Integer, default=0)
    stuck: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_certificate: Mapped[datetime | None] = mapped_column(UTCDateTime)
    studied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last lesson opened
    # While required training is open: the latest of the account's creation, the last
    # lesson opened and the last practice action (idle, so inactive, once before the
    # window); NULL once complete.
    idle_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Days from the first sign-in to the first certificate of a required course (0 when
    # the certificate is older), NULL without both.
    proficiency_days: Mapped[float | None] = mapped_column(Float)
    # Practice actions from learner_summary_state.practice_since on (see the module).
    practice: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DepartmentSummary(db.Model):
    """learner_summaries summed per department (department_key 0: no department), what
    does not depend on the day; kept with them in the same transaction."""

    __tablename__ = "department_summaries"

    department_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    learners: Mapped[int] = mapped_column(Integer, default=0)
    complete: Mapped[int] = mapped_column(Integer, default=0)
    quiz_sum: Mapped[int] = mapped_column(Integer, default=0)
    quiz_n: Mapped[int] = mapped_column(Integer, default=0)
    ex_learners: Mapped[int] = mapped_column(Integer, default=0)
    ex_ok: Mapped[int] = mapped_column(Integer, default=0)
    stuck: Mapped[int] = mapped_column(Integer, default=0)
    certified: Mapped[int] = mapped_column(Integer, default=0)  # with proficiency_days


class DepartmentPractice(db.Model):
    """practice_hours of the learners in learner_summaries, summed per department and
    UTC hour."""

    __tablename__ = "department_practice"

    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)  # the window: a range
    department_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    actions: Mapped[int] = mapped_column(Integer, default=0)


class CertificateDay(db.Model):
    """Certificates of the learners in learner_summaries, per UTC day issued and course."""

    __tablename__ = "certificate_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    course_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    certificates: Mapped[int] = mapped_column(Integer, default=0)


class DepartmentProficiency(db.Model):
    """learner_summaries' days to proficiency counted per department and whole day (the
    day's start, floor of proficiency_days): a median is read where its histogram puts it,
    a few rows of the ordered index instead of half a department's."""

    __tablename__ = "department_proficiency"

    department_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    day: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    learners: Mapped[int] = mapped_column(Integer, default=0)


class CourseCertificates(db.Model):
    """Every certificate issued, anyone's, counted per course (the certificates goal)."""

    __tablename__ = "course_certificates"

    course_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    certificates: Mapped[int] = mapped_column(Integer, default=0)


class SummaryState(db.Model):
    """One row: the digest of the catalogue learner_summaries were counted against."""

    __tablename__ = "learner_summary_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    catalogue: Mapped[str] = mapped_column(String(64))
    # The UTC hour learner_summaries.practice counts from.
    practice_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


def stored_digest(*, hold: str | None = None) -> str | None:
    """The digest of the catalogue the rows were counted against (None: never counted).
    With `hold` ("shared" or "alone"), the state row is locked so till the transaction
    ends (PostgreSQL): the kept hour does not move while the transaction counts from it
    (see counting.advance)."""
    state = SummaryState
    query = select(state.catalogue).where(state.id == 1, state.practice_since.is_not(None))
    if hold is not None:
        query = query.with_for_update(read=hold == "shared")
    return db.session.scalar(query)


def kept_since() -> ColumnElement:
    """The hour learner_summaries.practice counts from, in SQL."""
    return select(SummaryState.practice_since).where(SummaryState.id == 1).scalar_subquery()


def practice_counted(user_id: ColumnElement) -> ColumnElement:
    """What learner_summaries.practice should hold for a learner: their practice hours
    from the kept hour on, summed."""
    h = PracticeHour
    return (
        select(func.coalesce(func.sum(h.actions), 0))
        .where(h.user_id == user_id, h.hour >= kept_since())
        .scalar_subquery()
    )


def practice_moved(since: ColumnElement) -> Subquery:
    """Per learner (user_id, actions): what to add to learner_summaries.practice for their
    practice from `since` (the window's start) on: the hours from `since` to the kept
    hour added when `since` is earlier, those from the kept hour to `since` taken away
    when later; no rows when both are the same hour."""
    h = PracticeHour
    kept = kept_since()
    earlier = kept < since
    return (
        select(
            h.user_id.label("user_id"),
            func.sum(case((h.hour >= kept, -h.actions), else_=h.actions)).label("actions"),
        )
        .where(
            h.hour >= case((earlier, kept), else_=since),
            h.hour < case((earlier, since), else_=kept),
        )
        .group_by(h.user_id)
        .subquery("moved")
    )


def stored_evidence(
    department_ids: Collection[int] | None = None,
    user_ids: Collection[int] | None = None,
    *,
    names: bool = False,
) -> CTE:
    """The evidence relation (see relation.learner_evidence: the same columns) read from
    learner_summaries, with what depends on the day worked out here."""
    s = LearnerSummary
    complete = and_(s.required_n > 0, s.done_n >= s.required_n)
    query = select(
        s.user_id,
        s.department_id,
        s.required_n,
        s.done_n,
        case((s.due_on < TODAY, s.due_on), else_=null()).label("overdue_since"),
        s.ex_required,
        s.ex_passed,
        s.quiz_sum,
        s.quiz_n,
        s.stuck,
    )
    moved = practice_moved(SINCE)
    query = query.select_from(s).outerjoin(moved, moved.c.user_id == s.user_id)
    actions = s.practice + func.coalesce(moved.c.actions, 0)
    query = query.add_columns(
        actions.label("actions"),
        case((complete, null()), (s.studied_at >= SINCE, 1), else_=0).label("studied"),
        case((s.created_at >= SINCE, 1), else_=0).label("new_account"),
        s.first_login_at,
        s.first_certificate,
    )
    if names:
        query = query.join(User, User.id == s.user_id).add_columns(User.name, User.sort_name)
    if department_ids is not None:
        query = query.where(s.department_id.in_(list(department_ids)))
    if user_ids is not None:
        query = query.where(s.user_id.in_(list(user_ids)))
    return query.cte("evidence").prefix_with("MATERIALIZED")
