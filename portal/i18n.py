"""Language choice: the user's stored locale, then the session, then Accept-Language."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, session
from flask import request as flask_request
from flask_babel import get_locale
from flask_login import current_user

from portal.config import RTL_LANGUAGES
from portal.extensions import babel


def select_locale() -> str:
    """Pick the UI language for this request."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return flask_request.accept_languages.best_match(
        list(languages), default=current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def text_direction() -> str:
    """'rtl' for right-to-left languages such as Urdu, else 'ltr'."""
    return "rtl" if str(get_locale()) in RTL_LANGUAGES else "ltr"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def language_context() -> dict:
        return {
            "languages": app.config["LANGUAGES"],
            "current_locale": str(get_locale()),
            "text_direction": text_direction(),
        }
