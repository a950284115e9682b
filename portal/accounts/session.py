"""Flask-Login wiring: a session is valid only while its user's session version holds."""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, inspect, select

from portal.accounts.models import User, UserRole
from portal.extensions import db, login_manager
from portal.loaded import as_loaded

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
    rows = db.session.connection().execute(_signed_in(), {"user_id": int(user_id)}).all()
    if not rows or not rows[0].active or rows[0].session_version != int(version):
        return None
    return _attached(rows)


@cache
def _signed_in():
    """Every column of the user, by attribute name, once per role it has (once with no
    role for a user without any). Built once, when every model is mapped."""
    columns = [prop.columns[0].label(prop.key) for prop in inspect(User).column_attrs]
    return (
        select(*columns, UserRole.role.label("role_code"))
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .where(User.id == bindparam("user_id"))
        .order_by(UserRole.role)
    )


def _attached(rows) -> User:
    """The signed-in user in this request's session, from plain rows: every request loads
    it, and the ORM's own loading (compiling the query, eager-loading the roles, making it
    unique) cost more than the rest of a small page. `roles` reads the roles that came with
    it until they are changed or the user is expired (accounts.models)."""
    values = dict(rows[0]._mapping)
    del values["role_code"]
    user = as_loaded(User, values)
    if "role_links" not in user.__dict__:
        user.preloaded_roles = frozenset(row.role_code for row in rows if row.role_code)
    return user
