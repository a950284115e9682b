"""Invitations and forgotten passwords: one-time links by email, through the job queue.

An admin invites a person (on creating the account, importing a roster, or again from the
user list); the person follows the link and chooses a password. Anyone may ask for a reset
link for an address: the answer is the same whether or not an account has it, and at most
RESET_PER_HOUR links a person are made. Setting a password from a link ends every other
session the person has. Emails are written in the person's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.accounts.services import check_password_strength, set_password
from portal.accounts.tokens import Purpose, make_link_token, spend, user_of  # noqa: F401
from portal.database import utcnow
from portal.extensions import db
from portal.jobs import after_commit, job
from portal.mail import mail_configured
from portal.mailqueue import OutgoingMail, queue_mail


def _language(user: User) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def link_for(user: User, purpose: Purpose) -> str:
    """A new one-time link for the user (older ones stop working)."""
    token = make_link_token(user, purpose)
    return url_for(
        "accounts.password_from_link", purpose=purpose.value, token=token, _external=True
    )


def _send_link(
    user: User, purpose: Purpose, write: Callable[[str], tuple[str, str]]
) -> tuple[str, OutgoingMail]:
    """Email the person a new one-time link for `purpose`; `write(link)` gives the subject
    and body, in the person's language. Returns the link and the queued email."""
    link = link_for(user, purpose)
    with force_locale(_language(user)):
        subject, body = write(link)
    mail = queue_mail(f"{purpose.value}:{user.id}:{user.token_version}", user.email, subject, body)
    return link, mail


def invite(user: User) -> tuple[str, OutgoingMail]:
    """Email the person a link to choose their password; returns the link and the email
    (whose status says whether it could be sent, for the admin to hand the link out)."""
    user.invited_at = utcnow()
    days = current_app.config["INVITATION_SECONDS"] // 86400
    return _send_link(
        user,
        Purpose.INVITE,
        lambda link: (
            _("You are invited to CRM Academy"),
            _(
                "Hello %(name)s,\n\nYour organisation has given you an account in CRM Academy, "
                "where you learn the new CRM and practise in your own sandbox before go-live."
                "\n\nChoose your password here (the link works once, for %(days)d days):"
                "\n%(link)s\n\nYour sign-in email is %(email)s.",
                name=user.name,
                days=days,
                link=link,
                email=user.email,
            ),
        ),
    )


def pending(user: User) -> bool:
    """Invited and has not chosen a password yet."""
    return user.invited_at is not None and user.password_hash is None


def request_reset(email: str) -> None:
    """Email a reset link to the account with this address, if there is one (active, and
    under the hourly limit); the caller says the same thing either way."""
    user = User.by_email(email)
    if user is None or not user.active:
        return
    hour_ago = utcnow() - timedelta(hours=1)
    recent = db.session.scalar(
        select(func.count(OutgoingMail.id)).where(
            OutgoingMail.key.like(f"reset:{user.id}:%"), OutgoingMail.created_at > hour_ago
        )
    )
    if recent >= current_app.config["RESET_PER_HOUR"]:
        return
    minutes = current_app.config["RESET_SECONDS"] // 60
    _send_link(
        user,
        Purpose.RESET,
        lambda link: (
            _("Choose a new CRM Academy password"),
            _(
                "Hello %(name)s,\n\nSomeone asked to reset the password of your CRM Academy "
                "account. If it was you, choose a new password here (the link works once, for "
                "%(minutes)d minutes):\n%(link)s\n\nIf it was not you, ignore this email: your "
                "password stays as it is.",
                name=user.name,
                minutes=minutes,
                link=link,
            ),
        ),
    )


def password_from_link(token: str, purpose: Purpose, password: str) -> User:
    """Set the password a link was sent for and use the link up (LinkError if it cannot
    be used; AccountError if the password is too weak). Every other session ends."""
    user = user_of(token, purpose)
    check_password_strength(password, "new_password")
    set_password(user, password, require_change=False)
    spend(user)
    if user.locked_until is not None:  # the owner of the address proved who they are
        user.failed_sign_ins, user.locked_until = 0, None
    return user


def invite_new_people(user_ids: list[int]) -> list[tuple[User, str]]:
    """Invite each of these people (a roster's new accounts). With a mail server the
    invitations go out from a job after the commit; without one, returns each person
    with the link to hand out (shown to the admin once)."""
    if not user_ids:
        return []
    if mail_configured():
        after_commit(invite_job, list(user_ids))
        return []
    people = db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id))
    return [(user, invite(user)[0]) for user in people]


@job(retries=2, retry_delay=60)
def invite_job(user_ids: list[int]) -> None:
    """Invite people in the background, one commit each (a large roster takes a while)."""
    for user_id in user_ids:
        user = db.session.get(User, user_id)
        if user is not None and user.active and user.password_hash is None:
            with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
                invite(user)
            db.session.commit()
