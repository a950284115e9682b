"""Error pages: generic, translated, never a stack trace."""

from __future__ import annotations

from flask import Flask, Response, current_app, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.extensions import db
from portal.security import ControlCharacters

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Reload the page and try again."),
    ),
    401: (_l("Sign in needed"), _l("Sign in to see this page.")),
    403: (_l("Not allowed"), _l("Your account does not have access to this page.")),
    404: (_l("Not found"), _l("There is nothing at this address.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("Too large"), _l("The file is larger than the portal accepts.")),
    422: (_l("Check the form"), _l("Some of what was sent could not be accepted.")),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("The portal hit an error. It has been logged; try again shortly."),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l("The portal cannot reach its database just now. Try again in a minute."),
    ),
}
# How long a visitor (or a proxy) should wait before asking again when the database is away.
RETRY_AFTER_SECONDS = 30
SQLITE_UNAVAILABLE = ("unable to open", "disk i/o", "locked", "disk is full", "readonly")


def render_error(status: int, detail: str | None = None) -> Response:
    """The error page, or only its fragment when htmx asked (varying on HX-Request)."""
    title, message = MESSAGES.get(status, MESSAGES[500])
    template = "errors/_error.html" if request.headers.get("HX-Request") else "errors/error.html"
    try:
        body = render_template(template, status=status, title=title, message=detail or message)
    except Exception as error:
        # A 404 for a signed-in visitor loads them for the page's menu: the database may be
        # what is failing.
        if status == 503 or not is_database_unavailable(error):
            raise
        return database_unavailable(error)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def database_unavailable(error: Exception) -> Response:
    """503 with Retry-After, rendered without the database: the visitor is shown the page
    as if signed out (loading the user would fail again) in the session's language."""
    current_app.logger.error(
        "database unavailable on %s %s: %s", request.method, request.path, one_line(error)
    )
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is already gone; nothing to undo
        pass
    current_app.login_manager._update_request_context_with_user()  # anonymous, no query
    response = render_error(503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def is_database_unavailable(error: Exception) -> bool:
    """Connection refused or lost, a file that cannot be opened, a pool with no connection."""
    if isinstance(error, InterfaceError | PoolTimeout):
        return True
    if isinstance(error, OperationalError):
        # SQLite also calls a missing table or a syntax error "operational": those are bugs.
        if type(error.orig).__module__ != "sqlite3":
            return True
        return any(words in str(error.orig).lower() for words in SQLITE_UNAVAILABLE)
    return isinstance(error, DBAPIError) and error.connection_invalidated


def one_line(error: Exception) -> str:
    """The error's kind and first line, for a log line that is not a traceback."""
    text = str(getattr(error, "orig", None) or error).strip()
    return f"{type(error).__name__}: {text.splitlines()[0] if text else ''}"


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return render_error(
            400, str(_l("The form expired or came from elsewhere. Reload the page and try again."))
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        detail = None
        if isinstance(error, ControlCharacters):
            # Raised from inside a statement too: the session's transaction is spoilt.
            db.session.rollback()
            detail = str(error.description)
        response = render_error(error.code, detail)
        # Keep what the error says besides its page: Allow on 405, Retry-After on 429...
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(StaleDataError)
    def record_gone(_error: StaleDataError):
        # The row an UPDATE or DELETE was meant for is gone (a reset in another tab
        # deleted it): as for any record that does not exist.
        db.session.rollback()
        return render_error(404)

    @app.errorhandler(InternalServerError)
    def server_error(_error: InternalServerError):
        return render_error(500)

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if is_database_unavailable(error):
            return database_unavailable(error)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(500)
