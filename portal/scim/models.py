"""What SCIM keeps beside the portal's own tables: the directory's ids.

Its tokens are API tokens with the SCIM purpose (portal.apitokens).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.apitokens import ApiToken as ScimToken  # noqa: F401 - the SCIM API's tokens
from portal.database import UTCDateTime, utcnow
from portal.extensions import db


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
