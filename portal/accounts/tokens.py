"""One-time links to set a password: an invitation for a new person, or a reset.

A link carries a signed, timed token naming the user, its purpose and the user's token
version. Making a new link or using one moves the version on, so a link works once and
an older link stops working when a newer one is made. Invitations last 7 days and reset
links 1 hour (INVITATION_SECONDS, RESET_SECONDS).
"""

from __future__ import annotations

from enum import StrEnum

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.accounts.models import User
from portal.database import increment
from portal.domain import DomainError
from portal.extensions import db


class Purpose(StrEnum):
    INVITE = "invite"
    RESET = "reset"


LIFETIME_SETTINGS = {Purpose.INVITE: "INVITATION_SECONDS", Purpose.RESET: "RESET_SECONDS"}


class LinkError(DomainError):
    """A password link that cannot be used; `reason` is expired, used or invalid."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"password-link-{purpose}")


def make_link_token(user: User, purpose: Purpose) -> str:
    """A new token for `user`; every earlier one stops working."""
    increment(user, "token_version")
    return _serializer(purpose).dumps([user.id, user.token_version])


def user_of(token: str, purpose: Purpose) -> User:
    """The user a token is for, or LinkError: expired, used (or replaced) or invalid."""
    max_age = current_app.config[LIFETIME_SETTINGS[purpose]]
    try:
        user_id, version = _serializer(purpose).loads(token[:500], max_age=max_age)
    except SignatureExpired:
        raise LinkError("expired") from None
    except (BadSignature, ValueError, TypeError):
        raise LinkError("invalid") from None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.active:
        raise LinkError("invalid")
    if user.token_version != version:
        raise LinkError("used")
    return user


def spend(user: User) -> None:
    """Use up the user's current link."""
    increment(user, "token_version")
