"""Bearer tokens for SCIM: made by an admin, shown once, kept as a hash, revocable."""

from __future__ import annotations

import hashlib
import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.accounts.services import AccountError
from portal.database import utcnow
from portal.extensions import db
from portal.scim.models import ScimToken


def _hash(token: str) -> str:
    # A random 32-byte token needs no slow hash: nobody can guess it from its SHA-256.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(name: str, actor: User) -> tuple[ScimToken, str]:
    """Make a token; the secret is returned here once and never stored."""
    name = " ".join(name.split())
    if not name:
        raise AccountError(_("Enter a name for the token."), "name")
    secret = secrets.token_urlsafe(32)
    token = ScimToken(name=name[:80], token_hash=_hash(secret), created_by_id=actor.id)
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(token: ScimToken) -> None:
    """Stop a token working; its row stays so the list shows when it was revoked."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def token_for(secret: str) -> ScimToken | None:
    """The live token with this secret, marked as used now; None for any other."""
    token = db.session.scalar(
        select(ScimToken).where(
            ScimToken.token_hash == _hash(secret), ScimToken.revoked_at.is_(None)
        )
    )
    if token is not None:
        token.last_used_at = utcnow()
    return token


def list_tokens() -> list[ScimToken]:
    return list(db.session.scalars(select(ScimToken).order_by(ScimToken.created_at.desc())))
