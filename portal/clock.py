"""The organisation's clock: one `now()` and one `today()`, in PORTAL_TIMEZONE.

Timestamps are stored in UTC (portal.database.utcnow). A date that people compare with
a due date, a go-live date or a phase's end is the organisation's date, in the time zone
set by PORTAL_TIMEZONE (default UTC): at 23:30 UTC it is already tomorrow in Karachi.
Never `date.today()` (the server's own zone) or `utcnow().date()` for such a date.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from portal.database import utcnow

DEFAULT_TIMEZONE = "UTC"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    """The organisation's time zone (UTC outside an app context)."""
    name = current_app.config["TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE
    return _zone(name)


def now() -> datetime:
    """The current time in the organisation's time zone, timezone-aware."""
    return utcnow().astimezone(zone())


def today() -> date:
    """The organisation's date today."""
    return now().date()


def instant() -> tuple[datetime, date]:
    """The current UTC time and the organisation's date at that same moment, for a page
    that shows both (a date read separately could fall on the other side of midnight)."""
    moment = utcnow()
    return moment, local_date(moment)


def local_date(moment: datetime) -> date:
    """The organisation's date at `moment` (a timezone-aware timestamp)."""
    return moment.astimezone(zone()).date()
