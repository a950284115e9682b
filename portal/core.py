"""Site-wide routes: the front door, the favicon, the health check and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, session, url_for
from flask_login import current_user
from sqlalchemy import text
from wtforms import HiddenField

from portal.accounts import services
from portal.accounts.forms import LanguageForm
from portal.accounts.services import AccountError
from portal.errors import one_line
from portal.extensions import db
from portal.navigation import home_url
from portal.security import is_safe_redirect

bp = Blueprint("core", __name__)


class LanguageSwitchForm(LanguageForm):
    """The account page's language form, plus the page to go back to (the header's switch)."""

    next = HiddenField()


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    return redirect(url_for("accounts.login"))


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on pages that link no icon (JSON, files, errors)."""
    return redirect(url_for("static", filename="img/favicon.ico"), code=301)


@bp.get("/healthz")
def healthz():
    """200 when the portal and its database answer; 503 when the database does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any database failure means "not healthy"
        # One line, not a traceback: a load balancer asks every few seconds.
        current_app.logger.error("health check: database did not answer: %s", one_line(error))
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


@bp.post("/language")
def language_set():
    """Switch the UI language; stored on the account when signed in."""
    form = LanguageSwitchForm()
    form.locale.choices = list(current_app.config["LANGUAGES"].items())
    if form.validate():
        locale = form.locale.data
        session["locale"] = locale
        if current_user.is_authenticated:
            try:
                services.set_locale(current_user, locale)
            except AccountError:
                pass
            else:
                db.session.commit()
    target = form.next.data
    return redirect(target if is_safe_redirect(target) else url_for("core.index"))
