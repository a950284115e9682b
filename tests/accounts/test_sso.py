"""Single sign-on with OpenID Connect, against a real provider on a loopback port.

The browser's part (following redirects) is played here by `requests` for the provider
and the test client for the portal; tests/e2e/test_sso.py does the same in Chromium.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from sqlalchemy import select

from portal import create_app
from portal.accounts.models import Department, User
from portal.accounts.sso import allowed_domains
from portal.config import ConfigError
from portal.extensions import db

# Authlib's own grant code calls one of its hooks the old way.
pytestmark = pytest.mark.filterwarnings("ignore:The 'grant' parameter:DeprecationWarning")


def sign_in_through(client, provider, *, next_url: str | None = None, tamper=None):
    """Start at /login/sso, let the provider answer, and return the portal's response."""
    start = client.get("/login/sso" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.get_data(as_text=True)
    assert start.headers["Location"].startswith(provider.url + "/authorize?")
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["Location"])
    query = dict(parse_qsl(callback.query))
    if tamper:
        tamper(query)
    return client.get(callback.path + "?" + urlencode(query))


def count_users() -> int:
    return len(db.session.scalars(select(User.id)).all())


def test_a_verified_email_signs_in_to_its_account(app_ctx, client, make, sso):
    user = make.user(roles=("trainer",))
    sso.sign_in_as(user.email.upper())

    response = sign_in_through(client, sso)

    assert response.status_code == 302
    assert response.headers["Location"] == "/author/"
    assert client.get("/account").status_code == 200
    db.session.refresh(user)
    assert user.last_login_at is not None


def test_sign_in_goes_on_to_a_safe_next_page_only(app_ctx, client, make, sso):
    user = make.user()
    sso.sign_in_as(user.email)
    assert sign_in_through(client, sso, next_url="/account").headers["Location"] == "/account"
    client.post("/logout")
    other = make.user()
    sso.sign_in_as(other.email)
    response = sign_in_through(client, sso, next_url="https://evil.example/")
    assert response.headers["Location"] == "/learn/"


def test_an_unverified_email_is_refused(app_ctx, client, make, sso):
    user = make.user()
    sso.sign_in_as(user.email, verified=False)

    response = sign_in_through(client, sso)

    assert response.status_code == 403
    assert "has not verified your email address" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_a_disabled_account_is_refused(app_ctx, client, make, sso):
    user = make.user(active=False)
    sso.sign_in_as(user.email)

    response = sign_in_through(client, sso)

    assert response.status_code == 403
    assert "is disabled" in response.get_data(as_text=True)


def test_first_sign_in_in_an_allowed_domain_creates_the_account(app_ctx, client, sso):
    sso.sign_in_as("new.starter@Example.com", name="New Starter")

    response = sign_in_through(client, sso)

    assert response.status_code == 302
    assert response.headers["Location"] == "/learn/"
    user = User.by_email("new.starter@example.com")
    assert user is not None and user.name == "New Starter"
    assert [role for role in user.roles] == ["learner"]
    assert user.password_hash is None
    assert db.session.get(Department, user.department_id).name == "New starters"
    # Signing in again finds the same account.
    client.post("/logout")
    assert sign_in_through(client, sso).status_code == 302
    assert count_users() == 1


def test_the_default_role_and_department_come_from_configuration(
    app_ctx, client, make, sso, app, monkeypatch
):
    department = make.department("Support")
    monkeypatch.setitem(app.config, "OIDC_DEFAULT_ROLE", "trainer")
    monkeypatch.setitem(app.config, "OIDC_DEFAULT_DEPARTMENT", "Support")
    monkeypatch.setitem(app.config, "OIDC_ALLOWED_DOMAINS", "corp.test, example.com")
    sso.sign_in_as("lee@corp.test")

    assert sign_in_through(client, sso).headers["Location"] == "/author/"
    user = User.by_email("lee@corp.test")
    assert list(user.roles) == ["trainer"] and user.department_id == department.id


def test_an_unknown_address_outside_the_allowed_domains_is_refused(app_ctx, client, sso):
    sso.sign_in_as("visitor@elsewhere.test")

    response = sign_in_through(client, sso)

    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "There is no account for visitor@elsewhere.test" in page
    assert "elsewhere.test do not get one" in page
    assert count_users() == 0


def test_an_unverified_email_in_an_allowed_domain_gets_no_account(app_ctx, client, sso):
    sso.sign_in_as("new.starter@example.com", verified=False)

    assert sign_in_through(client, sso).status_code == 403
    assert count_users() == 0


@pytest.mark.parametrize("misissue", ["audience", "expired", "issuer"])
def test_a_mis_issued_id_token_is_refused(app_ctx, client, make, sso, misissue):
    user = make.user()
    sso.sign_in_as(user.email)
    sso.misissue = misissue

    response = sign_in_through(client, sso)

    assert response.status_code == 400
    assert "could not be trusted" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_a_tampered_state_is_refused(app_ctx, client, make, sso):
    user = make.user()
    sso.sign_in_as(user.email)

    def tamper(query):
        query["state"] = query["state"][:-2] + "xx"

    response = sign_in_through(client, sso, tamper=tamper)

    assert response.status_code == 400
    assert client.get("/account").status_code == 302


def test_a_provider_that_declines_gets_a_clear_page(client, sso):
    client.get("/login/sso")

    response = client.get("/login/sso/callback?error=access_denied&state=whatever")

    assert response.status_code == 403
    assert "(it answered &#34;access_denied&#34;)" in response.get_data(as_text=True)


def test_a_code_is_good_for_one_sign_in_only(app_ctx, client, make, sso, app):
    user = make.user()
    sso.sign_in_as(user.email)
    start = client.get("/login/sso")
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlsplit(answer.headers["Location"])
    assert client.get(callback.path + "?" + callback.query).status_code == 302
    client.post("/logout")

    replay = app.test_client().get(callback.path + "?" + callback.query)

    assert replay.status_code == 400


def test_the_login_page_offers_the_button_only_when_configured(client, sso, app, monkeypatch):
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Example SSO" in page
    assert 'name="password"' in page
    monkeypatch.setitem(app.config, "OIDC_ISSUER", "")
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with" not in page
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404


def test_password_sign_in_can_be_switched_off(app_ctx, client, make, sso, app, monkeypatch):
    user = make.user()
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", False)

    page = client.get("/login").get_data(as_text=True)
    assert 'name="password"' not in page and "Sign in with Example SSO" in page
    refused = client.login(user)
    assert refused.status_code == 403
    assert "switched off" in refused.get_data(as_text=True)
    assert client.get("/account").status_code == 302

    sso.sign_in_as(user.email)
    assert sign_in_through(client, sso).status_code == 302
    assert client.get("/account").status_code == 200


def test_sign_out_ends_the_portal_session(app_ctx, client, make, sso):
    user = make.user()
    sso.sign_in_as(user.email)
    sign_in_through(client, sso)
    assert client.get("/account").status_code == 200

    client.post("/logout")

    assert client.get("/account").status_code == 302


def test_a_provider_that_cannot_be_reached_gets_a_clear_page(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_ISSUER", "http://127.0.0.1:9/nobody")
    monkeypatch.setitem(app.config, "OIDC_CLIENT_ID", "portal")

    response = client.get("/login/sso")

    assert response.status_code == 502
    assert "cannot be reached" in response.get_data(as_text=True)


def _start(**config):
    return create_app({"MODE": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://", **config})


def test_settings_that_cannot_work_stop_the_portal_at_start(monkeypatch):
    with pytest.raises(ConfigError, match="nobody could sign in"):
        _start(PASSWORD_SIGN_IN=False)
    with pytest.raises(ConfigError, match="PORTAL_OIDC_CLIENT_ID"):
        _start(OIDC_ISSUER="https://id.example.com")
    with pytest.raises(ConfigError, match="OIDC_DEFAULT_ROLE must be one of"):
        _start(OIDC_DEFAULT_ROLE="boss")
    monkeypatch.setenv("PORTAL_PASSWORD_SIGN_IN", "false")
    monkeypatch.setenv("PORTAL_OIDC_ISSUER", "https://id.example.com")
    monkeypatch.setenv("PORTAL_OIDC_CLIENT_ID", "portal")
    monkeypatch.setenv("PORTAL_OIDC_ALLOWED_DOMAINS", "example.com, @Example.org")
    app = _start()
    assert app.config["PASSWORD_SIGN_IN"] is False
    assert allowed_domains(app.config["OIDC_ALLOWED_DOMAINS"]) == {"example.com", "example.org"}


def test_the_first_sign_in_links_the_providers_account(app_ctx, client, make, sso):
    user = make.user()
    sso.sign_in_as(user.email, sub="abc-123")
    sign_in_through(client, sso)
    db.session.refresh(user)
    assert user.oidc_subject == f"{sso.url} abc-123"
    client.post("/logout")

    # The provider's account now has another address: it still signs in to the same one.
    sso.sign_in_as("renamed@example.com", sub="abc-123")
    assert sign_in_through(client, sso).status_code == 302
    assert client.get("/account").status_code == 200
    assert count_users() == 1


def test_another_account_at_the_provider_cannot_take_over_a_linked_one(app_ctx, client, make, sso):
    user = make.user()
    sso.sign_in_as(user.email, sub="first")
    sign_in_through(client, sso)
    client.post("/logout")

    sso.sign_in_as(user.email, sub="second")
    response = sign_in_through(client, sso)

    assert response.status_code == 403
    assert "signs in with another account" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.oidc_subject == f"{sso.url} first"


def test_a_new_provider_takes_over_the_link(app_ctx, client, make, sso):
    user = make.user()
    user.oidc_subject = "https://old-provider.example first"
    db.session.commit()
    sso.sign_in_as(user.email, sub="new")

    assert sign_in_through(client, sso).status_code == 302
    db.session.refresh(user)
    assert user.oidc_subject == f"{sso.url} new"


def test_a_disabled_linked_account_is_refused(app_ctx, client, make, sso):
    user = make.user()
    sso.sign_in_as(user.email, sub="abc")
    sign_in_through(client, sso)
    client.post("/logout")
    user.active = False
    db.session.commit()

    assert sign_in_through(client, sso).status_code == 403
