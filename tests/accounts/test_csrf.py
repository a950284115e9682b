"""Every state-changing form needs the CSRF token; without it the portal refuses and keeps all."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import Department, User
from portal.extensions import db
from tests.accounts.conftest import count, csv_upload
from tests.conftest import TEST_PASSWORD


def _snapshot() -> list[tuple]:
    """Everything a refused request could have touched in accounts."""
    db.session.expire_all()
    users = [
        (
            u.email,
            u.name,
            u.active,
            u.locale,
            u.password_hash,
            u.session_version,
            u.department_id,
            tuple(sorted(u.roles)),
        )
        for u in db.session.scalars(select(User).order_by(User.email))
    ]
    departments = [d.name for d in db.session.scalars(select(Department).order_by(Department.name))]
    return [*users, *departments]


def _still_signed_in(client) -> bool:
    return client.get("/admin/users").status_code == 200


CASES = {
    "login": lambda ctx: ("/login", {"email": ctx["other"].email, "password": TEST_PASSWORD}),
    "logout": lambda ctx: ("/logout", {}),
    "language": lambda ctx: ("/language", {"locale": "ur"}),
    "user create": lambda ctx: (
        "/admin/users/new",
        {"name": "Zara Khan", "email": "zara@example.test", "roles": ["learner"]},
    ),
    "user edit": lambda ctx: (
        f"/admin/users/{ctx['other'].id}",
        {"name": "Renamed", "email": ctx["other"].email, "roles": ["trainer"]},
    ),
    "user disable": lambda ctx: (f"/admin/users/{ctx['other'].id}/active", {"active": "0"}),
    "department create": lambda ctx: ("/admin/departments", {"name": "Legal"}),
    "department rename": lambda ctx: (
        f"/admin/departments/{ctx['empty'].id}/rename",
        {"name": "Renamed"},
    ),
    "department delete": lambda ctx: (f"/admin/departments/{ctx['empty'].id}/delete", {}),
    "roster import": lambda ctx: (
        "/admin/users/import",
        {"file": csv_upload("name,email\nNew Person,new.person@example.test\n")},
    ),
    "password change": lambda ctx: (
        "/account/password",
        {
            "current_password": TEST_PASSWORD,
            "new_password": "a-brand-new-secret",
            "confirm_password": "a-brand-new-secret",
        },
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_post_without_token_is_refused_and_changes_nothing(app, client, make, case):
    admin = make.user(roles=("admin",), department="IT")
    other = make.user(roles=("learner",), department="Sales")
    empty = make.department("Empty")
    if case != "login":
        client.login(admin)
    path, data = CASES[case]({"other": other, "empty": empty})
    before = _snapshot()

    response = client.post(path, data=data, csrf=False)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The form expired or came from elsewhere" in page
    assert _snapshot() == before
    if case == "login":
        assert client.get("/learn/").status_code == 302  # still not signed in
    else:
        assert _still_signed_in(client)  # logout, password change: the session is untouched
        assert 'lang="en"' in client.get("/admin/users").get_data(as_text=True)


def test_post_with_a_stale_token_from_another_session_is_refused(app, client, make):
    admin = make.user(roles=("admin",))
    client.login(admin)
    stranger = app.test_client()
    foreign_token = stranger.csrf_token()
    response = client.post(
        "/admin/departments", data={"name": "Legal", "csrf_token": foreign_token}
    )
    assert response.status_code == 400
    assert count(Department) == 1  # only the admin's own


def test_htmx_post_with_the_token_in_the_header_is_accepted(client, make):
    admin = make.user(roles=("admin",), department="IT")
    learner = make.user(roles=("learner",))
    client.login(admin)
    page = client.get("/admin/users").get_data(as_text=True)
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)

    response = client.post(
        f"/admin/users/{learner.id}/active",
        data={"active": "0"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
        csrf=False,
    )

    assert response.status_code == 200
    row = response.get_data(as_text=True)
    assert row.lstrip().startswith(f'<tr id="user-{learner.id}"')
    assert "Disabled" in row
    assert db.session.get(User, learner.id).active is False


def test_htmx_post_with_a_wrong_header_token_is_refused(client, make):
    admin = make.user(roles=("admin",), department="IT")
    learner = make.user(roles=("learner",))
    client.login(admin)
    response = client.post(
        f"/admin/users/{learner.id}/active",
        data={"active": "0"},
        headers={"HX-Request": "true", "X-CSRFToken": "not-a-token"},
        csrf=False,
    )
    assert response.status_code == 400
    assert "<html" not in response.get_data(as_text=True)  # htmx gets the fragment
    assert db.session.get(User, learner.id).active is True
