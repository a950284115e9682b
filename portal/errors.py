"""Error pages: generic, translated, never a stack trace."""

from __future__ import annotations

from flask import Flask, Response, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
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
}


def render_error(status: int, detail: str | None = None) -> Response:
    """The error page, or only its fragment when htmx asked (varying on HX-Request)."""
    title, message = MESSAGES.get(status, MESSAGES[500])
    template = "errors/_error.html" if request.headers.get("HX-Request") else "errors/error.html"
    response = make_response(
        render_template(template, status=status, title=title, message=detail or message), status
    )
    response.vary.add("HX-Request")
    return response


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

    @app.errorhandler(InternalServerError)
    def server_error(_error: InternalServerError):
        return render_error(500)

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(500)
