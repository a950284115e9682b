"""Configuration: defaults, then instance/config.py, then environment, then test config.

Modes:
- ``production`` (the default): a SECRET_KEY must be given; cookies are Secure.
- ``demo``: the two-command quick start; a secret key is generated once into instance/.
- ``development``: like demo, with the debugger available to `flask run --debug`.
- ``testing``: used by the test suite.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import list_currencies
from flask import Flask

MODES = ("production", "demo", "development", "testing")
LANGUAGES = {"en": "English", "ur": "اردو", "hi": "हिन्दी"}
RTL_LANGUAGES = frozenset({"ur"})


class ConfigError(RuntimeError):
    """Raised when the portal cannot start with the configuration it was given."""


def default_config(app: Flask) -> dict[str, Any]:
    """Settings that hold unless instance config, environment or tests say otherwise."""
    return {
        "MODE": "production",
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(app.instance_path, "portal.db"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # How long a SQLite write waits for another to finish: a sandbox's first visit or a
        # write holds the file's one write lock, longer on a busy machine; waiting beats a 503.
        "SQLITE_BUSY_TIMEOUT_MS": 15000,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": None,  # decided by mode below unless set
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": LANGUAGES,
        # ISO 4217 code of the money in sandbox deals and purchases, shown in each
        # reader's locale format ("$1,00,000.00" in Hindi).
        "CURRENCY": "USD",
        # The organisation's time zone (an IANA name such as Asia/Karachi): what date it
        # is for due dates, go-live dates and the sandbox's first day (portal.clock).
        "TIMEZONE": "UTC",
        # The CRM the organisation rolls out (sandbox.profiles): the sandbox's labels, lead
        # statuses, deal stages and probabilities, ticket statuses, priorities, categories
        # and SLA policy. One of espocrm, suitecrm, salesforce, hubspot, odoo.
        "CRM_PROFILE": "espocrm",
        # Replace any of the profile's lists, its entity labels or its SLA policy: a
        # mapping shaped like a profile file, e.g. {"stage": [...], "sla": {"hours": ...}}.
        "CRM_OVERRIDES": {},
        # Where background jobs (email, reminders, digests) wait for the worker (portal.jobs):
        # None: a SQLite file in instance/; "redis://host:6379/0" for several machines;
        # "immediate": run each job in-process right after its commit (the tests).
        "JOB_QUEUE": None,
        # Where people reach the portal: links in emails sent by the job worker, which has
        # no request to take the host from. Reminders go out from this hour of the
        # organisation's morning (TIMEZONE).
        "BASE_URL": "http://127.0.0.1:5000",
        "REMINDER_HOUR": 8,
        "RATELIMIT_ENABLED": True,
        # None: a SQLite file in instance/ that every worker of this machine shares
        # (portal.ratelimit); tests count in memory. Several machines: redis://...
        "RATELIMIT_STORAGE_URI": None,
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": "10 per minute;50 per hour",
        # Per account, whatever the address: this many wrong passwords within the window
        # lock the account for a while (it unlocks by itself; an admin can lift it sooner).
        "LOGIN_LOCKOUT_ATTEMPTS": 10,
        "LOGIN_LOCKOUT_WINDOW_SECONDS": 15 * 60,
        "LOGIN_LOCKOUT_SECONDS": 15 * 60,
        # Password hashes checked at once per process (on threads of lower CPU priority),
        # and sign-ins that may wait for a turn besides; a sign-in that finds the queue
        # full, or waits longer than LOGIN_HASH_WAIT_SECONDS, is told to try again (503),
        # so a burst of sign-ins takes neither every thread nor every core from the pages.
        "LOGIN_HASH_CONCURRENCY": 1,
        "LOGIN_HASH_QUEUE": 3,
        # How much lower the checking threads' CPU priority is (Linux nice, 0-19): the
        # pages of a busy portal go first. A machine that also runs other busy work may
        # want 0, or sign-ins wait behind it.
        "LOGIN_HASH_NICENESS": 5,
        "LOGIN_HASH_WAIT_SECONDS": 10.0,
        # How many proxies (load balancer, TLS terminator) stand in front of the portal and
        # set X-Forwarded-For/-Proto. 0 trusts none: behind a load balancer every visitor
        # would then share its address, and one rate limit, for signing in.
        "TRUSTED_PROXIES": 0,
        "PASSWORD_HASH_METHOD": "scrypt",
        "PASSWORD_MIN_LENGTH": 10,
        # One-time password links: how long an invitation and a reset link work, and how
        # many reset links one person can be sent in an hour.
        "INVITATION_SECONDS": 7 * 24 * 3600,
        "RESET_SECONDS": 3600,
        "RESET_PER_HOUR": 3,
        "RESET_RATE_LIMIT": "5 per hour",
        "USERS_PER_PAGE": 25,
        # Days people who join a department after a course was assigned to it have to
        # finish it (the assignment form's default; each assignment can differ).
        "LATE_JOINER_DAYS": 14,
        # A learner's sandbox unused this many days is cleared by the job worker and made
        # anew on their next visit (sandbox.expiry); 0 keeps every sandbox.
        "SANDBOX_EXPIRY_DAYS": 90,
        "ROSTER_MAX_ROWS": 5000,
        "HSTS_SECONDS": 31536000,
        # Single sign-on with OpenID Connect (portal.accounts.sso): the provider's issuer URL
        # (its discovery document is <issuer>/.well-known/openid-configuration), this
        # portal's client id and secret there, and the name on the sign-in button. People
        # with no account get one on first sign-in when their verified address is in one of
        # OIDC_ALLOWED_DOMAINS ("example.com,example.org"), with the default role and
        # department. PASSWORD_SIGN_IN = False leaves single sign-on the only way in.
        "OIDC_ISSUER": "",
        "OIDC_CLIENT_ID": "",
        "OIDC_CLIENT_SECRET": "",
        "OIDC_NAME": "SSO",
        "OIDC_ALLOWED_DOMAINS": "",
        "OIDC_DEFAULT_ROLE": "learner",
        "OIDC_DEFAULT_DEPARTMENT": "",
        "PASSWORD_SIGN_IN": True,
    }


def load_config(app: Flask, test_config: dict[str, Any] | None = None) -> None:
    """Fill app.config in the documented order and check it can run."""
    app.config.from_mapping(default_config(app))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PORTAL")
    for plain_name in ("SECRET_KEY", "DATABASE_URL"):
        if os.environ.get(plain_name):
            key = "SQLALCHEMY_DATABASE_URI" if plain_name == "DATABASE_URL" else plain_name
            app.config[key] = os.environ[plain_name]
    if test_config:
        app.config.from_mapping(test_config)

    mode = app.config["MODE"]
    if mode not in MODES:
        raise ConfigError(f"MODE must be one of {', '.join(MODES)}, not {mode!r}.")
    app.config["TESTING"] = mode == "testing" or bool(app.config.get("TESTING"))
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    if app.config["RATELIMIT_STORAGE_URI"] is None:
        app.config["RATELIMIT_STORAGE_URI"] = (
            "memory://"
            if app.config["TESTING"]
            else "portal+sqlite://" + os.path.join(app.instance_path, "ratelimit.sqlite")
        )
    if app.config["JOB_QUEUE"] is None:
        app.config["JOB_QUEUE"] = (
            "immediate"
            if app.config["TESTING"]
            else "sqlite:///" + os.path.join(app.instance_path, "jobs.sqlite")
        )
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = mode == "production"
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    late = app.config["LATE_JOINER_DAYS"]
    if isinstance(late, bool) or not isinstance(late, int) or not 1 <= late <= 365:
        raise ConfigError(
            f"LATE_JOINER_DAYS must be a whole number of days from 1 to 365, not {late!r}: "
            "set PORTAL_LATE_JOINER_DAYS=14, for example."
        )
    expiry = app.config["SANDBOX_EXPIRY_DAYS"]
    if isinstance(expiry, bool) or not isinstance(expiry, int) or not 0 <= expiry <= 3650:
        raise ConfigError(
            f"SANDBOX_EXPIRY_DAYS must be a whole number of days from 0 (never) to 3650, not "
            f"{expiry!r}: set PORTAL_SANDBOX_EXPIRY_DAYS=90, for example."
        )
    currency = app.config["CURRENCY"]
    if currency not in list_currencies():
        raise ConfigError(
            f"CURRENCY must be an ISO 4217 code such as USD, EUR or PKR, not {currency!r}: "
            "set PORTAL_CURRENCY=USD, for example."
        )
    zone = app.config["TIMEZONE"]
    if not _known_zone(zone):
        raise ConfigError(
            f"TIMEZONE must be an IANA time zone name such as UTC, Asia/Karachi or "
            f"Asia/Kolkata, not {zone!r}: set PORTAL_TIMEZONE=Asia/Karachi, for example."
        )
    app.extensions["crm_profile"] = _crm_profile(app.config)
    _check_sign_in(app.config)
    if not app.config["SECRET_KEY"]:
        if mode == "production":
            raise ConfigError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long "
                "random string (for example: python -c 'import secrets; "
                "print(secrets.token_hex(32))'), or start in demo mode with PORTAL_MODE=demo."
            )
        app.config["SECRET_KEY"] = local_secret_key(Path(app.instance_path), mode)


def _crm_profile(config):
    """The CRM profile named in configuration, with the organisation's overrides."""
    from sandbox.profiles import BUILT_IN, ProfileError, load

    try:
        return load(config["CRM_PROFILE"], config["CRM_OVERRIDES"] or None)
    except ProfileError as error:
        raise ConfigError(
            f"CRM_PROFILE/CRM_OVERRIDES: {error}. Set PORTAL_CRM_PROFILE to one of "
            f"{', '.join(BUILT_IN)}, and PORTAL_CRM_OVERRIDES to a JSON object shaped like "
            "a profile file (sandbox/profiles/espocrm.yaml), or leave it unset."
        ) from None


def _check_sign_in(config) -> None:
    """Single sign-on settings that cannot work, and a portal nobody could sign in to."""
    from portal.accounts.roles import ROLE_CODES

    if config["OIDC_DEFAULT_ROLE"] not in ROLE_CODES:
        raise ConfigError(
            f"OIDC_DEFAULT_ROLE must be one of {', '.join(sorted(ROLE_CODES))}, not "
            f"{config['OIDC_DEFAULT_ROLE']!r}: set PORTAL_OIDC_DEFAULT_ROLE=learner, for example."
        )
    if config["OIDC_ISSUER"] and not config["OIDC_CLIENT_ID"]:
        raise ConfigError(
            "OIDC_ISSUER is set but OIDC_CLIENT_ID is not: set PORTAL_OIDC_CLIENT_ID (and "
            "PORTAL_OIDC_CLIENT_SECRET) to the client the provider registered for the portal."
        )
    if not config["PASSWORD_SIGN_IN"] and not config["OIDC_ISSUER"]:
        raise ConfigError(
            "PASSWORD_SIGN_IN is off but single sign-on is not set up, so nobody could sign "
            "in: set PORTAL_OIDC_ISSUER, PORTAL_OIDC_CLIENT_ID and PORTAL_OIDC_CLIENT_SECRET, "
            "or leave PORTAL_PASSWORD_SIGN_IN unset."
        )


def _known_zone(name: object) -> bool:
    """Whether `name` is a time zone zoneinfo can load (tzdata ships them everywhere)."""
    if not isinstance(name, str) or not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def normalise_database_url(url: str) -> str:
    """Accept the URL forms hosting providers hand out and pick the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def local_secret_key(instance_path: Path, mode: str) -> str:
    """A key kept in instance/ so that demo sessions survive a restart."""
    if mode == "testing":
        return secrets.token_hex(32)
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
