"""Usage rows (one per user and period) and the imports that wrote them.

At 10,000 users and a year of days the usage table holds 3.6 million rows, so it is
narrow: the key is (period_start, user_id), counts are smallints, and nothing else is
stored per row. A week is a row with `days` = 7 starting on its first day; a day has
`days` = 1. Reads "per department or wave, per week" scan a range of period_start and
join users; the second index serves one person's history and deleting a user.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.labels import LabelledEnum

# The counted kinds of record, in the order forms, files and the API list them.
KINDS = ("leads", "deals", "tickets", "activities")
# Every count column of a usage row, in that order: sign_ins, then created/updated per kind.
COUNTS = ("sign_ins",) + tuple(
    f"{kind}_{verb}" for kind in KINDS for verb in ("created", "updated")
)
PERIOD_DAYS = (1, 7)
SMALLINT_MAX = 32767


class ImportSource(LabelledEnum):
    CSV = "csv", _l("CSV file")
    API = "api", _l("API")


class UsageImport(db.Model):
    """One accepted import: who sent it, how, the dates it covers and how many rows."""

    __tablename__ = "adoption_imports"
    __table_args__ = (
        CheckConstraint("source IN ('csv', 'api')", name="known_source"),
        CheckConstraint("period_first <= period_last", name="period_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(8))
    preset: Mapped[str | None] = mapped_column(String(32))
    filename: Mapped[str | None] = mapped_column(String(255))
    period_first: Mapped[date] = mapped_column(Date)
    period_last: Mapped[date] = mapped_column(Date)
    row_count: Mapped[int] = mapped_column(Integer)
    replaced_count: Mapped[int] = mapped_column(Integer, default=0)


class Usage(db.Model):
    """What one person did in the CRM in one day or week."""

    __tablename__ = "adoption_usage"
    __table_args__ = (
        CheckConstraint("days IN (1, 7)", name="day_or_week"),
        Index("ix_adoption_usage_user_period", "user_id", "period_start"),
    )

    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    days: Mapped[int] = mapped_column(SmallInteger)
    sign_ins: Mapped[int] = mapped_column(SmallInteger)
    leads_created: Mapped[int] = mapped_column(SmallInteger)
    leads_updated: Mapped[int] = mapped_column(SmallInteger)
    deals_created: Mapped[int] = mapped_column(SmallInteger)
    deals_updated: Mapped[int] = mapped_column(SmallInteger)
    tickets_created: Mapped[int] = mapped_column(SmallInteger)
    tickets_updated: Mapped[int] = mapped_column(SmallInteger)
    activities_created: Mapped[int] = mapped_column(SmallInteger)
    activities_updated: Mapped[int] = mapped_column(SmallInteger)

    @property
    def period_end(self) -> date:
        """The last day the row covers."""
        return self.period_start + timedelta(days=self.days - 1)

    @property
    def records(self) -> int:
        """Records created and updated, every kind together."""
        return sum(getattr(self, column) for column in COUNTS[1:])


class UsageUpload(db.Model):
    """A CSV kept between upload, mapping and preview: its text, under a random token
    that finds it only for its uploader. Deleted when imported, or an hour after upload."""

    __tablename__ = "adoption_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
