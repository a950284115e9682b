"""Security baseline: headers on every response, role checks, safe redirects."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.forms import has_forbidden_characters

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Bootstrap components and Chart.js set element styles at run time.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def roles_required(*roles: str) -> Callable:
    """Allow the view only to users holding at least one of `roles`; others get 403.

    Stack it under ``@login_required`` so that anonymous visitors are sent to sign in.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # read by the navigation and the route matrix test
        return wrapped

    return decorator


def is_safe_redirect(target: str | None) -> bool:
    """True for a path on this site; False for other hosts, schemes or odd forms."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    # Browsers drop tabs and newlines from URLs ("/\t/evil" becomes "//evil"), and a
    # newline in a Location header is refused by the server: neither is a path of ours.
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target


class ControlCharacters(BadRequest):
    """A query string, path or hand-read field held a control character (a 400)."""

    description = _l("The address or form held characters that are not allowed.")


def refuse_control_characters() -> None:
    """Before each request: no control characters in the path or the query string.

    Forms check their own fields (`portal.forms.PortalForm`) so that the error shows at the
    field; `refuse_nul_in_statements` stops whatever else reaches the database.
    """
    if has_forbidden_characters(request.path, multi_line=False):
        raise ControlCharacters()
    for name, value in request.args.items(multi=True):
        if has_forbidden_characters(name, multi_line=False) or has_forbidden_characters(value):
            raise ControlCharacters()


def refuse_nul_in_statements(engine) -> None:
    """The last line: a NUL in any bound string is a 400 on every database.

    PostgreSQL refuses it (a 500 before this) and SQLite stores it; it comes from fields a
    view reads without a form, or from uploaded files. In a JSON column it arrives escaped.
    """

    def check(_conn, _cursor, _statement, parameters, _context, _executemany) -> None:
        # One row's values or many rows' (a list of tuples or dicts): walked all the same.
        if _holds_nul(parameters):
            raise ControlCharacters()

    event.listen(engine, "before_cursor_execute", check)


# A NUL escaped in JSON text: "\u0000" after an even number of backslashes (so a typed
# backslash followed by "u0000", which JSON writes as "\\u0000", is not one).
ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


# Values that cannot hold text: skipped at the cost of one set lookup.
_NO_TEXT = frozenset({int, float, bool, type(None), Decimal, date, datetime, bytes})


def _holds_nul(value: Any) -> bool:
    """A NUL in a string, or escaped in JSON text, or in the data psycopg wraps as JSON.

    Walked without recursion, numbers and dates skipped by type, and the regular
    expression only where a backslash-u0000 appears: it sees every value of every
    statement, ~20,000 of them when a sandbox is created.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind in _NO_TEXT:
            continue
        if kind is str or isinstance(item, str):
            if "\x00" in item or ("\\u0000" in item and ESCAPED_NUL.search(item)):
                return True
        elif kind is tuple or kind is list:
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
            pending.extend(item)
        elif isinstance(item, list | tuple):
            pending.extend(item)
        elif kind.__name__ in ("Json", "Jsonb"):
            pending.append(item.obj)
    return False


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault(
            "Strict-Transport-Security", f"max-age={current_app.config['HSTS_SECONDS']}"
        )
    if request.endpoint != "static" and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    return response


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, with its signing serializer made once per set of keys
    instead of on every request."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(key, False)
        if serializer is False:
            serializer = self._serializers[key] = super().get_signing_serializer(app)
        return serializer


# Signed CSRF tokens by secret and the session's raw token (see csrf_token); bounded.
_SIGNED_TOKENS: dict[tuple, str] = {}


def csrf_token() -> str:
    """The page's CSRF token, as Flask-WTF's generate_csrf makes it, signed once per session.

    The layout puts the token on every page (htmx sends it with each request), and signing
    it anew costs more than the rest of the layout's markup. Without a time limit
    (WTF_CSRF_TIME_LIMIT None, the portal's setting) a token stays valid for as long as the
    session keeps its raw token, so the one signed first is as good as a new one; checking
    stays Flask-WTF's, on every state change.
    """
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(field)
    if token is not None:
        return token
    raw = session.get(field)
    if raw is None or config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw)
    token = _SIGNED_TOKENS.get(key)
    if token is None:
        token = generate_csrf()
        if session.get(field) == raw:  # generate_csrf may have replaced a broken one
            if len(_SIGNED_TOKENS) >= 10000:
                _SIGNED_TOKENS.clear()
            _SIGNED_TOKENS[key] = token
        return token
    setattr(g, field, token)  # where generate_csrf and forms look for it
    return token


def init_app(app: Flask) -> None:
    from portal.extensions import db

    app.session_interface = SessionCookies()
    # Flask-WTF gives templates its generate_csrf both ways; this replaces both.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
    app.before_request(refuse_control_characters)
    app.after_request(set_security_headers)
    with app.app_context():
        refuse_nul_in_statements(db.engine)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # The client's address and scheme as the trusted proxies saw them; never more
        # hops than configured, so a visitor cannot forge their way past rate limits.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
