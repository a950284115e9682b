"""Bearer tokens for the portal's machine APIs: made by an admin, shown once, kept as a hash.

Each token has a purpose (SCIM provisioning, adoption usage), and an API accepts only
tokens made for it, so a directory's SCIM token cannot push usage data, nor the other way.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import UTCDateTime, utcnow
from portal.domain import DomainError
from portal.extensions import db
from portal.labels import LabelledEnum


class TokenPurpose(LabelledEnum):
    SCIM = "scim", _l("Provisioning (SCIM)")
    ADOPTION = "adoption", _l("Adoption usage")


class ApiToken(db.Model):
    """A bearer token one API accepts; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint(
            "purpose IN (" + ", ".join(f"'{p}'" for p in TokenPurpose) + ")",
            name="known_purpose",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ApiToken {self.purpose}:{self.name!r}>"


def _hash(secret: str) -> str:
    # A random 32-byte token needs no slow hash: nobody can guess it from its SHA-256.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(name: str, purpose: TokenPurpose, actor) -> tuple[ApiToken, str]:
    """Make a token; the secret is returned here once and never stored."""
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Enter a name for the token."), "name")
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        purpose=purpose.value,
        name=name[:80],
        token_hash=_hash(secret),
        created_by_id=actor.id,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(token: ApiToken) -> None:
    """Stop a token working; its row stays so the list shows when it was revoked."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def find_token(secret: str) -> ApiToken | None:
    """The live token with this secret, whatever its purpose; None for any other."""
    return db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _hash(secret), ApiToken.revoked_at.is_(None))
    )


def token_for(secret: str, purpose: TokenPurpose) -> ApiToken | None:
    """The live token with this secret made for `purpose`, marked as used now."""
    token = find_token(secret)
    if token is None or token.purpose != purpose.value:
        return None
    token.last_used_at = utcnow()
    return token


def bearer_secret() -> str:
    """The secret in this request's `Authorization: Bearer ...` header, or ""."""
    scheme, _sep, secret = (request.headers.get("Authorization") or "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def list_tokens(purpose: TokenPurpose) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.purpose == purpose.value)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )
