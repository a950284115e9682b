"""Moments and lengths of time on sandbox lists, formatted once per request's language.

The portal's `datetime` and `timedelta` filters (portal.i18n) look up the request's
language and parse the locale's pattern on every call; a list of tickets calls them
twice a row. `Formats` takes the language, its time zone and its parsed patterns once,
and gives exactly the filters' text: the same babel patterns applied to the same values.

What a moment reads depends on its local day and, for the short time patterns every
locale has (hours, minutes, AM/PM), its hour and minute; a length of time ("3 hours")
on its unit and rounded number. Each is worded once per process and locale and kept
(`_Worded`), so a list shows the same words without babel formatting them again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from babel import Locale
from babel.dates import TIMEDELTA_UNITS, DateTimePattern, parse_pattern, tokenize_pattern
from flask import g
from markupsafe import Markup, escape

from portal.i18n import current_language, timedelta_filter

# What the timedelta filter passes babel (granularity "second", threshold 0.85).
_THRESHOLD = 0.85
# Time pattern fields that read the hour and minute alone (not b/B: noon is 12:00:00).
_CLOCK_FIELDS = frozenset("hHKkma")
# Worded moments and lengths kept per locale before the store starts again.
_KEEP = 20_000


class _Worded(dict):
    """Texts a locale has worded, by what they depend on; emptied when it grows past _KEEP."""

    def keep(self, key, text: str) -> str:
        if len(self) >= _KEEP:
            self.clear()
        self[key] = text
        return text


class Formats:
    """The request's language's date, time and length formats (see the module)."""

    def __init__(self) -> None:
        language = current_language()
        self.locale = language.locale
        self.tzinfo = language.tzinfo
        self.date, self.time = _patterns(self.locale, language.time_pattern)
        self.joined = language.datetime_pattern
        self.normalize = getattr(self.tzinfo, "normalize", None)  # pytz, as babel does
        # Moments kept by (day, hour, minute) where the time reads those alone (all ours).
        self.by_minute = _by_minute(language.time_pattern)
        self.moments, self.lengths = _worded(self.locale, language.time_pattern, self.joined)

    def _local(self, value: datetime) -> datetime:
        """A stored moment (UTC, naive or aware) in the language's time zone."""
        local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(self.tzinfo)
        return local if self.normalize is None else self.normalize(local)

    def moment(self, value: datetime | None) -> Markup | str:
        """What `value|datetime` shows: the medium date and the time, in <bdi><time>."""
        if value is None:
            return ""
        local = self._local(value)
        key = (local.date(), local.hour, local.minute)
        text = self.moments.get(key) if self.by_minute else None
        if text is None:
            day = self.date.apply(local.date(), self.locale)
            time = self.time.apply(local.timetz(), self.locale, reference_date=value.date())
            text = escape(self.joined.replace("{1}", day).replace("{0}", time))
            if self.by_minute:
                self.moments.keep(key, text)
        iso = value.replace(microsecond=0).isoformat()  # digits, "-", ":", "T", "+": no escaping
        return Markup(f'<bdi><time datetime="{iso}">{text}</time></bdi>')

    def day(self, value: datetime | None) -> Markup | str:
        """What `value|date` shows for a moment: its local medium date, in <bdi><time>."""
        if value is None:
            return ""
        day = self._local(value).date()
        text = self.moments.get(day)  # a day's key: the date alone
        if text is None:
            text = self.moments.keep(day, escape(self.date.apply(day, self.locale)))
        iso = value.replace(microsecond=0).isoformat()
        return Markup(f'<bdi><time datetime="{iso}">{text}</time></bdi>')

    def length(self, value: timedelta) -> str:
        """What `value|timedelta` shows ("3 hours"), worded once per unit and number."""
        seconds = abs(value.days * 86400 + value.seconds)
        for unit, per_unit in TIMEDELTA_UNITS:  # babel's choice of unit and rounding
            number = seconds / per_unit
            if number >= _THRESHOLD or unit == "second":
                if unit == "second" and number > 0:
                    number = max(1, number)
                key = (unit, int(round(number)))
                break
        found = self.lengths.get(key)
        if found is None:
            found = self.lengths.keep(key, timedelta_filter(value))
        return found


@lru_cache(maxsize=16)
def _patterns(locale: Locale, time_pattern: str) -> tuple[DateTimePattern, DateTimePattern]:
    """A locale's medium date and its time pattern, parsed once per process."""
    return parse_pattern(locale.date_formats["medium"]), parse_pattern(time_pattern)


@lru_cache(maxsize=16)
def _by_minute(time_pattern: str) -> bool:
    """Whether a time pattern reads the hour and minute alone (no seconds, no zone)."""
    fields = {token[1][0] for token in tokenize_pattern(time_pattern) if token[0] == "field"}
    return fields <= _CLOCK_FIELDS


@lru_cache(maxsize=16)
def _worded(locale: Locale, time_pattern: str, joined: str) -> tuple[_Worded, _Worded]:
    """The process's worded moments (escaped) and lengths of time for a locale's patterns."""
    return _Worded(), _Worded()


def formats() -> Formats:
    """The request's Formats, made on first use (it follows the language in use then)."""
    found = g.get("sandbox_formats")
    if found is None or found.locale is not current_language().locale:
        found = g.sandbox_formats = Formats()
    return found


def moment(value: datetime | None) -> Markup | str:
    """What `value|datetime` shows, from the request's Formats: the sandbox layout shows
    the sandbox clock on every page, and babel need not format it each time."""
    return formats().moment(value)
