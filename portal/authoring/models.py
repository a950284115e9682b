"""Authoring records: reminders sent to learners."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.extensions import db


class Nudge(db.Model):
    """A reminder a trainer sent (or tried to send) to a learner about a course."""

    __tablename__ = "nudges"
    __table_args__ = (Index("ix_nudges_course_id_sent_at", "course_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20))  # sent | failed | not_configured
    subject: Mapped[str] = mapped_column(String(200))
    error: Mapped[str] = mapped_column(Text, default="")

    user = relationship("User", foreign_keys=[user_id])
