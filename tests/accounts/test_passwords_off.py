"""With password sign-in switched off (single sign-on only), the forgotten-password page
and password links say so and change nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts import onboarding
from portal.accounts.models import User
from portal.extensions import db
from portal.mailqueue import OutgoingMail

SAYS = "sign in through your organisation&#39;s single sign-on"


def test_forgot_password_and_links_say_sign_in_is_through_sso(app, client, make, monkeypatch):
    person = make.user(email="new@example.test", password=None)
    with app.test_request_context():
        link = onboarding.invite(person)[0]
    db.session.commit()
    path = link.split("localhost", 1)[-1]
    mails = db.session.scalar(select(func.count(OutgoingMail.id)))
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", False)

    page = client.get("/forgot-password")
    assert page.status_code == 200 and SAYS in page.get_data(as_text=True)
    answer = client.post("/forgot-password", data={"email": person.email})
    assert answer.status_code == 403 and SAYS in answer.get_data(as_text=True)
    assert SAYS in client.get(path).get_data(as_text=True)
    chosen = client.post(path, data={"new_password": "a-long-new-secret", "confirm": "x"})
    assert chosen.status_code == 403

    db.session.expire_all()
    assert db.session.get(User, person.id).password_hash is None
    assert db.session.scalar(select(func.count(OutgoingMail.id))) == mails  # no reset mail
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", True)
    assert client.get(path).status_code == 200  # the link was not used up
