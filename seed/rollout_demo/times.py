"""Moments in the demo's past, in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def at(day: date, hour: float = 10.0) -> datetime:
    """`hour` o'clock (UTC, fractions allowed) on `day`."""
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=hour)
