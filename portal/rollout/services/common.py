"""What the rollout services share: the error they raise, checks of plain input, and
setting one row of an item's list (a phase's RACI, a wave's gate)."""

from __future__ import annotations

from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.domain import DomainError
from portal.extensions import db
from portal.rollout.models import SignOff

T = TypeVar("T")


class RolloutError(DomainError):
    """A change the rollout rules refuse; `field` names the form field it concerns."""


def clean_text(value: str, field_name: str, limit: int, required: bool = True) -> str:
    """Stripped text within `limit`; required unless told otherwise."""
    value = (value or "").strip()
    if required and not value:
        raise RolloutError(_("This field is required."), field_name)
    if len(value) > limit:
        raise RolloutError(_("At most %(num)d characters.", num=limit), field_name)
    return value


def owner_or_none(owner_id: int | None, field_name: str = "owner_id") -> int | None:
    """The id of an active user to own something, or None for nobody."""
    if not owner_id:
        return None
    user = db.session.get(User, owner_id)
    if user is None or not user.active:
        raise RolloutError(_("Choose an owner from the list."), field_name)
    return user.id


def has_signoffs(**where) -> bool:
    """Whether any sign-off points at the given plan, phase or wave."""
    column, value = next(iter(where.items()))
    return (
        db.session.scalar(select(SignOff.id).where(getattr(SignOff, column) == value).limit(1))
        is not None
    )


def added(row: T) -> T:
    """The row put in the session and flushed (a new one gets its id); returned."""
    db.session.add(row)
    db.session.flush()
    return row


def set_row(rows: list[T], model: type[T], key: dict[str, Any], **values: Any) -> T:
    """The row of `rows` that matches `key`, given `values`; a new `model` row where none
    matches. Flushed."""
    row = find_row(rows, key)
    if row is None:
        row = model(**key, **values)
        rows.append(row)
    for name, value in values.items():
        setattr(row, name, value)
    db.session.flush()
    return row


def find_row(rows: list[T], key: dict[str, Any]) -> T | None:
    """The row of `rows` whose attributes match `key`, or None."""
    return next((r for r in rows if all(getattr(r, k) == v for k, v in key.items())), None)
