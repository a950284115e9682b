"""The signed-in user is loaded, with their roles, in one statement per request."""

from __future__ import annotations

from sqlalchemy import insert, select

from portal.accounts.models import User, UserRole
from portal.accounts.session import load_user
from portal.extensions import db


def test_the_user_and_roles_load_in_one_statement(app, make, count_queries):
    user = make.user(roles=("learner", "trainer"))
    session_id = user.get_id()
    with app.test_request_context(), count_queries() as counted:
        loaded = load_user(session_id)
        assert loaded.roles == {"learner", "trainer"}
    assert counted.count == 1, counted.statements


def test_a_stale_session_version_loads_no_one(app, make):
    user = make.user()
    with app.test_request_context():
        assert load_user(f"{user.id}:{user.session_version + 1}") is None


def test_roles_changed_elsewhere_show_once_the_user_is_expired(app, make):
    """The roles that came with the signed-in user last as a loaded attribute does (the
    session keeps values over a commit) until the user is expired or refreshed."""
    user = make.user(roles=("learner",))
    with app.test_request_context():
        db.session.expunge_all()
        loaded = load_user(user.get_id())
        db.session.execute(insert(UserRole).values(user_id=user.id, role="trainer"))
        db.session.commit()
        assert loaded.roles == {"learner"}
        db.session.expire(loaded)
        assert loaded.roles == {"learner", "trainer"}


def test_set_roles_on_the_signed_in_user_is_saved_and_read_back(app, make):
    user = make.user(roles=("learner", "admin"))
    with app.test_request_context():
        db.session.expunge_all()
        loaded = load_user(user.get_id())
        loaded.set_roles({"admin"})
        assert loaded.roles == {"admin"}
        db.session.commit()
        assert db.session.scalars(
            select(UserRole.role).where(UserRole.user_id == user.id)
        ).all() == ["admin"]


def test_a_loaded_row_is_the_sessions_own_instance_with_its_unsaved_changes(app, make):
    user = make.user()
    with app.test_request_context():
        held = db.session.get(User, user.id)
        held.job_title = "Changed, not saved yet"
        assert load_user(user.get_id()) is held
        assert held.job_title == "Changed, not saved yet"
        db.session.commit()
        db.session.expunge_all()
        assert db.session.get(User, user.id).job_title == "Changed, not saved yet"


def test_a_loaded_user_is_clean_and_loads_its_relationships_on_use(app, make):
    user = make.user(department="Sales")
    with app.test_request_context():
        db.session.expunge_all()
        loaded = load_user(user.get_id())
        assert loaded in db.session and not db.session.dirty
        assert loaded.department.name == "Sales"
        loaded.job_title = "Lead"
        assert loaded in db.session.dirty
