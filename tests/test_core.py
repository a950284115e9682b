"""Site-wide behaviour: languages, health check, security headers, error pages, config."""

from __future__ import annotations

import re

import pytest
from flask import Flask, abort

from portal import create_app
from portal.accounts.models import User
from portal.config import ConfigError, load_config, normalise_database_url
from portal.extensions import db, limiter
from tests.conftest import PortalClient

HTML_TAG = re.compile(r"<html lang=\"([^\"]+)\" dir=\"([^\"]+)\">")


def _lang(response) -> tuple[str, str]:
    return HTML_TAG.search(response.get_data(as_text=True)).groups()


# Languages


@pytest.mark.parametrize(
    ("accept", "lang", "direction", "stylesheet"),
    [
        ("ur", "ur", "rtl", "bootstrap.rtl.min.css"),
        ("ur-PK,ur;q=0.9,en;q=0.5", "ur", "rtl", "bootstrap.rtl.min.css"),
        ("hi-IN,hi;q=0.9", "hi", "ltr", "bootstrap.min.css"),
        ("fr-FR,fr;q=0.9", "en", "ltr", "bootstrap.min.css"),
        (None, "en", "ltr", "bootstrap.min.css"),
    ],
)
def test_browser_language_picks_language_direction_and_stylesheet(
    client, accept, lang, direction, stylesheet
):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/login", headers=headers)
    assert _lang(response) == (lang, direction)
    page = response.get_data(as_text=True)
    assert f"vendor/bootstrap/{stylesheet}" in page
    other = {"bootstrap.min.css", "bootstrap.rtl.min.css"} - {stylesheet}
    assert f"vendor/bootstrap/{other.pop()}" not in page


def test_anonymous_language_choice_is_kept_in_the_session_and_wins(client):
    response = client.post("/language", data={"locale": "ur", "next": "/login"})
    assert response.headers["Location"] == "/login"
    assert _lang(client.get("/login", headers={"Accept-Language": "hi"})) == ("ur", "rtl")
    assert _lang(client.get("/no-such-page", headers={"Accept-Language": "en"})) == ("ur", "rtl")


def test_anonymous_language_choice_survives_signing_in(client, make):
    user = make.user(roles=("learner",))
    client.post("/language", data={"locale": "ur"})
    client.login(user)
    assert _lang(client.get("/learn/", headers={"Accept-Language": "en"})) == ("ur", "rtl")


def test_signed_in_choice_is_stored_on_the_account_and_follows_the_user(app, client, make):
    user = make.user(roles=("learner",))
    client.login(user)
    response = client.post("/language", data={"locale": "hi", "next": "/account"})
    assert response.headers["Location"] == "/account"
    assert db.session.get(User, user.id).locale == "hi"

    elsewhere = app.test_client()  # another browser, which prefers Urdu
    elsewhere.login(user)
    assert _lang(elsewhere.get("/learn/", headers={"Accept-Language": "ur"})) == ("hi", "ltr")


def test_language_stays_after_signing_out(client, make):
    user = make.user(roles=("learner",), locale="ur")
    client.login(user)
    client.post("/logout")
    assert _lang(client.get("/login")) == ("ur", "rtl")


@pytest.mark.parametrize("locale", ["xx", "", "ur-PK", "../../etc"])
def test_unknown_language_is_ignored(client, make, locale):
    user = make.user(roles=("learner",), locale="hi")
    client.login(user)
    response = client.post("/language", data={"locale": locale})
    assert response.status_code == 302
    assert db.session.get(User, user.id).locale == "hi"
    assert _lang(client.get("/learn/", headers={"Accept-Language": "ur"})) == ("hi", "ltr")

    anonymous = client.application.test_client()
    anonymous.post("/language", data={"locale": locale})
    assert _lang(anonymous.get("/login", headers={"Accept-Language": "ur"})) == ("ur", "rtl")


@pytest.mark.parametrize(
    "target", ["//evil.test", "https://evil.test", "/\\evil.test", "/\r\n/evil.test"]
)
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post("/language", data={"locale": "hi", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# Health check


def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_check_reports_an_unreachable_database():
    app = create_app(
        {"MODE": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent-dir/portal.db"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unavailable"}


# Security headers and cookies


@pytest.mark.parametrize("path", ["/login", "/no-such-page", "/healthz", "/static/css/app.css"])
def test_security_headers_are_on_every_response(client, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    csp = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_scripts_the_policy_would_block(client, make):
    client.login(make.user(roles=("admin",)))
    page = client.get("/admin/users").get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert not re.search(r"\son[a-z]+=", page)


def test_session_cookie_is_http_only_and_same_site_lax(client, make):
    response = client.login(make.user())
    cookie = next(
        value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_pages_with_personal_data_are_not_cached(client, make):
    client.login(make.user(roles=("admin",)))
    assert client.get("/admin/users").headers["Cache-Control"] == "no-store"


# Error pages


@pytest.fixture
def throwaway_app() -> Flask:
    """An app of its own, where a test may add routes that fail on purpose."""
    app = create_app({"MODE": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    @app.get("/teapot")
    def teapot():
        abort(418)

    return app


def test_unexpected_error_shows_a_plain_page_without_a_stack_trace(throwaway_app, caplog):
    response = throwaway_app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "Traceback" not in page and "hunter2" not in page and "RuntimeError" not in page
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "secret internals" in caplog.text  # it is logged for the operators instead


def test_unexpected_error_in_an_htmx_request_returns_the_error_fragment(throwaway_app):
    response = throwaway_app.test_client().get("/boom", headers={"HX-Request": "true"})
    assert response.status_code == 500
    assert "<html" not in response.get_data(as_text=True)
    assert 'data-status="500"' in response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]


def test_unexpected_error_in_production_mode_shows_no_stack_trace(monkeypatch):
    app = create_app(
        {"MODE": "production", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )

    @app.get("/boom")
    def boom():
        raise KeyError("internal-key")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "internal-key" not in response.get_data(as_text=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_unlisted_error_codes_get_a_generic_page(throwaway_app):
    response = throwaway_app.test_client().get("/teapot")
    assert response.status_code == 418
    assert "Traceback" not in response.get_data(as_text=True)


def test_unknown_address_is_not_found(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.get_data(as_text=True)


def test_wrong_method_says_which_methods_are_allowed(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in {method.strip() for method in response.headers["Allow"].split(",")}
    assert "This page cannot be used that way." in response.get_data(as_text=True)


# Configuration


@pytest.fixture
def clean_environment(monkeypatch):
    for name in (
        "SECRET_KEY",
        "DATABASE_URL",
        "PORTAL_SECRET_KEY",
        "PORTAL_MODE",
        "PORTAL_SQLALCHEMY_DATABASE_URI",
    ):
        monkeypatch.delenv(name, raising=False)


def test_production_without_secret_key_refuses_to_start(clean_environment):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app({"MODE": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_with_secret_key_from_the_environment_starts(clean_environment, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    app = create_app({"MODE": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SECRET_KEY"] == "k" * 40
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["TESTING"] is False


def test_unknown_mode_refuses_to_start(clean_environment):
    with pytest.raises(ConfigError, match="MODE must be one of"):
        create_app({"MODE": "staging", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize(
    ("given", "used"),
    [
        (
            "postgres://u:p@db.example:5432/portal",
            "postgresql+psycopg://u:p@db.example:5432/portal",
        ),
        ("postgresql://u:p@db.example/portal", "postgresql+psycopg://u:p@db.example/portal"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///instance/portal.db", "sqlite:///instance/portal.db"),
    ],
)
def test_database_url_is_normalised_to_the_psycopg_driver(
    clean_environment, monkeypatch, given, used
):
    assert normalise_database_url(given) == used
    monkeypatch.setenv("DATABASE_URL", given)
    app = Flask("config_probe")
    load_config(app, {"MODE": "testing"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == used


def test_prefixed_environment_settings_are_read(clean_environment, monkeypatch):
    monkeypatch.setenv("PORTAL_LOGIN_RATE_LIMIT", "5 per minute")
    monkeypatch.setenv("PORTAL_USERS_PER_PAGE", "40")
    app = Flask("config_probe")
    load_config(app, {"MODE": "testing"})
    assert app.config["LOGIN_RATE_LIMIT"] == "5 per minute"
    assert app.config["USERS_PER_PAGE"] == 40


# Client addresses behind proxies


@pytest.fixture
def proxied_app(tmp_path):
    """build(proxies) -> an app of its own on an empty database, signing in limited to 2/min."""

    def build(proxies: int) -> Flask:
        app = create_app(
            {
                "MODE": "testing",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / f'proxied{proxies}.db'}",
                "LOGIN_RATE_LIMIT": "2 per minute",
                "TRUSTED_PROXIES": proxies,
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
            }
        )
        app.test_client_class = PortalClient
        with app.app_context():
            db.create_all()
        return app

    yield build
    limiter.reset()


def _attempts(app, forwarded_for: str, times: int) -> list[int]:
    client = app.test_client()
    return [
        client.post(
            "/login",
            data={"email": "x@example.test", "password": "wrong-password"},
            headers={"X-Forwarded-For": forwarded_for},
        ).status_code
        for _ in range(times)
    ]


def test_behind_a_trusted_proxy_each_visitor_has_their_own_sign_in_limit(proxied_app):
    app = proxied_app(1)
    assert _attempts(app, "203.0.113.1", 3) == [401, 401, 429]
    assert _attempts(app, "203.0.113.2", 1) == [401]


def test_without_trusted_proxies_a_forged_forwarded_address_changes_nothing(proxied_app):
    app = proxied_app(0)
    assert _attempts(app, "203.0.113.1", 2) == [401, 401]
    assert _attempts(app, "203.0.113.2", 1) == [429]


@pytest.mark.parametrize("given", ["soon", "0", "400"])
def test_days_for_late_joiners_out_of_range_refuse_to_start(clean_environment, monkeypatch, given):
    monkeypatch.setenv("PORTAL_LATE_JOINER_DAYS", given)
    with pytest.raises(ConfigError, match="PORTAL_LATE_JOINER_DAYS=14"):
        create_app({"MODE": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("PORTAL_LATE_JOINER_DAYS", "21")
    app = create_app({"MODE": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["LATE_JOINER_DAYS"] == 21
