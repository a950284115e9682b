"""Per-account lockout after wrong passwords, and bounded password hashing under load."""

from __future__ import annotations

from datetime import timedelta

from portal.accounts import hashing
from portal.database import utcnow
from portal.extensions import db

LOCKED = "so it is locked for about"
WRONG = "The email or password is not right, or the account is disabled."


def _wrong_passwords(client, user, count: int, addresses: int = 1) -> None:
    for attempt in range(count):
        address = f"198.51.100.{attempt % addresses + 1}"
        response = client.login(user, "wrong-password", environ_base={"REMOTE_ADDR": address})
        assert response.status_code in (401, 429)


def test_wrong_passwords_from_many_addresses_lock_the_account_for_a_while(client, make):
    user = make.user()
    _wrong_passwords(client, user, 44, addresses=4)

    response = client.login(user, environ_base={"REMOTE_ADDR": "203.0.113.9"})

    assert response.status_code == 429
    assert LOCKED in response.text and "ask an administrator to unlock it" in response.text
    assert 14 * 60 <= int(response.headers["Retry-After"]) <= 15 * 60
    assert client.get("/learn/").status_code == 302  # not signed in


def test_a_browser_that_signed_in_before_is_not_kept_out_by_a_lock(app, client, make):
    """Wrong passwords from elsewhere lock the account, but not for its owner's browser."""
    user = make.user()
    owner = app.test_client()
    assert owner.login(user).status_code == 302  # the owner's browser now has a device cookie
    owner.post("/logout")

    _wrong_passwords(client, user, 12, addresses=4)  # someone else locks the account
    assert client.login(user).status_code == 429  # a browser the account never used: refused

    assert owner.login(user).status_code == 302
    assert owner.get("/learn/").status_code == 200
    assert client.login(user).status_code == 429  # the lock still holds for everyone else
    # A cookie with another signature, or for another account, is no key.
    stranger = app.test_client()
    token = owner.get_cookie("portal_device").value
    forged = token[:-6] + ("AAAAAA" if token[-6:] != "AAAAAA" else "BBBBBB")
    stranger.set_cookie("portal_device", forged)
    assert stranger.login(user).status_code == 429
    other = make.user()
    other_browser = app.test_client()
    assert other_browser.login(other).status_code == 302
    other_browser.post("/logout")
    _wrong_passwords(client, user, 12, addresses=4)
    assert other_browser.login(user).status_code == 429


def test_the_lock_comes_after_the_configured_number_of_wrong_passwords(
    app, client, make, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_ATTEMPTS", 3)
    user = make.user()
    for _ in range(2):
        assert WRONG in client.login(user, "wrong-password").text
    third = client.login(user, "wrong-password")
    assert third.status_code == 401  # the try that locks is answered as a wrong password
    assert client.login(user).status_code == 429


def test_the_lock_passes_by_itself(client, make):
    user = make.user()
    _wrong_passwords(client, user, 10)
    assert client.login(user).status_code == 429
    user.locked_until = utcnow() - timedelta(seconds=1)  # the lock time is over
    db.session.commit()

    assert client.login(user).status_code == 302


def test_wrong_passwords_outside_the_window_do_not_add_up(client, make):
    user = make.user()
    _wrong_passwords(client, user, 9)
    user.failed_sign_in_at = utcnow() - timedelta(minutes=16)  # the window has passed
    db.session.commit()
    _wrong_passwords(client, user, 9)

    assert client.login(user).status_code == 302


def test_a_right_password_forgets_the_wrong_ones_before_it(client, make):
    user = make.user()
    _wrong_passwords(client, user, 9)
    assert client.login(user).status_code == 302
    client.post("/logout")
    _wrong_passwords(client, user, 9)

    assert client.login(user).status_code == 302


def test_an_admin_sees_the_lock_and_lifts_it(app, client, make):
    user = make.user(name="Locked Out")
    _wrong_passwords(client, user, 10)
    admin = make.user(roles=("admin",))
    client.login(admin)

    page = client.get(f"/admin/users/{user.id}").text
    assert "Locked after too many wrong passwords" in page
    listed = client.get("/admin/users?q=Locked").text
    assert "Locked Out" in listed and "Locked for now" in listed
    response = client.post(f"/admin/users/{user.id}/unlock")
    assert response.status_code == 302
    assert "Locked after too many" not in client.get(f"/admin/users/{user.id}").text
    assert "Locked for now" not in client.get("/admin/users?q=Locked").text

    client.post("/logout")
    assert client.login(user).status_code == 302


def test_an_unlocked_account_shows_no_lock(client, make):
    user = make.user()
    client.login(make.user(roles=("admin",)))
    assert "Locked after too many" not in client.get(f"/admin/users/{user.id}").text


def test_the_person_is_told_by_email_when_their_account_locks(client, make, smtp_inbox):
    user = make.user(email="ann@example.test", name="Ann Lee")
    _wrong_passwords(client, user, 9)
    assert smtp_inbox.messages == []
    _wrong_passwords(client, user, 1)

    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert message.rcpt_tos == ["ann@example.test"]
    text = message.content.decode()
    assert "Your CRM Academy account is locked for a while" in text
    assert "locked for 15 minutes" in text


def test_a_lock_without_a_mail_server_still_locks(client, make):
    user = make.user()
    _wrong_passwords(client, user, 10)
    assert client.login(user).status_code == 429


def test_sign_ins_wait_a_bounded_time_for_a_hashing_turn_then_hear_busy(
    app, app_ctx, client, make, monkeypatch
):
    user = make.user()
    monkeypatch.setitem(app.config, "LOGIN_HASH_WAIT_SECONDS", 0.2)
    with hashing.hash_turn():  # every turn of this process is taken
        busy = client.login(user)
        other_page = client.get("/login")
    assert busy.status_code == 503
    assert "Many people are signing in right now" in busy.text
    assert int(busy.headers["Retry-After"]) >= 5
    assert other_page.status_code == 200  # the rest of the portal still answers
    assert client.login(user).status_code == 302  # and a turn comes back
