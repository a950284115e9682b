"""Invitations and forgotten passwords: one-time links sent by email through the job queue,
received by a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.mailqueue import OutgoingMail
from tests.accounts.conftest import alerts, field_errors

NEW_PASSWORD = "a-brand-new-passphrase"
LINK = re.compile(r"http://[\w.:]+(/password/(invite|reset)/[\w.\-]+)")


def _read(envelope):
    message = message_from_bytes(envelope.content, policy=policy.default)
    return message["To"], str(message["Subject"]), message.get_content()


def _link(text: str) -> str:
    return LINK.search(text).group(1)


def _new_person(client, **extra):
    data = {
        "name": "Nadia Khan",
        "email": "nadia@example.com",
        "roles": ["learner"],
        "department_id": 0,
        "locale": "",
        "invite": "y",
        **extra,
    }
    return client.post("/admin/users/new", data=data)


def test_an_invited_person_chooses_a_password_once_in_their_language(
    client, admin, smtp_inbox, app
):
    response = _new_person(client, locale="ur")
    assert response.status_code == 302
    [envelope] = smtp_inbox.messages
    to, subject, body = _read(envelope)
    assert to == "nadia@example.com"
    assert subject != "You are invited to CRM Academy"  # written in Urdu, her language
    link = _link(body)
    nadia = User.by_email("nadia@example.com")
    assert nadia.password_hash is None and nadia.invited_at is not None
    assert 'data-testid="invitation-pending"' in client.get("/admin/users").text

    visitor = app.test_client()
    assert visitor.get(link).status_code == 200
    weak = visitor.post(link, data={"new_password": "short", "confirm_password": "short"})
    assert weak.status_code == 422 and field_errors(weak.text, "new_password")
    done = visitor.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302 and visitor.get("/account").status_code == 200
    again = app.test_client().post(
        link, data={"new_password": "another-passphrase-1", "confirm_password": "x"}
    )
    assert again.status_code == 410 and "used already" in again.text
    db.session.expire_all()
    assert User.by_email("nadia@example.com").password_hash is not None
    mail = db.session.scalar(select(OutgoingMail))
    assert (mail.status, mail.attempts) == ("sent", 1)


def test_without_a_mail_server_the_admin_gets_the_link_once_and_can_send_again(client, admin):
    page = _new_person(client)
    assert page.status_code == 200
    first = re.search(r'data-testid="invitation-link"', page.text) and _link(page.text)
    nadia = User.by_email("nadia@example.com")
    resent = client.post(f"/admin/users/{nadia.id}/invite")
    second = _link(resent.text)
    assert second != first
    stale = client.get(first)
    assert stale.status_code == 410 and "newer one" in stale.text
    assert client.get(second).status_code == 200
    assert db.session.scalar(select(OutgoingMail.status)) == "not_configured"


def test_a_person_with_a_password_is_not_invited(client, admin, make, smtp_inbox):
    learner = make.user()
    response = client.post(f"/admin/users/{learner.id}/invite")
    assert response.status_code == 302 and not smtp_inbox.messages


def test_tampered_and_expired_links_change_nothing(client, admin, smtp_inbox, app):
    _new_person(client)
    link = _link(_read(smtp_inbox.messages[0])[2])
    tampered = app.test_client().post(
        link[:-3] + "abc", data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert tampered.status_code == 400 and "not valid" in tampered.text
    app.config["INVITATION_SECONDS"] = -1
    try:
        expired = app.test_client().get(link)
    finally:
        app.config["INVITATION_SECONDS"] = 7 * 24 * 3600
    assert expired.status_code == 410 and "expired" in expired.text
    db.session.expire_all()
    assert User.by_email("nadia@example.com").password_hash is None


def test_forgot_password_answers_the_same_and_sends_only_to_a_real_account(
    client, make, smtp_inbox
):
    person = make.user(email="someone@example.com")
    said = []
    for email in ("Someone@Example.com", "nobody@example.com"):
        response = client.post("/forgot-password", data={"email": email})
        assert response.status_code == 302
        said.append(alerts(client.get(response.headers["Location"]).text))
    assert said[0] == said[1] != []
    [envelope] = smtp_inbox.messages
    assert _read(envelope)[0] == person.email


def test_a_reset_ends_every_other_session_and_lifts_a_lock(client, make, smtp_inbox, signed_in):
    person = make.user(email="someone@example.com")
    elsewhere = signed_in(person)
    client.post("/forgot-password", data={"email": person.email})
    link = _link(_read(smtp_inbox.messages[0])[2])
    done = client.post(link, data={"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302
    assert elsewhere.get("/account").status_code == 302  # sent to sign in
    assert client.get("/account").status_code == 200


def test_reset_links_are_limited_per_account(client, make, smtp_inbox, app):
    person = make.user(email="someone@example.com")
    for _ in range(5):
        client.post("/forgot-password", data={"email": person.email})
    assert len(smtp_inbox.messages) == app.config["RESET_PER_HOUR"]
    links = [_link(_read(m)[2]) for m in smtp_inbox.messages]
    assert client.get(links[0]).status_code == 410  # replaced by the newer ones
    assert client.get(links[-1]).status_code == 200


def test_a_mail_server_that_is_down_does_not_fail_the_request(client, make, app):
    person = make.user(email="someone@example.com")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)  # nothing listens there
    try:
        response = client.post("/forgot-password", data={"email": person.email})
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=None)
    assert response.status_code == 302
    mail = db.session.scalar(select(OutgoingMail))
    assert mail.status == "queued" and mail.attempts == 1 and "Error" in mail.error


def test_one_key_sends_one_email_and_a_dead_worker_never_sends_twice(app_ctx, smtp_inbox):
    from portal.mailqueue import deliver, queue_mail

    first = queue_mail("digest:1:2026-w49", "a@example.com", "Digest", "Hello")
    second = queue_mail("digest:1:2026-w49", "a@example.com", "Digest", "Hello")
    db.session.commit()
    assert first.id == second.id and len(smtp_inbox.messages) == 1
    stuck = queue_mail("digest:2:2026-w49", "b@example.com", "Digest", "Hello")
    stuck.status = "sending"  # as a worker leaves it when it dies mid-send
    db.session.info.pop("portal.jobs.pending", None)
    db.session.commit()
    deliver(stuck.id)
    db.session.expire_all()
    assert db.session.get(OutgoingMail, stuck.id).status == "uncertain"
    assert len(smtp_inbox.messages) == 1


@pytest.mark.parametrize("path", ["/password/invite/x", "/password/reset/x"])
def test_a_nonsense_link_is_a_clear_400(client, path):
    response = client.get(path)
    assert response.status_code == 400 and "Email me a new link" in response.text


ROSTER = (
    "name,email,department\n"
    "Amina Tariq,amina@example.com,Sales\n"
    "Ravi Iyer,ravi@example.com,Service\n"
)


def _import_roster(client, **data):
    from tests.accounts.conftest import csv_upload

    return client.post("/admin/users/import", data={"file": csv_upload(ROSTER), **data})


def test_a_roster_import_invites_each_new_person(client, admin, smtp_inbox):
    response = _import_roster(client, invite="y")
    assert response.status_code == 200
    assert sorted(_read(m)[0] for m in smtp_inbox.messages) == [
        "amina@example.com",
        "ravi@example.com",
    ]
    link = _link(_read(smtp_inbox.messages[0])[2])
    assert client.get(link).status_code == 200


def test_a_roster_import_without_mail_shows_each_link_once(client, admin):
    page = _import_roster(client, invite="y").text
    table = page[page.index('data-testid="invitation-links"') :]
    assert "amina@example.com" in table and "ravi@example.com" in table
    assert len(LINK.findall(table)) == 2
    assert 'data-testid="invitation-links"' not in client.get("/admin/users/import").text


def test_a_roster_with_an_initial_password_sends_no_invitation(client, admin, smtp_inbox):
    response = _import_roster(client, invite="y", initial_password="a-long-first-password")
    assert response.status_code == 200 and smtp_inbox.messages == []
