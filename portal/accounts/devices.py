"""Device cookies: a browser that signed in before is let in while its account is locked.

A per-account lockout lets anyone who knows an email address keep its owner out by sending
wrong passwords now and then. After a successful sign-in the browser keeps a signed cookie
naming the account; while the account is locked, a sign-in carrying that cookie is still
checked (and rate-limited per address) but not refused. The pattern is OWASP's "Slow Down
Online Guessing Attacks with Device Cookies".
"""

from __future__ import annotations

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.accounts.models import User

COOKIE = "portal_device"
MAX_AGE = 180 * 24 * 3600  # seconds a browser stays known without signing in again


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="known-device")


def known_device() -> int | None:
    """The account this browser signed in to before, from its signed cookie, or None."""
    value = request.cookies.get(COOKIE)
    if not value or len(value) > 200:
        return None
    try:
        user_id = _serializer().loads(value, max_age=MAX_AGE)
    except BadSignature:
        return None
    return user_id if isinstance(user_id, int) else None


def remember_device(response: Response, user: User) -> None:
    """Mark this browser as one the user signs in from."""
    response.set_cookie(
        COOKIE,
        _serializer().dumps(user.id),
        max_age=MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
