"""Flask-Login wiring: a session is valid only while its user's session version holds."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.extensions import db, login_manager

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Sign in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Accept '<id>:<version>' only while the user is active and the version current."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdecimal() or not version.isdecimal():
        return None
    # One statement on every request: the roles come joined, not in a second select.
    user = (
        db.session.scalars(
            select(User).where(User.id == int(user_id)).options(joinedload(User.role_links))
        )
        .unique()
        .one_or_none()
    )
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user
