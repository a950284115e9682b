"""Account workflows: sign-in, user management, passwords and roster import.

Services flush, never commit: the view (or CLI command) that called them commits once.
"""

from __future__ import annotations

import logging
import math
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import case, func, literal, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts import hashing
from portal.accounts.models import Department, User, normalise_email
from portal.accounts.roles import ROLE_CODES, Role
from portal.database import utcnow
from portal.domain import DomainError
from portal.extensions import db

# Compared against when the email is unknown (or has no password), so that a wrong email
# costs the same time as a wrong password and does not reveal which addresses have
# accounts. Made with the configured method, or the costs would differ; one per method.
_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("not-a-real-password", method=method)
    return _DUMMY_HASHES[method]


class AccountError(DomainError):
    """A request the account rules refuse; `field` names the form field at fault."""


class AccountLocked(AccountError):
    """Too many wrong passwords: the account cannot sign in for `seconds` more."""

    def __init__(self, seconds: int):
        super().__init__(
            _(
                "Too many wrong passwords were tried for this account, so it is locked for "
                "about %(minutes)d more minutes. Try again then, or ask an administrator "
                "to unlock it.",
                minutes=max(1, math.ceil(seconds / 60)),
            )
        )
        self.seconds = seconds


class SignInBusy(AccountError):
    """Every password-checking turn of this process stayed taken for too long."""

    def __init__(self) -> None:
        super().__init__(_("Many people are signing in right now. Try again in a few seconds."))


@dataclass
class UserData:
    """What a form or a roster row says about a user."""

    email: str
    name: str
    roles: list[str] = field(default_factory=lambda: [Role.LEARNER.value])
    department_id: int | None = None
    job_title: str = ""
    locale: str | None = None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_email(email: str) -> str:
    """Return the normalised address or raise AccountError for a malformed one."""
    try:
        # test_environment: allow the reserved .test domain the demo organisation uses.
        result = validate_email(email.strip(), check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise AccountError(_("Enter a valid email address."), "email") from exc
    return normalise_email(result.normalized)


def check_password_strength(password: str, field_name: str = "password") -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise AccountError(_("Use at least %(count)d characters.", count=minimum), field_name)


def _password_matches(password_hash: str, password: str) -> bool:
    """Check a password on the process's hashing threads (portal.accounts.hashing)."""
    try:
        with hashing.hash_turn() as threads:
            return threads.submit(check_password_hash, password_hash, password).result()
    except hashing.HashingBusy:
        raise SignInBusy() from None


def authenticate(email: str, password: str, known_device_of: int | None = None) -> User | None:
    """The active user with this email and password, or None; records the sign-in.

    Raises AccountLocked while too many wrong passwords lock the account, and SignInBusy
    when no turn to check the password came in time. A lock does not apply on a device the
    person signed in from before (`known_device_of`, their id from a signed cookie): wrong
    passwords from elsewhere cannot keep them out, however often they renew the lock.
    """
    user = User.by_email(email)
    if user is None or user.password_hash is None:
        _password_matches(_dummy_hash(), password)
        return None
    now = utcnow()
    if user.locked_at(now) and user.id != known_device_of:
        raise AccountLocked(int((user.locked_until - now).total_seconds()))
    if not _password_matches(user.password_hash, password):
        _record_wrong_password(user, now)
        return None
    if not user.active:
        return None
    user.first_login_at = user.first_login_at or now
    user.last_login_at = now
    if not user.locked_at(now):  # a known device's sign-in leaves a lock on the others
        user.failed_sign_ins, user.failed_sign_in_at, user.locked_until = 0, None, None
    db.session.flush()
    return user


def _record_wrong_password(user: User, now: datetime) -> None:
    """Count a wrong password (in one statement, as workers may count at once) and lock the
    account when the window holds LOGIN_LOCKOUT_ATTEMPTS of them."""
    config = current_app.config
    window_start = now - timedelta(seconds=config["LOGIN_LOCKOUT_WINDOW_SECONDS"])
    new_window = (User.failed_sign_in_at.is_(None)) | (User.failed_sign_in_at < window_start)
    count = db.session.scalar(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_sign_ins=case((new_window, 1), else_=User.failed_sign_ins + 1),
            failed_sign_in_at=case(
                (new_window, literal(now, User.failed_sign_in_at.type)),
                else_=User.failed_sign_in_at,
            ),
        )
        .returning(User.failed_sign_ins),
        execution_options={"synchronize_session": False},
    )
    if count < config["LOGIN_LOCKOUT_ATTEMPTS"]:
        db.session.expire(user, ["failed_sign_ins", "failed_sign_in_at"])
        return
    user.locked_until = now + timedelta(seconds=config["LOGIN_LOCKOUT_SECONDS"])
    user.failed_sign_ins, user.failed_sign_in_at = 0, None
    db.session.flush()
    _tell_about_lock(user)


def _tell_about_lock(user: User) -> None:
    """Email the person that their account was locked, when a mail server is configured."""
    from portal.mail import mail_configured, send_mail

    if not mail_configured():
        return
    minutes = current_app.config["LOGIN_LOCKOUT_SECONDS"] // 60
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Your CRM Academy account is locked for a while")
        body = _(
            "Hello %(name)s,\n\nSomeone tried to sign in to your CRM Academy account with "
            "wrong passwords several times, so it is locked for %(minutes)d minutes. "
            "After that you can sign in as usual.\n\nIf this was not you, tell your "
            "administrator.",
            name=user.name,
            minutes=minutes,
        )
    try:
        send_mail(user.email, subject, body)
    except (smtplib.SMTPException, OSError):
        logging.getLogger(__name__).warning("could not email %s about a lock", user.id)


def unlock(user: User) -> None:
    """Lift a lock (and forget the wrong passwords counted so far)."""
    user.failed_sign_ins, user.failed_sign_in_at, user.locked_until = 0, None, None
    db.session.flush()


def end_sessions(user: User) -> None:
    """Invalidate every session the user has, wherever it was opened."""
    user.session_version += 1
    db.session.flush()


def _apply(user: User, data: UserData) -> None:
    name = data.name.strip()
    if not name:
        raise AccountError(_("Enter a name."), "name")
    unknown = set(data.roles) - ROLE_CODES
    if unknown:
        raise AccountError(_("Unknown role: %(role)s", role=", ".join(sorted(unknown))), "roles")
    if not data.roles:
        raise AccountError(_("Choose at least one role."), "roles")
    user.name = name[:120]
    user.job_title = data.job_title.strip()[:120]
    user.department_id = data.department_id
    user.locale = data.locale
    user.set_roles(data.roles)


def _ensure_email_free(email: str, user_id: int | None = None) -> None:
    query = select(User.id).where(User.email == email)
    if user_id is not None:
        query = query.where(User.id != user_id)
    if db.session.scalar(query) is not None:
        raise AccountError(_("Another account already uses this email address."), "email")


def create_user(
    data: UserData, password: str | None = None, *, require_change: bool = False
) -> User:
    """Create an account; without a password it cannot sign in until one is set."""
    email = check_email(data.email)
    _ensure_email_free(email)
    user = User(email=email, active=True, session_version=1)
    _apply(user, data)
    if password is not None:
        check_password_strength(password)
        user.password_hash = hash_password(password)
        user.password_change_required = require_change
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, data: UserData, actor: User | None = None) -> User:
    """Change a user's details and roles; an admin cannot remove their own admin role."""
    email = check_email(data.email)
    _ensure_email_free(email, user.id)
    if (
        actor is not None
        and actor.id == user.id
        and Role.ADMIN in user.roles
        and Role.ADMIN not in data.roles
    ):
        raise AccountError(_("You cannot remove your own admin role."), "roles")
    user.email = email
    _apply(user, data)
    db.session.flush()
    return user


def set_manager(user: User, manages: bool) -> None:
    """Make the person their department's manager, or stop them being any department's."""
    if manages and user.department_id is None:
        raise AccountError(_("Choose the department they manage first."), "manages_department")
    for department in db.session.scalars(
        select(Department).where(Department.manager_id == user.id)
    ):
        if not manages or department.id != user.department_id:
            department.manager_id = None
    if manages:
        db.session.get(Department, user.department_id).manager_id = user.id
    db.session.flush()


def set_password(user: User, password: str, *, require_change: bool = False) -> None:
    """Set a new password and end the user's other sessions."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.password_change_required = require_change
    end_sessions(user)


def change_own_password(user: User, current: str, new: str) -> None:
    """The signed-in user's own change: the current password must be right."""
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise AccountError(_("The current password is not right."), "current_password")
    check_password_strength(new, "new_password")
    if check_password_hash(user.password_hash, new):
        raise AccountError(_("Choose a password different from the current one."), "new_password")
    set_password(user, new)


def set_active(user: User, active: bool, actor: User) -> None:
    """Disable or re-enable an account; disabling ends its sessions at once."""
    if user.id == actor.id and not active:
        raise AccountError(_("You cannot disable your own account."))
    user.active = active
    if not active:
        end_sessions(user)
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise AccountError(_("Choose one of the offered languages."), "locale")
    user.locale = locale
    db.session.flush()


# Departments


def create_department(name: str) -> Department:
    name = " ".join(name.split())
    if not name:
        raise AccountError(_("Enter a department name."), "name")
    if find_department(name) is not None:
        raise AccountError(_("A department with this name already exists."), "name")
    department = Department(name=name[:80])
    db.session.add(department)
    db.session.flush()
    return department


def rename_department(department: Department, name: str) -> Department:
    name = " ".join(name.split())
    if not name:
        raise AccountError(_("Enter a department name."), "name")
    existing = find_department(name)
    if existing is not None and existing.id != department.id:
        raise AccountError(_("A department with this name already exists."), "name")
    department.name = name[:80]
    db.session.flush()
    return department


def delete_department(department: Department) -> None:
    members = db.session.scalar(
        select(func.count(User.id)).where(User.department_id == department.id)
    )
    if members:
        raise AccountError(
            _(
                "%(name)s still has %(count)d people: move them to another department first.",
                name=department.name,
                count=members,
            )
        )
    db.session.delete(department)
    db.session.flush()


def find_department(name: str) -> Department | None:
    return db.session.scalar(
        select(Department).where(func.lower(Department.name) == " ".join(name.split()).lower())
    )
