"""Authoring's records: a course's draft and published versions, its assignments to
departments and people, and the reminders trainers send.

Course itself lives in portal.learning.models; the relationships to it are resolved by
name, so this module does not import learning's at run time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.database import UTCDateTime, utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from portal.learning.models import Course

# Days a late joiner has for an assignment unless the portal's LATE_JOINER_DAYS setting or
# the trainer says otherwise.
LATE_JOINER_DAYS = 14


class CourseDraft(db.Model):
    """The version a trainer is editing; learners see the course only as last published."""

    __tablename__ = "course_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), unique=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # a CourseBundle as plain data
    # The digest of `data` (importer.bundle_hash), kept as data is set: the course list
    # compares it with Course.source_hash without loading any draft's content.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    based_on_version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @validates("data")
    def _data_sets_content_hash(self, _key: str, value: dict[str, Any]) -> dict[str, Any]:
        from portal.courseformat import bundle_from_dict
        from portal.learning.importer import bundle_hash

        self.content_hash = bundle_hash(bundle_from_dict(value)) if value.get("slug") else None
        return value


class CourseVersion(db.Model):
    """Each publish of a course, with its full content and what changed."""

    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    changes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # As on Course: this version's text fingerprint, and a translation's source fingerprint.
    fingerprint: Mapped[str] = mapped_column(String(64), default="", server_default="")
    source_version: Mapped[str] = mapped_column(String(64), default="", server_default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_by: Mapped[Any] = relationship("User")


class Assignment(db.Model):
    """A course given to a department or to one person, with a due date."""

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("(department_id IS NULL) <> (user_id IS NULL)", name="department_or_user"),
        Index("ix_assignments_course_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    due_on: Mapped[date | None] = mapped_column(Date)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A rollout wave this assignment prepares for; its due date is then worked back from
    # the wave's go-live date by `lead_days` (the rollout package keeps it in step).
    wave_id: Mapped[int | None] = mapped_column(
        ForeignKey("rollout_waves.id", ondelete="SET NULL"), index=True
    )
    lead_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # People who join the department after the assignment was made are due this many days
    # after they join, or on the due date if that is later (see due_for).
    late_joiner_days: Mapped[int] = mapped_column(
        Integer, default=LATE_JOINER_DAYS, server_default=str(LATE_JOINER_DAYS)
    )

    course: Mapped[Course] = relationship()

    def due_for(self, joined_at: datetime | None) -> date | None:
        """The due date for a learner who joined the assigned department at `joined_at`.

        A learner joins when their account is made or when they move into the department
        (users.department_since). Whoever joined before the assignment was made is due on
        its date; a late joiner `late_joiner_days` after joining, or on its date if that is
        later, so never in the past when they arrive. Assignments to a person by name have
        no late joiners (pass None). portal.rollout.evidence computes the same in SQL.
        """
        if self.due_on is None or joined_at is None or joined_at <= self.created_at:
            return self.due_on
        return max(
            self.due_on, joined_at.astimezone(UTC).date() + timedelta(days=self.late_joiner_days)
        )

    def joined_late(self, joined_at: datetime | None) -> bool:
        """Whether due_for gives this learner a later date than the assignment's own."""
        return self.due_for(joined_at) != self.due_on


class Nudge(db.Model):
    """A reminder a trainer sent (or tried to send) to a learner about a course."""

    __tablename__ = "nudges"
    __table_args__ = (Index("ix_nudges_course_id_sent_at", "course_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20))  # as queued; the email's own status follows
    subject: Mapped[str] = mapped_column(String(200))
    error: Mapped[str] = mapped_column(Text, default="")
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_mail.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])
    mail = relationship("OutgoingMail", lazy="joined")

    @property
    def state(self) -> str:
        """Where the email stands now: queued, sent, failed, not_configured..."""
        return self.mail.status if self.mail is not None else self.status

    @property
    def problem(self) -> str:
        return self.mail.error if self.mail is not None else self.error
