"""Flask-Login wiring: a session is valid only while its user's session version holds."""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.extensions import db, login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Sign in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@cache
def _user_by_id():
    """One statement on every request: the roles come joined, not in a second select.
    Built once (on first use, when every model is mapped): making it anew cost a quarter
    of the user's loading."""
    return select(User).where(User.id == bindparam("user_id")).options(joinedload(User.role_links))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Accept '<id>:<version>' only while the user is active and the version current."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdecimal() or not version.isdecimal():
        return None
    user = db.session.scalars(_user_by_id(), {"user_id": int(user_id)}).unique().one_or_none()
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
