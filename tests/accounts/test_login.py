"""Signing in: role homes, safe `next`, wrong credentials, rate limiting."""

from __future__ import annotations

import pytest

from portal.accounts.models import User
from portal.extensions import db
from seed.demo import create_demo_organisation
from seed.people import DEMO_PASSWORD

GENERIC_FAILURE = "The email or password is not right, or the account is disabled."


@pytest.mark.parametrize(
    ("email", "home"),
    [
        ("learner@demo.test", "/learn/"),
        ("trainer@demo.test", "/author/"),
        ("exec@demo.test", "/dashboard/"),
        ("admin@demo.test", "/admin/users"),
    ],
)
def test_each_demo_account_lands_on_its_own_home(app_ctx, client, email, home):
    create_demo_organisation(password_method="scrypt:4096:8:1")
    db.session.commit()

    response = client.login(email, DEMO_PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == home
    assert client.get(home).status_code == 200
    assert client.get("/").headers["Location"] == home


def test_front_door_sends_anonymous_visitors_to_sign_in(client):
    assert client.get("/").headers["Location"] == "/login"


def test_a_person_with_several_roles_lands_on_the_broadest_home(client, make):
    user = make.user(roles=("learner", "trainer"))
    assert client.login(user).headers["Location"] == "/author/"


def test_email_is_matched_without_regard_to_case_or_spaces(client, make):
    user = make.user(email="Mixed.Case@Example.test")
    assert user.email == "mixed.case@example.test"
    assert client.login("  MIXED.case@example.TEST ").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [("right", "wrong-password"), ("nobody@example.test", "whatever-password")],
    ids=["wrong password", "unknown email"],
)
def test_wrong_credentials_get_one_message_that_reveals_nothing(client, make, email, password):
    user = make.user()
    response = client.login(user.email if email == "right" else email, password)
    assert response.status_code == 401
    assert GENERIC_FAILURE in response.get_data(as_text=True)
    assert client.get("/learn/").status_code == 302


def test_empty_login_form_says_what_is_missing(client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("This field is required.") == 2


def test_next_is_honoured_for_a_path_on_this_site(client, make):
    user = make.user(roles=("learner",))
    response = client.login(user, query_string={"next": "/account?tab=password"})
    assert response.headers["Location"] == "/account?tab=password"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.test",
        "https://evil.test",
        "http://evil.test/learn/",
        "/\\evil.test",
        "\\\\evil.test",
        "/\t/evil.test",
        "javascript:alert(1)",
        "evil.test",
        "/learn/\r\nSet-Cookie: stolen=1",
    ],
)
def test_next_pointing_elsewhere_is_ignored(client, make, target):
    user = make.user(roles=("learner",))
    response = client.login(user, query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/learn/"
    assert "stolen" not in response.headers.get("Set-Cookie", "")


def test_protected_page_sends_back_after_sign_in(client, make):
    user = make.user(roles=("admin",))
    first = client.get("/admin/departments")
    assert first.headers["Location"] == "/login?next=%2Fadmin%2Fdepartments"
    response = client.post(
        first.headers["Location"], data={"email": user.email, "password": "correct-horse-battery"}
    )
    assert response.headers["Location"] == "/admin/departments"


def test_sign_in_is_recorded(client, make):
    user = make.user()
    assert user.first_login_at is None
    client.login(user)
    client.post("/logout")
    client.login(user)
    user = db.session.get(User, user.id)
    assert user.first_login_at is not None
    assert user.last_login_at >= user.first_login_at


def test_too_many_sign_in_attempts_are_refused_with_a_clear_message(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    user = make.user()
    for _ in range(3):
        assert client.login(user, "wrong-password").status_code == 401

    response = client.login(user)  # even the right password, until the minute is over

    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many attempts in a short time. Wait a minute and try again." in page
    assert "Retry-After" in response.headers
    assert client.get("/login").status_code == 200  # reading the page is not limited
    assert client.get("/learn/").status_code == 302  # and nobody got signed in


def test_sign_in_page_says_whom_to_ask_for_a_forgotten_password(client, app):
    page = client.get("/login").text
    assert '<a href="/forgot-password">Forgot your password?</a>' in page
    assert "Or ask your administrator" not in page
    app.config["ADMIN_CONTACT"] = "the IT desk <ext. 4100>"
    try:
        page = client.get("/login").text
    finally:
        app.config.pop("ADMIN_CONTACT")
    assert "Or ask your administrator, <bdi>the IT desk &lt;ext. 4100&gt;</bdi>." in page
