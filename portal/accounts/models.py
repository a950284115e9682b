"""Users, their roles and departments."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, event, func, select
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.accounts.roles import ROLE_CODES
from portal.database import UTCDateTime, utcnow
from portal.extensions import db


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who hears each week who in the department is behind (portal.digests).
    manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL", use_alter=True)
    )

    users: Mapped[list[User]] = relationship(
        back_populates="department", foreign_keys="User.department_id"
    )
    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])

    def __repr__(self) -> str:
        return f"<Department {self.name!r}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint(
            "role IN (" + ", ".join(f"'{code}'" for code in sorted(ROLE_CODES)) + ")",
            name="known_role",
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


def sort_name(name: str | None) -> str:
    """The key people are put in name order by: compared code point by code point (SQLite's
    BINARY collation, PostgreSQL's "C") it orders exactly as Python orders name.lower()."""
    return (name or "").lower()


def _sort_name_on_insert(context) -> str:
    """For inserts that give only a name (bulk imports through Core included)."""
    return sort_name(context.get_current_parameters().get("name"))


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    sort_name: Mapped[str] = mapped_column(String(240), default=_sort_name_on_insert)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_change_required: Mapped[bool] = mapped_column(Boolean, default=False)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    job_title: Mapped[str] = mapped_column(String(120), default="")
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When they joined their department: the account's creation, or their last move.
    # Courses assigned to the department before then give them time (Assignment.due_for).
    department_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Wrong passwords in the current window (from failed_sign_in_at); enough of them lock
    # the account until locked_until, which passes by itself or is lifted by an admin.
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    failed_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # One-time password links (portal.accounts.tokens): a link names this version, and
    # making or using a link moves it on. invited_at: when the last invitation went out.
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Daily reminder emails about assigned courses (portal.reminders); the person's choice.
    reminder_emails: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    # The weekly digest for a department's manager or an executive (portal.digests).
    digest_emails: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    # Single sign-on (portal.accounts.sso): "<issuer> <subject>" of the provider's account
    # this one signed in with first; another account at that provider cannot take it over.
    oidc_subject: Mapped[str | None] = mapped_column(String(512), unique=True)

    department: Mapped[Department | None] = relationship(
        back_populates="users", foreign_keys=[department_id]
    )
    role_links: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    @validates("name")
    def _name_sets_sort_name(self, _key: str, value: str) -> str:
        self.sort_name = sort_name(value)
        return value

    @validates("department_id")
    def _move_dates_department_since(self, _key: str, value: int | None) -> int | None:
        if self.id is not None and value != self.department_id:  # a move, not a new account
            self.department_since = utcnow()
        return value

    def locked_at(self, now: datetime) -> bool:
        """Whether too many wrong passwords keep the account from signing in at `now`."""
        return self.locked_until is not None and self.locked_until > now

    @property
    def sign_in_locked(self) -> bool:
        """Whether too many wrong passwords keep the account from signing in now."""
        return self.locked_at(utcnow())

    @property
    def roles(self) -> frozenset[str]:
        """The role codes: those the signed-in user was loaded with (accounts.session),
        until its role rows are loaded or changed, or it is expired (a commit, a rollback:
        `_forget_preloaded_roles`)."""
        preloaded = self.__dict__.get("preloaded_roles")
        if preloaded is not None and "role_links" not in self.__dict__:
            return preloaded
        return frozenset(link.role for link in self.role_links)

    def set_roles(self, roles: list[str] | set[str] | frozenset[str]) -> None:
        """Replace the user's roles, keeping rows that stay."""
        self.__dict__.pop("preloaded_roles", None)
        wanted = set(roles)
        self.role_links = [link for link in self.role_links if link.role in wanted] + [
            UserRole(role=code) for code in sorted(wanted - self.roles)
        ]

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    # Flask-Login: the session carries the id and the session version, so bumping the
    # version (sign-out, disabling, a password change) ends every session at once.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @classmethod
    def by_email(cls, email: str) -> User | None:
        return db.session.scalar(select(cls).where(cls.email == normalise_email(email)))

    @classmethod
    def count_active_admins(cls) -> int:
        return db.session.scalar(
            select(func.count(cls.id))
            .join(UserRole)
            .where(UserRole.role == "admin", cls.active.is_(True))
        )

    def __repr__(self) -> str:
        return f"<User {self.email!r}>"


@event.listens_for(User, "expire")
@event.listens_for(User, "refresh")
def _forget_preloaded_roles(user: User, *_args) -> None:
    """Expired or refreshed, the user reads its roles from the database again, as every
    other attribute does."""
    user.__dict__.pop("preloaded_roles", None)


def normalise_email(email: str) -> str:
    return email.strip().lower()
