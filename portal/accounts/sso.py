"""Single sign-on with OpenID Connect, through Authlib's Flask client.

Configured by OIDC_ISSUER (its discovery document is read from
<issuer>/.well-known/openid-configuration), OIDC_CLIENT_ID and OIDC_CLIENT_SECRET. A person
signs in as the account with the email address the provider has verified; a person without
one gets an account on first sign-in when their address is in OIDC_ALLOWED_DOMAINS, with
OIDC_DEFAULT_ROLE and OIDC_DEFAULT_DEPARTMENT. Everyone else is refused with a page that
says why. PASSWORD_SIGN_IN = False leaves single sign-on the only way in.

Authlib checks `state` (against the browser's session), the id_token's signature (against
the provider's JWKS), `nonce`, `exp`/`iat` and `iss`. It does not compare `aud` with our
client id unless told: without the claims options below, a token issued to another
application that names us in `azp` would pass. So `iss` and `aud` are set here, and the
tests make the provider mis-issue each of them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import requests
from authlib.integrations.flask_client import OAuth, OAuthError
from flask import abort, current_app, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from joserfc.errors import JoseError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts import services
from portal.accounts.devices import remember_device
from portal.accounts.models import User, normalise_email
from portal.accounts.services import AccountError, UserData
from portal.accounts.views import _fresh_session, auth_bp
from portal.database import utcnow
from portal.extensions import db
from portal.navigation import home_url
from portal.rendering import render
from portal.security import is_safe_redirect

log = logging.getLogger(__name__)

_NEXT = "sso_next"
_LEEWAY_SECONDS = 60  # clock skew allowed between the provider and us
_BAD_RESPONSE = (OAuthError, JoseError, ValueError, KeyError)


class SignInRefused(Exception):
    """The provider vouched for someone this portal does not let in; the page says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def sso_configured(config=None) -> bool:
    """Whether single sign-on is set up (issuer and client id given)."""
    config = config if config is not None else current_app.config
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def allowed_domains(value: str | Iterable[str] | None) -> frozenset[str]:
    """The email domains whose people get an account on first sign-in."""
    if not value:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    return frozenset(item.strip().lstrip("@").lower() for item in items if item.strip())


def _client():
    """The Authlib client for the configured provider (one per issuer and client)."""
    config = current_app.config
    issuer = config["OIDC_ISSUER"].rstrip("/")
    key = (issuer, config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"])
    clients = current_app.extensions.setdefault("portal_oidc_clients", {})
    if key not in clients:
        registry = OAuth(current_app._get_current_object())
        clients[key] = registry.register(
            "oidc",
            client_id=key[1],
            client_secret=key[2],
            server_metadata_url=issuer + "/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "default_timeout": 10},
        )
    return clients[key]


def _claims_options(client) -> dict:
    issuer = client.load_server_metadata().get("issuer") or current_app.config["OIDC_ISSUER"]
    return {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": current_app.config["OIDC_CLIENT_ID"]},
    }


@auth_bp.before_request
def refuse_password_sign_in():
    """With PASSWORD_SIGN_IN off, a password sent to /login is refused unread."""
    if (
        request.endpoint == "accounts.login"
        and request.method == "POST"
        and not current_app.config["PASSWORD_SIGN_IN"]
        and not current_user.is_authenticated
    ):
        return _refusal(
            _("Signing in with a password is switched off here. Use your organisation's sign-in."),
            403,
        )
    return None


@auth_bp.get("/login/sso")
def sso_start():
    """Send the browser to the organisation's provider to sign in."""
    if not sso_configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    target = request.args.get("next")
    session[_NEXT] = target if is_safe_redirect(target) else None
    try:
        client = _client()
        return client.authorize_redirect(url_for("accounts.sso_callback", _external=True))
    except requests.RequestException:
        log.warning("the OpenID provider could not be reached", exc_info=True)
        return _refusal(_unreachable(), 502)


@auth_bp.get("/login/sso/callback")
def sso_callback():
    """The provider sends the browser back here with a code; check it and sign in."""
    if not sso_configured():
        abort(404)
    if request.args.get("error"):
        log.info("the OpenID provider answered %s", request.args["error"])
        return _refusal(
            _(
                'Your organisation\'s sign-in did not sign you in (it answered "%(error)s"). '
                "Start again from the sign-in page, or ask your administrator.",
                error=request.args["error"][:100],
            ),
            403,
        )
    client = _client()
    try:
        token = client.authorize_access_token(
            claims_options=_claims_options(client), leeway=_LEEWAY_SECONDS
        )
    except requests.RequestException:
        log.warning("the OpenID provider could not be reached", exc_info=True)
        return _refusal(_unreachable(), 502)
    except _BAD_RESPONSE as error:
        log.info("single sign-on refused: %r", error)
        return _refusal(
            _(
                "The answer from your organisation's sign-in could not be trusted (it was "
                "altered, expired, or meant for another application), so you are not signed "
                "in. Start again from the sign-in page."
            ),
            400,
        )
    claims = token.get("userinfo")
    if not claims:
        return _refusal(_("Your organisation's sign-in did not say who you are."), 400)
    try:
        user = _match_or_create(claims)
    except SignInRefused as refused:
        db.session.rollback()
        return _refusal(refused.message, 403)
    now = utcnow()
    user.first_login_at = user.first_login_at or now
    user.last_login_at = now
    db.session.commit()
    target = session.get(_NEXT)
    _fresh_session()
    login_user(user)
    response = redirect(target if is_safe_redirect(target) else home_url(user))
    remember_device(response, user)
    return response


def _match_or_create(claims) -> User:
    """match_user, once more when the person's first sign-in in another tab made the account
    (or the default department) a moment before this one."""
    try:
        user = match_user(claims)
        db.session.flush()
        return user
    except IntegrityError:
        db.session.rollback()
        return match_user(claims)


def _unreachable() -> str:
    return _("Your organisation's sign-in cannot be reached just now. Try again in a minute.")


def _refusal(message: str, status: int):
    return render("accounts/sso_refused.html", message=message, status=status)


def _verified(claims) -> bool:
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _subject(claims) -> str:
    """The provider's account, "<issuer> <subject>": `sub` is unique only per issuer."""
    return f"{claims['iss']} {claims['sub']}"[:512]


def match_user(claims) -> User:
    """The account the provider's claims sign in to, created when the rules allow.

    The account linked to the provider's account signs in whatever email the provider
    now gives; otherwise the account with the verified email, which is then linked, unless
    another account at the same provider is linked to it already. Raises SignInRefused
    with the reason when there is none.
    """
    subject = _subject(claims)
    linked = db.session.scalar(select(User).where(User.oidc_subject == subject))
    if linked is not None:
        if not linked.active:
            raise SignInRefused(
                _(
                    "The account for %(email)s is disabled. Ask your administrator.",
                    email=linked.email,
                )
            )
        return linked
    email = normalise_email(claims.get("email") or "")
    if not email or "@" not in email:
        raise SignInRefused(
            _(
                "Your organisation's sign-in did not tell us your email address, so we cannot "
                "tell which account is yours. Ask your administrator."
            )
        )
    if not _verified(claims):
        raise SignInRefused(
            _(
                "Your organisation's sign-in has not verified your email address %(email)s, "
                "so it cannot be used to sign in here. Ask your administrator.",
                email=email,
            )
        )
    user = User.by_email(email)
    if user is not None:
        if not user.active:
            raise SignInRefused(
                _("The account for %(email)s is disabled. Ask your administrator.", email=email)
            )
        issuer = str(claims["iss"]) + " "
        if user.oidc_subject and user.oidc_subject.startswith(issuer):
            raise SignInRefused(
                _(
                    "The account for %(email)s signs in with another account at your "
                    "organisation's sign-in. Ask your administrator.",
                    email=email,
                )
            )
        user.oidc_subject = subject  # a new provider (issuer) takes over the link
        return user
    config = current_app.config
    domain = email.rpartition("@")[2]
    if domain not in allowed_domains(config["OIDC_ALLOWED_DOMAINS"]):
        raise SignInRefused(
            _(
                "There is no account for %(email)s, and addresses at %(domain)s do not get one "
                "by signing in. Ask your administrator to create your account.",
                email=email,
                domain=domain,
            )
        )
    user = _create(email, claims)
    user.oidc_subject = subject
    return user


def _create(email: str, claims) -> User:
    config = current_app.config
    name = (claims.get("name") or "").strip() or email.partition("@")[0]
    locale = session.get("locale") if session.get("locale") in config["LANGUAGES"] else None
    try:
        department_id = None
        if config["OIDC_DEFAULT_DEPARTMENT"]:
            department_name = config["OIDC_DEFAULT_DEPARTMENT"]
            department = services.find_department(department_name) or (
                services.create_department(department_name)
            )
            department_id = department.id
        return services.create_user(
            UserData(
                email=email,
                name=name,
                roles=[config["OIDC_DEFAULT_ROLE"]],
                department_id=department_id,
                locale=locale,
            )
        )
    except AccountError as error:
        raise SignInRefused(error.message) from None
