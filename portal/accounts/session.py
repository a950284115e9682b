"""Flask-Login wiring: a session is valid only while its user's session version holds."""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from portal.accounts.models import User, UserRole
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
    """The signed-in user as a clean persistent instance of this request's session, made
    from plain rows: every request loads it, and the ORM's own loading (compiling the
    query, eager-loading the roles, making it unique) cost more than the rest of a small
    page. It behaves as if queried: changes are tracked, relationships load on first use,
    and `roles` reads the roles that came with it until they are changed."""
    known = db.session.identity_map.get(identity_key(User, rows[0].id))
    if known is not None:
        return known
    user = inspect(User).class_manager.new_instance()
    state = user.__dict__  # what the ORM's loader fills: committed values, no history
    state.update(rows[0]._mapping)
    del state["role_code"]
    user.preloaded_roles = frozenset(row.role_code for row in rows if row.role_code)
    make_transient_to_detached(user)
    db.session.add(user)
    return user
