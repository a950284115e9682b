"""What SCIM keeps beside the portal's own tables: the directory's tokens and ids."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import UTCDateTime, utcnow
from portal.extensions import db


class ScimToken(db.Model):
    """A bearer token a directory signs its SCIM requests with; only its hash is kept."""

    __tablename__ = "scim_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ScimToken {self.name!r}>"


class ScimRecord(db.Model):
    """A user or department as the directory knows it: its externalId and when SCIM
    last changed it (meta.lastModified). Exactly one of user_id, department_id is set."""

    __tablename__ = "scim_records"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (department_id IS NULL)", name="user_or_department"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), unique=True
    )
    external_id: Mapped[str | None] = mapped_column(String(255))
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
