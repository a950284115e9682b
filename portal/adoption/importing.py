"""Usage rows in, from a CSV or the JSON API: one set of checks, then replace the period.

A row names a user by email, a period (a day, or a week from its first day), and counts.
Every row is checked before anything is written: an unknown email, a count that is not a
whole number, is negative or too large, a date that is not one, a period that is neither
one day nor seven, or a user and period that the batch already holds refuses the whole
batch, with each reason at its line. An accepted batch replaces, for the users it names,
every row in the dates it covers (a week sent again replaces the week; days sent for a
week that was imported as a whole replace it), then inserts its rows in bulk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, func, insert, or_, select

from portal.accounts.models import User, normalise_email
from portal.adoption.models import (
    COUNTS,
    PERIOD_DAYS,
    SMALLINT_MAX,
    ImportSource,
    Usage,
    UsageImport,
)
from portal.adoption.weeks import refresh_weeks
from portal.apitokens import ApiToken
from portal.domain import DomainError
from portal.extensions import db

MAX_BYTES = 4 * 1024 * 1024
# A week of daily rows for 10,000 people.
MAX_ROWS = 70_000
_CHUNK = 500


class AdoptionError(DomainError):
    """A usage import the rules refuse."""


@dataclass(frozen=True)
class UsageRow:
    """One checked row, ready to insert."""

    line: int
    user_id: int
    period_start: date
    days: int
    counts: dict[str, int]

    @property
    def period_end(self) -> date:
        return self.period_start + timedelta(days=self.days - 1)


@dataclass(frozen=True)
class RowError:
    """Why a row was refused: its line (or index in a JSON list), the field, the reason."""

    line: int
    field: str | None
    message: str


@dataclass
class Checked:
    """A batch after its checks: the rows, and the refusals (none means it may be saved)."""

    rows: list[UsageRow]
    errors: list[RowError]

    def errors_by_line(self) -> dict[int, list[RowError]]:
        found: dict[int, list[RowError]] = defaultdict(list)
        for error in self.errors:
            found[error.line].append(error)
        return found


# --- Reading values --------------------------------------------------------------------


def _parse_date(value: object) -> date | None:
    """A date from ISO text (a time after it is ignored), or a date; None if it is not one."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _count(value: object, field: str, line: int, errors: list[RowError]) -> int:
    """A count: blank is 0; anything but a whole number from 0 to SMALLINT_MAX is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        number = int(value.strip())
    else:
        number = None
    if number is None:
        errors.append(RowError(line, field, _("Not a whole number: %(value)s.", value=value)))
        return 0
    if number < 0:
        errors.append(RowError(line, field, _("Cannot be negative: %(value)s.", value=value)))
        return 0
    if number > SMALLINT_MAX:
        errors.append(RowError(line, field, _("Too large: at most %(most)d.", most=SMALLINT_MAX)))
        return 0
    return number


class _Refused(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _period(record: Mapping[str, object], line: int, default_days: int | None, errors):
    """(start, days) of a record, from period_start and period_end or days; None if bad."""
    try:
        return _read_period(record, default_days)
    except _Refused as refused:
        errors.append(RowError(line, refused.field, refused.message))
        return None


def _read_period(record: Mapping[str, object], default_days: int | None) -> tuple[date, int]:
    start = _date_in(record, "period_start")
    if start is None:
        raise _Refused("period_start", _("The date is missing."))
    end = _date_in(record, "period_end")
    if end is not None:
        days, field = (end - start).days + 1, "period_end"
    else:
        given = record.get("days")
        days, field = (default_days if given is None else given), "days"
    if days is None:
        raise _Refused("days", _("Give the period's length: days (1 or 7) or period_end."))
    if isinstance(days, bool) or days not in PERIOD_DAYS:
        raise _Refused(
            field, _("A period must be one day or one week (7 days), not %(days)s.", days=days)
        )
    return start, int(days)


def _date_in(record: Mapping[str, object], field: str) -> date | None:
    """The date in `field`, None when it is blank; _Refused when it is not a date."""
    raw = record.get(field)
    if raw in (None, ""):
        return None
    value = _parse_date(raw)
    if value is None:
        raise _Refused(field, _("Not a date: %(value)s (write it as YYYY-MM-DD).", value=raw))
    return value


def _user_ids(emails: Iterable[str]) -> dict[str, int]:
    """normalised email -> user id, for the users that exist."""
    wanted = sorted(set(emails))
    found: dict[str, int] = {}
    for first in range(0, len(wanted), _CHUNK):
        chunk = wanted[first : first + _CHUNK]
        found.update(
            db.session.execute(
                select(func.lower(User.email), User.id).where(func.lower(User.email).in_(chunk))
            ).all()
        )
    return found


# --- Checking a batch ------------------------------------------------------------------


def check_records(
    records: list[tuple[int, Mapping[str, object]]], default_days: int | None = None
) -> Checked:
    """Check (line, record) pairs: record keys are the targets of presets.TARGETS, and
    "days" (1 or 7) where no period_end says how long the period is."""
    errors: list[RowError] = []
    emails = {normalise_email(str(record.get("email") or "")) for _line, record in records} - {""}
    users = _user_ids(emails)
    rows: list[UsageRow] = []
    taken: dict[int, list[UsageRow]] = defaultdict(list)
    for line, record in records:
        before = len(errors)
        email = normalise_email(str(record.get("email") or ""))
        user_id = users.get(email)
        if not email:
            errors.append(RowError(line, "email", _("The email is missing.")))
        elif user_id is None:
            errors.append(
                RowError(
                    line, "email", _("No one in the portal has the email %(email)s.", email=email)
                )
            )
        period = _period(record, line, default_days, errors)
        counts = {column: _count(record.get(column), column, line, errors) for column in COUNTS}
        if len(errors) > before or user_id is None or period is None:
            continue
        row = UsageRow(line, user_id, period[0], period[1], counts)
        for other in taken[user_id]:
            if row.period_start <= other.period_end and other.period_start <= row.period_end:
                errors.append(
                    RowError(
                        line,
                        "period_start",
                        _(
                            "Line %(line)d already gives %(email)s's usage for this period.",
                            line=other.line,
                            email=email,
                        ),
                    )
                )
                break
        else:
            taken[user_id].append(row)
            rows.append(row)
    return Checked(rows, errors)


# --- Saving ----------------------------------------------------------------------------


def save_usage(
    rows: list[UsageRow],
    *,
    source: ImportSource,
    actor: User | None = None,
    token: ApiToken | None = None,
    preset: str | None = None,
    filename: str | None = None,
) -> UsageImport:
    """Replace the batch's users' rows in the dates it covers with `rows`; flushes."""
    if not rows:
        raise AdoptionError(_("There are no rows to import."), "file")
    first = min(row.period_start for row in rows)
    last = max(row.period_end for row in rows)
    user_ids = sorted({row.user_id for row in rows})
    usage = Usage.__table__.c  # Core statements: no ORM bookkeeping per row
    replaced = 0
    for start in range(0, len(user_ids), _CHUNK):
        chunk = user_ids[start : start + _CHUNK]
        replaced += db.session.execute(
            Usage.__table__.delete().where(
                usage.user_id.in_(chunk),
                or_(
                    usage.period_start.between(first, last),
                    # A week that began up to six days earlier reaches into the batch.
                    and_(
                        usage.days == 7,
                        usage.period_start.between(first - timedelta(days=6), first),
                    ),
                ),
            )
        ).rowcount
    values = [
        {"user_id": row.user_id, "period_start": row.period_start, "days": row.days, **row.counts}
        for row in rows
    ]
    for start in range(0, len(values), 5000):
        db.session.execute(insert(Usage.__table__), values[start : start + 5000])
    # The weekly sums the adoption pages read (a replaced week row may start 6 days early).
    refresh_weeks(first - timedelta(days=6), last)
    batch = UsageImport(
        source=source.value,
        imported_by_id=actor.id if actor else None,
        token_id=token.id if token else None,
        preset=preset,
        filename=(filename or "")[:255] or None,
        period_first=first,
        period_last=last,
        row_count=len(rows),
        replaced_count=max(replaced, 0),
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def recent_imports(limit: int = 20) -> list[UsageImport]:
    return list(
        db.session.scalars(
            select(UsageImport)
            .order_by(UsageImport.imported_at.desc(), UsageImport.id.desc())
            .limit(limit)
        )
    )
