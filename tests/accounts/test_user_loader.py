"""The signed-in user is loaded, with their roles, in one statement per request."""

from __future__ import annotations

from portal.accounts.session import load_user


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
