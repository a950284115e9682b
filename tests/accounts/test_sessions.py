"""Sessions end when they should: sign-out, disabling, password changes; and who may sign in."""

from __future__ import annotations

from portal.accounts.models import User
from portal.extensions import db
from tests.accounts.conftest import csv_upload, field_errors
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "a-brand-new-secret"


def _replay(app, cookie_value: str):
    """A different browser presenting a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie_value)
    return thief


def test_session_cookie_replayed_after_sign_out_gets_no_access(app, client, make):
    user = make.user(roles=("learner",))
    client.login(user)
    stolen = client.get_cookie("session").value
    assert _replay(app, stolen).get("/learn/").status_code == 200  # the copy works...

    assert client.post("/logout").headers["Location"] == "/login"

    assert client.get("/learn/").status_code == 302
    replayed = _replay(app, stolen).get("/learn/")
    assert replayed.status_code == 302  # ...until its owner signs out
    assert replayed.headers["Location"].startswith("/login")


def test_signing_out_says_so(client, make):
    client.login(make.user())
    page = client.post("/logout", follow_redirects=True).get_data(as_text=True)
    assert "You are signed out." in page


def test_disabled_user_loses_their_open_session_at_once(client, make, signed_in):
    learner = make.user(roles=("learner",))
    learner_client = signed_in(learner)
    assert learner_client.get("/learn/").status_code == 200

    client.login(make.user(roles=("admin",)))
    response = client.post(f"/admin/users/{learner.id}/active", data={"active": "0"})
    assert response.status_code == 302

    assert learner_client.get("/learn/").headers["Location"].startswith("/login")


def test_re_enabled_user_can_sign_in_again(client, make, app):
    learner = make.user(roles=("learner",), active=False)
    client.login(make.user(roles=("admin",)))
    page = client.post(
        f"/admin/users/{learner.id}/active", data={"active": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert f"{learner.name} can sign in again." in page
    assert app.test_client().login(learner).status_code == 302


def test_disabled_user_cannot_sign_in(client, make):
    user = make.user(active=False)
    response = client.login(user)
    assert response.status_code == 401
    assert "or the account is disabled" in response.get_data(as_text=True)
    assert client.get("/learn/").status_code == 302


def test_imported_user_without_a_password_cannot_sign_in(client, make, app):
    client.login(make.user(roles=("admin",)))
    client.post(
        "/admin/users/import", data={"file": csv_upload("name,email\nNoor Ali,noor@example.test\n")}
    )
    imported = User.by_email("noor@example.test")
    assert imported is not None and imported.password_hash is None

    for guess in ("", "None", TEST_PASSWORD):
        response = app.test_client().login("noor@example.test", guess)
        assert response.status_code in (401, 422)


def test_password_change_keeps_this_session_and_ends_the_others(app, client, make, signed_in):
    user = make.user(roles=("learner",))
    client.login(user)
    other_device = signed_in(user)
    old_cookie = client.get_cookie("session").value

    response = client.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your password is changed. Other sessions are signed out." in page
    assert client.get("/learn/").status_code == 200
    assert other_device.get("/learn/").status_code == 302
    assert _replay(app, old_cookie).get("/learn/").status_code == 302
    assert app.test_client().login(user, TEST_PASSWORD).status_code == 401
    assert app.test_client().login(user, NEW_PASSWORD).status_code == 302


def test_password_change_required_sends_the_user_to_their_account_until_done(client, make):
    user = make.user(roles=("learner",))
    user.password_change_required = True
    db.session.commit()

    response = client.login(user, follow_redirects=True)
    assert response.request.path == "/account"
    assert "Choose a new password to continue." in response.get_data(as_text=True)
    for path in ("/learn/", "/courses/", "/"):
        assert client.get(path).headers["Location"] == "/account"
    assert client.get("/healthz").status_code == 200

    client.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )

    assert client.get("/learn/").status_code == 200
    assert db.session.get(User, user.id).password_change_required is False


def test_user_who_must_change_password_can_still_sign_out(client, make):
    user = make.user(roles=("learner",))
    user.password_change_required = True
    db.session.commit()
    client.login(user)
    assert client.post("/logout").headers["Location"] == "/login"
    assert client.get("/account").headers["Location"].startswith("/login")


def _change(client, current, new, confirm=None):
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


def test_bad_password_changes_say_why_beside_the_field_and_change_nothing(client, make):
    user = make.user()
    client.login(user)
    hash_before = user.password_hash
    cases = [
        (
            ("wrong-current-password", NEW_PASSWORD),
            "current_password",
            "The current password is not right.",
        ),
        ((TEST_PASSWORD, "short"), "new_password", "Use at least 10 characters."),
        (
            (TEST_PASSWORD, TEST_PASSWORD),
            "new_password",
            "Choose a password different from the current one.",
        ),
        (
            (TEST_PASSWORD, NEW_PASSWORD, "something-else-entirely"),
            "confirm_password",
            "The passwords differ.",
        ),
        (("", ""), "current_password", "This field is required."),
    ]
    for args, field, message in cases:
        response = _change(client, *args)
        assert response.status_code == 422, message
        assert message in field_errors(response.get_data(as_text=True), field)
        assert db.session.get(User, user.id).password_hash == hash_before
    assert client.get("/learn/").status_code == 200  # still signed in
